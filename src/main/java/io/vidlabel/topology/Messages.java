package io.vidlabel.topology;

import com.fasterxml.jackson.annotation.JsonInclude;
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

  /**
   * {@code video.segment-labels}: one per segment; the label is the argmax of the frames' mean
   * scores. {@code thumbnail} is a small base64 JPEG of the segment's last classified frame, or
   * null when thumbnails are off.
   */
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
      String modelVersion,
      @JsonInclude(JsonInclude.Include.NON_NULL) String thumbnail) {}

  /**
   * {@code video.review-requests}: a frame the model was unsure about, for a person to label. The
   * image is a base64 PNG of the frame exactly as the model saw it (its input size), so a label
   * sent back to {@code video.feedback} with this image trains on those pixels.
   */
  public record ReviewRequest(
      String stream,
      long segment,
      int frame,
      long ptsMicros,
      String model,
      String modelVersion,
      List<Label> labels,
      String image) {}

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
