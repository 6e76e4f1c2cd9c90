package io.vidlabel.topology;

import io.vidlabel.inference.Label;
import java.util.List;

/** The JSON records the service writes. Field names are the wire format documented in the README. */
public final class Messages {

  private Messages() {}

  /** {@code video.classifications}: one per classified frame. */
  public record FrameClassification(
      String stream,
      long segment,
      int frame,
      long ptsMicros,
      String model,
      String modelVersion,
      List<Label> labels,
      long latencyMs) {}

  /** {@code video.segment-labels}: one per segment; the label is the argmax of the frames' mean scores. */
  public record SegmentLabel(
      String stream,
      long segment,
      int framesDecoded,
      int framesClassified,
      long firstPtsMicros,
      long lastPtsMicros,
      String label,
      float score,
      List<Label> labels,
      String model,
      String modelVersion) {}

  /** Value of the latest-label state store, served by the REST API. */
  public record LatestLabel(
      String stream,
      long segment,
      String label,
      float score,
      String model,
      String modelVersion,
      long updatedAtMs) {}

  /**
   * Value of the recent-classifications state store: the last frames classified for one stream,
   * oldest first, at most as many as the topology keeps.
   */
  public record RecentClassifications(String stream, List<FrameClassification> frames) {}
}
