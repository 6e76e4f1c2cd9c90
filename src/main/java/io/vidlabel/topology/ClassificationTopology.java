package io.vidlabel.topology;

import io.vidlabel.pipeline.PipelineMetrics;
import io.vidlabel.pipeline.SegmentClassifier;
import io.vidlabel.topology.ClassifyProcessor.Source;
import io.vidlabel.topology.Messages.FrameClassification;
import io.vidlabel.topology.Messages.LatestLabel;
import io.vidlabel.topology.Messages.ReviewRequest;
import io.vidlabel.topology.Messages.RecentClassifications;
import io.vidlabel.topology.Messages.SegmentLabel;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The classification topology, built by a plain method so tests run exactly what production runs.
 *
 * <pre>
 * video.segments ─► classify-segments ─┬─► video.classifications
 * video.frames ───► classify-frames ───┼─► video.segment-labels   (segments only)
 *                        │             ├─► video.review-requests  (low-confidence frames)
 *                        │             └─► video.dead-letters
 *                        ├── latest-labels store (stream id → latest label)
 *                        └── recent-classifications store (stream id → its last N frames)
 * </pre>
 */
public final class ClassificationTopology {

  public static final String LATEST_LABELS_STORE = "latest-labels";
  public static final String RECENT_CLASSIFICATIONS_STORE = "recent-classifications";
  static final String CLASSIFICATIONS_SINK = "classifications-sink";
  static final String SEGMENT_LABELS_SINK = "segment-labels-sink";
  static final String DEAD_LETTERS_SINK = "dead-letters-sink";
  static final String REVIEW_REQUESTS_SINK = "review-requests-sink";

  // Serdes of every topic, declared once.
  public static final JsonSerde<FrameClassification> CLASSIFICATION_SERDE =
      JsonSerde.of(FrameClassification.class);
  public static final JsonSerde<SegmentLabel> SEGMENT_LABEL_SERDE = JsonSerde.of(SegmentLabel.class);
  public static final JsonSerde<LatestLabel> LATEST_LABEL_SERDE = JsonSerde.of(LatestLabel.class);
  public static final JsonSerde<ReviewRequest> REVIEW_REQUEST_SERDE = JsonSerde.of(ReviewRequest.class);
  public static final JsonSerde<RecentClassifications> RECENT_SERDE =
      JsonSerde.of(RecentClassifications.class);

  private ClassificationTopology() {}

  /**
   * Settings the topology needs beyond its collaborators.
   *
   * @param reviewThreshold frames whose top-1 score is below this become review requests (0: none)
   * @param reviewsPerInput most review requests per input record, least confident first
   * @param thumbnailSize longest side of the segment-labels thumbnail; 0 leaves it out
   * @param recentPerStream how many of a stream's latest frame classifications the
   *     recent-classifications store keeps
   */
  public record Settings(
      TopicNames topics,
      long maxRecordBytes,
      int topK,
      double reviewThreshold,
      int reviewsPerInput,
      int thumbnailSize,
      int recentPerStream) {

    public Settings {
      if (recentPerStream < 1) {
        throw new IllegalArgumentException("recentPerStream must be at least 1, got " + recentPerStream);
      }
    }

    /** Without review requests or thumbnails. */
    public Settings(TopicNames topics, long maxRecordBytes, int topK, int recentPerStream) {
      this(topics, maxRecordBytes, topK, 0, 0, 0, recentPerStream);
    }
  }

  /**
   * @param crashGuard skips records that were in flight whenever earlier processes died ({@link
   *     CrashGuard#disabled()} to classify everything)
   */
  public static Topology build(
      Settings settings, SegmentClassifier classifier, PipelineMetrics metrics, CrashGuard crashGuard) {
    TopicNames topics = settings.topics();
    Topology topology = new Topology();
    topology.addSource(
        "segments-source",
        Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer(),
        topics.segments());
    topology.addSource(
        "frames-source",
        Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer(),
        topics.frames());
    topology.addProcessor(
        "classify-segments",
        () ->
            new ClassifyProcessor(
                Source.SEGMENT, classifier, metrics, crashGuard, settings),
        "segments-source");
    topology.addProcessor(
        "classify-frames",
        () ->
            new ClassifyProcessor(
                Source.FRAME, classifier, metrics, crashGuard, settings),
        "frames-source");
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(LATEST_LABELS_STORE),
            Serdes.String(),
            LATEST_LABEL_SERDE),
        "classify-segments",
        "classify-frames");
    // Changelogged like latest-labels, so with exactly_once_v2 the store moves in the same
    // transaction as the classifications it mirrors: after a crash or a partition move, the new
    // owner's store holds exactly the frames that were committed to video.classifications.
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(RECENT_CLASSIFICATIONS_STORE),
            Serdes.String(),
            RECENT_SERDE),
        "classify-segments",
        "classify-frames");
    topology.addSink(
        CLASSIFICATIONS_SINK,
        topics.classifications(),
        Serdes.String().serializer(),
        objectSerializer(CLASSIFICATION_SERDE.serializer()),
        "classify-segments",
        "classify-frames");
    topology.addSink(
        SEGMENT_LABELS_SINK,
        topics.segmentLabels(),
        Serdes.String().serializer(),
        objectSerializer(SEGMENT_LABEL_SERDE.serializer()),
        "classify-segments");
    topology.addSink(
        DEAD_LETTERS_SINK,
        topics.deadLetters(),
        Serdes.String().serializer(),
        objectSerializer(Serdes.ByteArray().serializer()),
        "classify-segments",
        "classify-frames");
    topology.addSink(
        REVIEW_REQUESTS_SINK,
        topics.reviewRequests(),
        Serdes.String().serializer(),
        objectSerializer(REVIEW_REQUEST_SERDE.serializer()),
        "classify-segments",
        "classify-frames");
    return topology;
  }

  /** The processors forward several value types; each sink only ever receives its own. */
  @SuppressWarnings("unchecked")
  private static <T> Serializer<Object> objectSerializer(Serializer<T> serializer) {
    return (topic, value) -> serializer.serialize(topic, (T) value);
  }
}
