package io.vidlabel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.vidlabel.decode.DecodeLimits;
import io.vidlabel.decode.DecodedVideo;
import io.vidlabel.decode.FrameSampler;
import io.vidlabel.decode.FrameSize;
import io.vidlabel.decode.VideoDecoder;
import io.vidlabel.ingest.FashionSampleVideo;
import io.vidlabel.ingest.SegmentEncoding;
import io.vidlabel.ingest.SegmentPublisher;
import io.vidlabel.ingest.SourceOptions;
import io.vidlabel.ingest.SourceRunner;
import io.vidlabel.ingest.StreamSegmenter;
import io.vidlabel.kafka.EmbeddedKafka;
import io.vidlabel.kafka.KafkaClients;
import io.vidlabel.topology.RecordHeaders;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Publishing a live HTTP source to a real broker while the source misbehaves: the connection is
 * cut midway, the server stops sending without closing, or never answers. The publisher must
 * reconnect, go on numbering its segments and never hang. The source is the bundled sample (real
 * H.264 MPEG-TS, 20 s, a key frame every 2 s) served by {@link FlakyVideoServer}.
 */
class LiveSourcePublishIT {

  /** Generous: a hang is what these tests catch, not slowness on a busy machine. */
  private static final Duration DEADLINE = Duration.ofMinutes(3);

  private static EmbeddedKafka kafka;
  private static byte[] sample;
  private final VideoDecoder decoder = new VideoDecoder(DecodeLimits.defaults());

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start(16 * 1024 * 1024);
    try (InputStream in = LiveSourcePublishIT.class.getClassLoader()
        .getResourceAsStream(FashionSampleVideo.VIDEO_RESOURCE)) {
      sample = in.readAllBytes();
    }
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  @Test
  void reconnectsAfterADroppedConnectionAndNumbersTheSegmentsOn() throws Exception {
    String topic = "live-drop";
    try (FlakyVideoServer server = new FlakyVideoServer(sample,
        List.of(FlakyVideoServer.Behaviour.dropAfter(0.4), FlakyVideoServer.Behaviour.serveAll()))) {
      Run run = assertTimeoutPreemptively(DEADLINE, () ->
          publish(server.url(), topic, "cam-drop", options(Duration.ofSeconds(5), 1)));

      // two connections, the first cut; segments from both, numbered 0, 1, 2, ... without a gap
      assertThat(run.outcome.connections()).isEqualTo(2);
      assertThat(run.outcome.reconnects()).isEqualTo(1);
      assertThat(run.beforeLoss).isGreaterThan(0);
      // the second connection plays the whole 20-s sample: 10 more 2-s segments
      assertThat(run.published).isGreaterThanOrEqualTo(run.beforeLoss + 10);
      List<ConsumerRecord<String, byte[]>> records =
          TopicReads.read(kafka.bootstrapServers(), topic, new ByteArrayDeserializer(), "cam-drop", (int) run.published);
      assertThat(records).extracting(LiveSourcePublishIT::seq)
          .containsExactlyElementsOf(LongStream.range(0, run.published).boxed().toList());
      // the segments after the drop are whole videos the classifier can decode on their own
      for (ConsumerRecord<String, byte[]> r : records.subList((int) run.beforeLoss, records.size())) {
        DecodedVideo video = decoder.decode(r.value(), FrameSampler.all(), FrameSize.NATIVE);
        assertThat(video.framesDecoded()).isPositive();
      }
      // and their start times go on from where the first connection stopped
      assertThat(records).extracting(LiveSourcePublishIT::startMicros).isSorted();
    }
  }

  @Test
  void aServerThatStopsSendingTimesOutAndIsReconnected() throws Exception {
    String topic = "live-stall";
    try (FlakyVideoServer server = new FlakyVideoServer(sample,
        List.of(FlakyVideoServer.Behaviour.stallAfter(0.3), FlakyVideoServer.Behaviour.serveAll()))) {
      Run run = assertTimeoutPreemptively(DEADLINE, () ->
          publish(server.url(), topic, "cam-stall", options(Duration.ofSeconds(2), 1)));

      assertThat(run.outcome.connections()).isEqualTo(2);
      assertThat(run.lossReason).isNotNull();
      assertThat(run.published).isGreaterThanOrEqualTo(run.beforeLoss + 10);
      List<ConsumerRecord<String, byte[]>> records =
          TopicReads.read(kafka.bootstrapServers(), topic, new ByteArrayDeserializer(), "cam-stall", (int) run.published);
      assertThat(records).extracting(LiveSourcePublishIT::seq)
          .containsExactlyElementsOf(LongStream.range(0, run.published).boxed().toList());
    }
  }

  @Test
  void aServerThatNeverAnswersIsGivenUpOnWithTheReasonInsteadOfHanging() throws Exception {
    try (FlakyVideoServer server = new FlakyVideoServer(sample, List.of(FlakyVideoServer.Behaviour.neverAnswer()))) {
      Run run = assertTimeoutPreemptively(DEADLINE, () ->
          publish(server.url(), "live-silent", "cam-silent", options(Duration.ofSeconds(1), 2)));

      assertThat(run.outcome.connections()).isZero();
      assertThat(run.outcome.reconnects()).isEqualTo(2);
      assertThat(run.outcome.stopped()).isFalse();
      assertThat(run.outcome.lastError()).isNotBlank();
      // every attempt reached the server (FFmpeg may open a second socket within one attempt)
      assertThat(server.connections()).isGreaterThanOrEqualTo(3);
      assertThat(run.published).isZero();
    }
  }

  @Test
  void stopsCleanlyWhenAskedAndPublishesTheSegmentBeingCut() throws Exception {
    String topic = "live-stop";
    // the server sends 60 % and then stalls; the caller stops once the first segments are out
    try (FlakyVideoServer server = new FlakyVideoServer(sample, List.of(FlakyVideoServer.Behaviour.stallAfter(0.6)))) {
      List<Long> seen = new ArrayList<>();
      StreamSegmenter segmenter;
      SourceRunner.Outcome outcome;
      try (SegmentPublisher publisher = publisher(topic)) {
        segmenter = new StreamSegmenter(SegmentEncoding.h264(2), 0, s -> {
          publisher.publish("cam-stop", s);
          synchronized (seen) {
            seen.add(s.seq());
          }
        });
        StreamSegmenter session = segmenter;
        outcome = assertTimeoutPreemptively(DEADLINE, () -> SourceRunner.runUrl(server.url(),
            options(Duration.ofSeconds(30), -1), session, () -> {
              synchronized (seen) {
                return seen.size() >= 2;
              }
            }, new SourceRunner.Listener() {}));
      }

      assertThat(outcome.stopped()).isTrue();
      assertThat(outcome.reconnects()).isZero();
      assertThat(segmenter.published()).isGreaterThanOrEqualTo(2);
      List<ConsumerRecord<String, byte[]>> records = TopicReads.read(
          kafka.bootstrapServers(), topic, new ByteArrayDeserializer(), "cam-stop", (int) segmenter.published());
      assertThat(records).hasSize((int) segmenter.published());
    }
  }

  /** What one publishing run did. */
  private record Run(SourceRunner.Outcome outcome, long published, long beforeLoss, String lossReason) {}

  private Run publish(String url, String topic, String stream, SourceOptions options) throws Exception {
    long[] beforeLoss = {-1};
    String[] reason = {null};
    try (SegmentPublisher publisher = publisher(topic)) {
      StreamSegmenter segmenter =
          new StreamSegmenter(SegmentEncoding.h264(2), 0, s -> publisher.publish(stream, s));
      SourceRunner.Outcome outcome = SourceRunner.runUrl(url, options, segmenter, () -> false,
          new SourceRunner.Listener() {
            @Override
            public void lost(String why, Duration wait) {
              if (beforeLoss[0] < 0) {
                beforeLoss[0] = segmenter.published();
                reason[0] = why;
              }
            }
          });
      return new Run(outcome, segmenter.published(), beforeLoss[0], reason[0]);
    }
  }

  private static SourceOptions options(Duration timeout, int maxReconnects) {
    return new SourceOptions(timeout, Duration.ofMillis(500), maxReconnects, "tcp");
  }

  private static SegmentPublisher publisher(String topic) {
    Properties p = KafkaClients.common(kafka.bootstrapServers(), Map.of());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new SegmentPublisher(p, topic, 8 * 1024 * 1024);
  }

  private static long seq(ConsumerRecord<String, byte[]> r) {
    return Long.parseLong(new String(r.headers().lastHeader(RecordHeaders.SEGMENT_SEQ).value(), StandardCharsets.UTF_8));
  }

  private static long startMicros(ConsumerRecord<String, byte[]> r) {
    return Long.parseLong(new String(
        r.headers().lastHeader(SegmentPublisher.START_MICROS).value(), StandardCharsets.UTF_8));
  }
}
