package io.vidlabel.decode;

/**
 * Input that could not be decoded within the {@link DecodeLimits}. {@link #getMessage()} is a
 * one-line human explanation; {@link #reason()} is stable and meant for metrics and dead letters.
 */
public final class DecodeException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why an input was rejected. */
  public enum Reason {
    EMPTY_INPUT,
    INPUT_TOO_LARGE,
    FORMAT_NOT_ALLOWED,
    UNREADABLE,
    NO_VIDEO_STREAM,
    DIMENSIONS_EXCEEDED,
    TOO_MANY_FRAMES,
    DURATION_EXCEEDED,
    DECODE_TIMEOUT,
    NO_FRAMES
  }

  private final Reason reason;
  private final int framesDecoded;

  public DecodeException(Reason reason, String message) {
    this(reason, message, 0, null);
  }

  public DecodeException(Reason reason, String message, int framesDecoded, Throwable cause) {
    super(message, cause);
    this.reason = java.util.Objects.requireNonNull(reason, "reason");
    this.framesDecoded = framesDecoded;
  }

  public Reason reason() {
    return reason;
  }

  /** Video frames decoded before the input was rejected (0 when rejected before decoding). */
  public int framesDecoded() {
    return framesDecoded;
  }
}
