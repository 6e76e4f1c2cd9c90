package io.vidlabel.ingest;

/** One self-contained media segment cut from a longer video, ready to be one Kafka record. */
public record Segment(long seq, long startMicros, long durationMicros, int frames, byte[] bytes) {}
