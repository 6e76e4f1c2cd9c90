package io.vidlabel.decode;

/** One decoded frame, packed RGB24 (3 bytes per pixel, row-major, no padding), after rotation and scaling. */
public record VideoFrame(int index, long ptsMicros, int width, int height, byte[] rgb) {}
