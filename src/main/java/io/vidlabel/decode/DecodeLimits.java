package io.vidlabel.decode;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

/**
 * Bounds applied to every untrusted input. An input that passes a bound is rejected with the
 * matching {@link DecodeException.Reason}; nothing is truncated silently.
 *
 * @param maxInputBytes largest accepted input, checked before FFmpeg sees a byte
 * @param maxWidth largest coded width
 * @param maxHeight largest coded height
 * @param maxPixels largest {@code width * height}
 * @param maxFrames most video frames decoded (sampled or not)
 * @param maxDuration longest span of presentation time, first to last frame (and the duration the
 *     container declares)
 * @param maxDecodeTime wall-clock budget for one decode call
 * @param allowedFormats FFmpeg demuxer names; a demuxer with a comma-separated name (for example
 *     {@code "mov,mp4,m4a,3gp,3g2,mj2"}) is allowed when its full name or any of its parts is
 *     listed
 */
public record DecodeLimits(
    long maxInputBytes,
    int maxWidth,
    int maxHeight,
    long maxPixels,
    int maxFrames,
    Duration maxDuration,
    Duration maxDecodeTime,
    Set<String> allowedFormats) {

  /** Demuxers that may read untrusted input; none of them opens other files or URLs. */
  public static final Set<String> DEFAULT_FORMATS =
      Set.of(
          "mpegts",
          "mov,mp4,m4a,3gp,3g2,mj2",
          "matroska,webm",
          "h264",
          "hevc",
          "mjpeg",
          "avi",
          "jpeg_pipe",
          "png_pipe",
          "image2");

  public DecodeLimits {
    requirePositive(maxInputBytes, "maxInputBytes");
    requirePositive(maxWidth, "maxWidth");
    requirePositive(maxHeight, "maxHeight");
    requirePositive(maxPixels, "maxPixels");
    requirePositive(maxFrames, "maxFrames");
    Objects.requireNonNull(maxDuration, "maxDuration");
    Objects.requireNonNull(maxDecodeTime, "maxDecodeTime");
    if (maxDuration.isNegative() || maxDuration.isZero()) {
      throw new IllegalArgumentException("maxDuration must be positive: " + maxDuration);
    }
    if (maxDecodeTime.isNegative() || maxDecodeTime.isZero()) {
      throw new IllegalArgumentException("maxDecodeTime must be positive: " + maxDecodeTime);
    }
    allowedFormats = Set.copyOf(Objects.requireNonNull(allowedFormats, "allowedFormats"));
    if (allowedFormats.isEmpty()) {
      throw new IllegalArgumentException("allowedFormats must not be empty");
    }
  }

  /** Demuxers of still images (JPEG, PNG): what feedback and training images may be. */
  public static final Set<String> STILL_IMAGE_FORMATS = Set.of("jpeg_pipe", "png_pipe", "image2");

  /** These limits for one JPEG or PNG of at most {@code maxBytes}: no other format, one frame. */
  public DecodeLimits forStillImages(long maxBytes) {
    return withAllowedFormats(STILL_IMAGE_FORMATS).withMaxFrames(1).withMaxInputBytes(maxBytes);
  }

  /** 32 MiB, 4096x4096, 4096*2304 pixels, 2000 frames, 120 s, 30 s, {@link #DEFAULT_FORMATS}. */
  public static DecodeLimits defaults() {
    return new DecodeLimits(
        32L * 1024 * 1024,
        4096,
        4096,
        4096L * 2304,
        2000,
        Duration.ofSeconds(120),
        Duration.ofSeconds(30),
        DEFAULT_FORMATS);
  }

  public DecodeLimits withMaxInputBytes(long bytes) {
    return new DecodeLimits(bytes, maxWidth, maxHeight, maxPixels, maxFrames, maxDuration,
        maxDecodeTime, allowedFormats);
  }

  public DecodeLimits withMaxDimensions(int width, int height, long pixels) {
    return new DecodeLimits(maxInputBytes, width, height, pixels, maxFrames, maxDuration,
        maxDecodeTime, allowedFormats);
  }

  public DecodeLimits withMaxFrames(int frames) {
    return new DecodeLimits(maxInputBytes, maxWidth, maxHeight, maxPixels, frames, maxDuration,
        maxDecodeTime, allowedFormats);
  }

  public DecodeLimits withMaxDuration(Duration duration) {
    return new DecodeLimits(maxInputBytes, maxWidth, maxHeight, maxPixels, maxFrames, duration,
        maxDecodeTime, allowedFormats);
  }

  public DecodeLimits withMaxDecodeTime(Duration decodeTime) {
    return new DecodeLimits(maxInputBytes, maxWidth, maxHeight, maxPixels, maxFrames, maxDuration,
        decodeTime, allowedFormats);
  }

  public DecodeLimits withAllowedFormats(Set<String> formats) {
    return new DecodeLimits(maxInputBytes, maxWidth, maxHeight, maxPixels, maxFrames, maxDuration,
        maxDecodeTime, formats);
  }

  /** Whether an FFmpeg demuxer name (possibly a comma-separated list of aliases) is allowed. */
  public boolean allowsFormat(String demuxerName) {
    if (demuxerName == null || demuxerName.isEmpty()) {
      return false;
    }
    return allowedFormats.contains(demuxerName)
        || Arrays.stream(demuxerName.split(",")).anyMatch(allowedFormats::contains);
  }

  private static void requirePositive(long value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }
}
