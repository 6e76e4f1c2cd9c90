package io.vidlabel.decode;

import java.util.List;

/**
 * The result of decoding one input.
 *
 * @param format FFmpeg demuxer name, for example {@code "mpegts"} or {@code
 *     "mov,mp4,m4a,3gp,3g2,mj2"}
 * @param codec FFmpeg codec name of the decoded video stream, for example {@code "h264"}
 * @param sourceWidth coded width of the stream, before rotation and scaling
 * @param sourceHeight coded height of the stream, before rotation and scaling
 * @param rotationDegrees clockwise rotation applied to every frame: 0, 90, 180 or 270
 * @param frameRate frame rate declared by the stream, or 0 when it declares none
 * @param framesDecoded all video frames decoded, sampled or not
 * @param frames the sampled frames only, in presentation order
 * @param openNanos wall time from the call to the input being open: probed, demuxer opened,
 *     stream information read (FFmpeg decodes a few frames for it), decoder opened; a fixed cost
 *     per input that {@code ffmpeg -benchmark} leaves out of its time (docs/performance.md,
 *     section 1)
 */
public record DecodedVideo(
    String format,
    String codec,
    int sourceWidth,
    int sourceHeight,
    int rotationDegrees,
    double frameRate,
    int framesDecoded,
    List<VideoFrame> frames,
    long openNanos) {

  public DecodedVideo {
    frames = List.copyOf(frames);
  }
}
