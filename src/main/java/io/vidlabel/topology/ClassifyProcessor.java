package io.vidlabel.topology;

import io.vidlabel.decode.DecodeException;
import io.vidlabel.inference.Label;
import io.vidlabel.inference.Prediction;
import io.vidlabel.pipeline.ClassifiedFrame;
import io.vidlabel.pipeline.ClassifiedInput;
import io.vidlabel.pipeline.FrameImages;
import io.vidlabel.pipeline.InferenceFailedException;
import io.vidlabel.pipeline.PipelineMetrics;
import io.vidlabel.pipeline.SegmentClassifier;
import io.vidlabel.topology.Messages.FrameClassification;
import io.vidlabel.topology.Messages.LatestLabel;
import io.vidlabel.topology.Messages.RecentClassifications;
import io.vidlabel.topology.Messages.ReviewRequest;
import io.vidlabel.topology.Messages.SegmentLabel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Classifies one input record per {@link #process} call and forwards every result before
 * returning; it keeps no frames between calls, so a commit never covers an unclassified frame.
 * Input that cannot be processed goes, unchanged, to the dead-letter topic with its reason.
 */
final class ClassifyProcessor implements Processor<String, byte[], String, Object> {

  /** Which input topic this processor reads. */
  enum Source {
    SEGMENT("segment"),
    FRAME("frame");

    final String tag;

    Source(String tag) {
      this.tag = tag;
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(ClassifyProcessor.class);

  private final Source source;
  private final SegmentClassifier classifier;
  private final PipelineMetrics metrics;
  private final CrashGuard crashGuard;
  private final long maxRecordBytes;
  private final int topK;
  private final double reviewThreshold;
  private final int reviewsPerInput;
  private final int thumbnailSize;
  private final int recentPerStream;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, LatestLabel> latest;
  private KeyValueStore<String, RecentClassifications> recent;

  ClassifyProcessor(
      Source source,
      SegmentClassifier classifier,
      PipelineMetrics metrics,
      CrashGuard crashGuard,
      ClassificationTopology.Settings settings) {
    this.source = source;
    this.classifier = classifier;
    this.metrics = metrics;
    this.crashGuard = crashGuard;
    this.maxRecordBytes = settings.maxRecordBytes();
    this.topK = settings.topK();
    this.reviewThreshold = settings.reviewThreshold();
    this.reviewsPerInput = settings.reviewsPerInput();
    this.thumbnailSize = settings.thumbnailSize();
    this.recentPerStream = settings.recentPerStream();
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.latest = context.getStateStore(ClassificationTopology.LATEST_LABELS_STORE);
    this.recent = context.getStateStore(ClassificationTopology.RECENT_CLASSIFICATIONS_STORE);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    String stream = record.key();
    byte[] media = record.value();
    if (stream == null || stream.isBlank()) {
      deadLetter(record, DeadLetters.MISSING_STREAM_ID, "record has no key; the key must be the stream id");
      return;
    }
    if (media == null || media.length == 0) {
      deadLetter(record, DeadLetters.EMPTY_INPUT, "record has no value");
      return;
    }
    if (media.length > maxRecordBytes) {
      deadLetter(
          record,
          DeadLetters.RECORD_TOO_LARGE,
          "record of " + media.length + " bytes exceeds the limit of " + maxRecordBytes + " bytes");
      return;
    }
    RecordMetadata where = context.recordMetadata().orElse(null);
    if (where != null && crashGuard.shouldSkip(where.topic(), where.partition(), where.offset())) {
      deadLetter(
          record,
          DeadLetters.CRASHED_CLASSIFIER,
          "the classifier process ended abruptly "
              + crashGuard.crashes(where.topic(), where.partition(), where.offset())
              + " times while processing this record; it is not decoded again");
      return;
    }
    long started = System.nanoTime();
    ClassifiedInput result;
    try (CrashGuard.InFlight marked =
        where == null
            ? () -> {}
            : crashGuard.begin(where.topic(), where.partition(), where.offset())) {
      result =
          source == Source.SEGMENT
              ? classifier.classifySegment(media)
              : classifier.classifyImage(media);
    } catch (DecodeException e) {
      deadLetter(record, e.reason().name(), e.getMessage());
      return;
    } catch (InferenceFailedException e) {
      deadLetter(record, DeadLetters.INFERENCE_FAILED, e.getMessage());
      return;
    } catch (InterruptedException e) {
      // Shutting down: leave the record uncommitted so it is processed again after restart.
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while classifying " + describe(), e);
    }
    long segment = segmentSeq(record);
    forwardResults(record, stream, segment, result);
    metrics.recordProcessed(
        source.tag,
        stream,
        result.framesDecoded(),
        result.frames().size(),
        Duration.ofNanos(System.nanoTime() - started));
  }

  private void forwardResults(
      Record<String, byte[]> record, String stream, long segment, ClassifiedInput result) {
    long now = context.currentSystemTimeMs();
    long latencyMs = Math.max(0, now - record.timestamp());
    Prediction last = null;
    List<FrameClassification> forwarded = new ArrayList<>(result.frames().size());
    for (ClassifiedFrame frame : result.frames()) {
      Prediction p = frame.prediction();
      FrameClassification out =
          new FrameClassification(
              stream,
              segment,
              frame.index(),
              frame.ptsMicros(),
              p.modelName(),
              p.modelVersion(),
              p.topK(topK),
              latencyMs);
      context.forward(
          new Record<String, Object>(stream, out, record.timestamp(), new RecordHeaders()),
          ClassificationTopology.CLASSIFICATIONS_SINK);
      forwarded.add(out);
      last = p;
    }
    if (last == null) {
      return; // the sampler kept no frame of this input; nothing to report
    }
    remember(stream, forwarded);
    forwardReviewRequests(record, stream, segment, result.frames());
    List<Label> mean = result.meanScores();
    Label best = mean.get(0);
    if (source == Source.SEGMENT) {
      List<ClassifiedFrame> frames = result.frames();
      SegmentLabel label =
          new SegmentLabel(
              stream,
              segment,
              result.framesDecoded(),
              frames.size(),
              frames.get(0).ptsMicros(),
              frames.get(frames.size() - 1).ptsMicros(),
              best.name(),
              best.score(),
              mean.subList(0, Math.min(topK, mean.size())),
              last.modelName(),
              last.modelVersion(),
              thumbnailSize > 0
                  ? FrameImages.base64(
                      FrameImages.jpegThumbnail(frames.get(frames.size() - 1).image(), thumbnailSize))
                  : null);
      context.forward(
          new Record<String, Object>(stream, label, record.timestamp(), new RecordHeaders()),
          ClassificationTopology.SEGMENT_LABELS_SINK);
    }
    latest.put(
        stream,
        new LatestLabel(
            stream, segment, best.name(), best.score(), last.modelName(), last.modelVersion(), now));
  }

  /**
   * The input's least confident frames whose top-1 score is below the threshold, at most {@code
   * reviewsPerInput} of them, in frame order. Forwarded like every other output, so they are part
   * of the same transaction as the classifications.
   */
  private void forwardReviewRequests(
      Record<String, byte[]> record, String stream, long segment, List<ClassifiedFrame> frames) {
    if (reviewsPerInput <= 0 || reviewThreshold <= 0) {
      return;
    }
    List<ClassifiedFrame> unsure =
        frames.stream()
            .filter(f -> topScore(f) < reviewThreshold)
            .sorted(Comparator.comparingDouble(ClassifyProcessor::topScore))
            .limit(reviewsPerInput)
            .sorted(Comparator.comparingInt(ClassifiedFrame::index))
            .toList();
    for (ClassifiedFrame frame : unsure) {
      Prediction p = frame.prediction();
      ReviewRequest request =
          new ReviewRequest(
              stream,
              segment,
              frame.index(),
              frame.ptsMicros(),
              p.modelName(),
              p.modelVersion(),
              p.topK(topK),
              FrameImages.base64(FrameImages.png(frame.image())));
      context.forward(
          new Record<String, Object>(stream, request, record.timestamp(), new RecordHeaders()),
          ClassificationTopology.REVIEW_REQUESTS_SINK);
    }
  }

  private static double topScore(ClassifiedFrame frame) {
    List<Label> best = frame.prediction().topK(1);
    return best.isEmpty() ? 0 : best.get(0).score();
  }

  /** Appends this record's frames to the stream's recent classifications, keeping the last N. */
  private void remember(String stream, List<FrameClassification> frames) {
    RecentClassifications before = recent.get(stream);
    List<FrameClassification> kept = new ArrayList<>(recentPerStream);
    if (before != null) {
      kept.addAll(before.frames());
    }
    kept.addAll(frames);
    int from = Math.max(0, kept.size() - recentPerStream);
    recent.put(stream, new RecentClassifications(stream, List.copyOf(kept.subList(from, kept.size()))));
  }

  private long segmentSeq(Record<String, byte[]> record) {
    Header header = record.headers().lastHeader(io.vidlabel.topology.RecordHeaders.SEGMENT_SEQ);
    if (header != null && header.value() != null) {
      try {
        return Long.parseLong(new String(header.value(), StandardCharsets.UTF_8).trim());
      } catch (NumberFormatException ignored) {
        // fall through to the offset: a bad header must not cost the record
      }
    }
    return context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
  }

  private void deadLetter(Record<String, byte[]> record, String reason, String error) {
    Headers headers = new RecordHeaders(record.headers().toArray());
    headers.remove(DeadLetters.REASON).remove(DeadLetters.ERROR);
    headers.add(DeadLetters.REASON, utf8(reason));
    headers.add(DeadLetters.ERROR, utf8(error == null ? reason : error));
    context
        .recordMetadata()
        .ifPresent(
            m -> {
              headers.add(DeadLetters.SOURCE_TOPIC, utf8(m.topic()));
              headers.add(DeadLetters.SOURCE_PARTITION, utf8(Integer.toString(m.partition())));
              headers.add(DeadLetters.SOURCE_OFFSET, utf8(Long.toString(m.offset())));
            });
    context.forward(
        new Record<String, Object>(record.key(), record.value(), record.timestamp(), headers),
        ClassificationTopology.DEAD_LETTERS_SINK);
    metrics.deadLettered(source.tag, reason);
    LOG.warn("dead-lettered {} from stream {}: {} ({})", describe(), record.key(), reason, error);
  }

  private String describe() {
    return context
        .recordMetadata()
        .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
        .orElse("record");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
