package io.vidlabel.ingest;

/**
 * How {@link StreamSegmenter} turns a source into segments.
 *
 * <p>{@link Codec#H264} decodes and re-encodes every frame: each segment starts with a key frame
 * wherever it is cut, any input FFmpeg reads is accepted, and {@code maxHeight}/{@code bitrate}
 * bound the record size, at the cost of CPU on the publishing side. {@link Codec#COPY} copies the
 * source's compressed packets into MPEG-TS without decoding them: almost free, but a segment can
 * only start at one of the source's key frames (so segments are at least {@code segmentSeconds}
 * long and as long as the camera's key-frame interval makes them) and the source codec must be
 * one MPEG-TS carries (H.264, HEVC, MPEG-2/4 video).
 *
 * @param codec re-encode to H.264 or copy packets
 * @param segmentSeconds target segment length
 * @param maxHeight downscale taller video to this height (H.264 only); 0 keeps the size
 * @param bitrate H.264 target bit rate in bits per second; 0: the encoder's default
 * @param keyframeInterval H.264 frames between key frames; 0: one per second of video
 */
public record SegmentEncoding(
    Codec codec, double segmentSeconds, int maxHeight, int bitrate, int keyframeInterval) {

  /** What happens to the source's video. */
  public enum Codec {
    H264,
    COPY
  }

  public SegmentEncoding {
    if (!(segmentSeconds > 0)) {
      throw new IllegalArgumentException("segment length must be positive");
    }
    if (maxHeight < 0 || bitrate < 0 || keyframeInterval < 0) {
      throw new IllegalArgumentException("max height, bit rate and key-frame interval must not be negative");
    }
  }

  /** H.264 segments of {@code segmentSeconds}, at most 720 lines, encoder defaults otherwise. */
  public static SegmentEncoding h264(double segmentSeconds) {
    return new SegmentEncoding(Codec.H264, segmentSeconds, 720, 0, 0);
  }
}
