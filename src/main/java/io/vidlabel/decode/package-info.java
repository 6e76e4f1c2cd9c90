/**
 * Decoding of untrusted media segments and images from memory into RGB24 frames.
 *
 * <p>Guarantees: {@link io.vidlabel.decode.VideoDecoder} reads only the byte array it is given.
 * The demuxer is chosen by probing that array, checked against an allow-list and then forced;
 * FFmpeg also gets a format whitelist and an empty protocol whitelist, so playlists (HLS, ffconcat,
 * SDP) and container references can never open a file or a URL. Width, height and declared
 * duration are checked right after the container is opened and before any frame is grabbed;
 * frame count, presentation span and a wall-clock budget are checked after every frame, and the
 * budget also cuts the input stream, so a demuxer that keeps reading stops at the deadline. Every
 * failure surfaces as a {@link io.vidlabel.decode.DecodeException} with a
 * {@link io.vidlabel.decode.DecodeException.Reason}; frames are copied out of the grabber and every
 * native object is closed before {@code decode} returns. Output frames are rotated upright
 * (display matrix), converted to 8-bit RGB, optionally scaled by FFmpeg's scaler, and carry
 * strictly increasing, non-negative timestamps (synthesized from the frame rate when the input has
 * none).
 *
 * <p>Limits: the deadline is enforced between reads and between frames; a decoder stuck inside a
 * single native call (one huge frame) cannot be interrupted and finishes that call first. While
 * opening, FFmpeg decodes a few packets to learn stream parameters before our size check runs;
 * only FFmpeg's own image-size check (about 16384x16384) bounds that step, while the decoder used
 * for the frames themselves also gets {@code max_pixels}. Every decoded frame is converted to RGB,
 * sampled or not. Sampled frames are held in memory: {@code maxFrames} frames at native size can
 * be large, so callers should scale ({@link io.vidlabel.decode.FrameSize}) or sample. Only the
 * grabber's default video stream is decoded (for files with several, the first one); no audio
 * decoder is ever opened, and audio and subtitle packets are dropped. A stream whose first frame
 * fails to decode is unreadable; damage after good frames (a truncated segment) ends decoding and
 * keeps the frames decoded so far.
 */
package io.vidlabel.decode;
