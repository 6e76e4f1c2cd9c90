package io.vidlabel.topology;

/**
 * Header names on {@code video.dead-letters} records. The value and key are the original record's;
 * these headers say why it was rejected and where it came from, so it can be inspected and replayed.
 */
public final class DeadLetters {

  /** Machine-readable reason, for example {@code UNREADABLE} or {@code RECORD_TOO_LARGE}. */
  public static final String REASON = "vidlabel.reason";
  /** One-line human explanation. */
  public static final String ERROR = "vidlabel.error";
  public static final String SOURCE_TOPIC = "vidlabel.source.topic";
  public static final String SOURCE_PARTITION = "vidlabel.source.partition";
  public static final String SOURCE_OFFSET = "vidlabel.source.offset";

  /** Reasons found before decoding; decoder reasons are {@link io.vidlabel.decode.DecodeException.Reason} names. */
  public static final String MISSING_STREAM_ID = "MISSING_STREAM_ID";
  public static final String RECORD_TOO_LARGE = "RECORD_TOO_LARGE";
  public static final String EMPTY_INPUT = "EMPTY_INPUT";
  public static final String INFERENCE_FAILED = "INFERENCE_FAILED";
  /** The record was in flight whenever the classifier died, {@link CrashGuard#maxCrashes} times. */
  public static final String CRASHED_CLASSIFIER = "CRASHED_CLASSIFIER";

  private DeadLetters() {}
}
