package io.vidlabel.topology;

import io.vidlabel.config.VidlabelConfig;
import java.util.List;

/** The service's topics (video.model-updates is separate: compacted, see ModelUpdates). Their serdes are declared once, in {@link ClassificationTopology}. */
public record TopicNames(
    String segments,
    String frames,
    String classifications,
    String segmentLabels,
    String deadLetters,
    String feedback,
    String reviewRequests) {

  public static TopicNames from(VidlabelConfig.Topics topics) {
    return new TopicNames(
        topics.segments(),
        topics.frames(),
        topics.classifications(),
        topics.segmentLabels(),
        topics.deadLetters(),
        topics.feedback(),
        topics.reviewRequests());
  }

  public static TopicNames defaults() {
    return new TopicNames(
        "video.segments",
        "video.frames",
        "video.classifications",
        "video.segment-labels",
        "video.dead-letters",
        "video.feedback",
        "video.review-requests");
  }

  public List<String> all() {
    return List.of(segments, frames, classifications, segmentLabels, deadLetters, feedback, reviewRequests);
  }
}
