package io.vidlabel.topology;

/** Optional headers a producer may set on input records ({@code publish} sets them). */
public final class RecordHeaders {

  /** Segment sequence number within its stream, as a decimal string. Absent: the record's offset. */
  public static final String SEGMENT_SEQ = "vidlabel.segment.seq";

  private RecordHeaders() {}
}
