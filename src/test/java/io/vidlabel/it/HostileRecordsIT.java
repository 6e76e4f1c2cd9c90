package io.vidlabel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.faults.Mutator;
import io.vidlabel.ingest.SampleVideo;
import io.vidlabel.ingest.Segment;
import io.vidlabel.ingest.SegmentCutter;
import io.vidlabel.ingest.SegmentPublisher;
import io.vidlabel.kafka.KafkaClients;
import io.vidlabel.service.ClassifierService;
import io.vidlabel.topology.ClassificationTopology;
import io.vidlabel.topology.DeadLetters;
import io.vidlabel.topology.Messages.SegmentLabel;
import io.vidlabel.topology.RecordHeaders;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Hostile records through the real service on a real broker: fuzzed media, an empty record, a
 * playlist and a record over the size limit each end up either classified or in {@code
 * video.dead-letters} with a {@code vidlabel.reason} header, never both, never neither, and every
 * dead letter is counted in {@code vidlabel_dead_letters_total}. And {@code publish}'s cutter keeps
 * every record it produces under the limit.
 */
@QuarkusTest
@QuarkusTestResource(value = HostileRecordsIT.OwnBroker.class, restrictToAnnotatedClass = true)
class HostileRecordsIT {

  /**
   * The same broker and model as {@link PipelineIT}'s, under its own class so that Quarkus starts
   * a separate application and broker: PipelineIT counts every record on its output topics.
   */
  public static class OwnBroker extends EmbeddedKafkaResource {}

  private static final int FUZZED = 40;
  private static final Path MEDIA = Path.of(System.getProperty("test.media.dir", "../shared/media"));
  private static final Pattern DEAD_LETTER_METRIC =
      Pattern.compile("(?m)^vidlabel_dead_letters_total\\{([^}]*)\\} ([0-9.E]+)$");

  @Inject VidlabelConfig config;
  @Inject ClassifierService service;

  @TestHTTPResource("/q/metrics")
  URI metrics;

  private String servers() {
    return config.kafka().bootstrapServers().orElseThrow();
  }

  private void ensureRunning() {
    if (!service.isRunning()) {
      service.start(servers());
    }
  }

  @Test
  void everyHostileRecordIsClassifiedOrDeadLetteredWithAReasonAndCounted() throws Exception {
    ensureRunning();
    Map<String, Double> before = deadLetterCounts();
    String stream = "fuzz-" + System.nanoTime();
    Mutator mutator = Mutator.ofDirectory(MEDIA, 77, config.kafka().maxRecordBytes());

    // given fuzzed corpus files, then an empty record, a playlist and one record over the limit
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < FUZZED; i++) {
      values.add(mutator.input(i).bytes());
    }
    values.add(new byte[0]);
    values.add("#EXTM3U\n#EXTINF:10.0,\nhttp://127.0.0.1:1/x.ts\n".getBytes(StandardCharsets.UTF_8));
    values.add(new byte[config.kafka().maxRecordBytes() + 1000]);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
        KafkaClients.producer(config, servers()), new StringSerializer(), new ByteArraySerializer())) {
      for (int seq = 0; seq < values.size(); seq++) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(config.topics().segments(), stream, values.get(seq));
        r.headers().add(RecordHeaders.SEGMENT_SEQ, Integer.toString(seq).getBytes(StandardCharsets.UTF_8));
        producer.send(r).get();
      }
    }

    // when the service has answered each of them
    Set<Long> classified = new HashSet<>();
    Map<Long, String> deadLettered = new TreeMap<>();
    Properties p = KafkaClients.common(servers(), config.kafka().client());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "hostile-" + System.nanoTime());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
    List<String> duplicates = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(config.topics().segmentLabels(), config.topics().deadLetters()));
      await().atMost(Duration.ofMinutes(5)).until(() -> {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (!stream.equals(r.key())) {
            continue;
          }
          if (r.topic().equals(config.topics().segmentLabels())) {
            SegmentLabel label = ClassificationTopology.SEGMENT_LABEL_SERDE.deserializer().deserialize(r.topic(), r.value());
            if (!classified.add(label.segment())) {
              duplicates.add("label " + label.segment());
            }
          } else {
            long seq = Long.parseLong(header(r, RecordHeaders.SEGMENT_SEQ));
            String reason = header(r, DeadLetters.REASON);
            if (deadLettered.put(seq, reason) != null) {
              duplicates.add("dead letter " + seq);
            }
          }
        }
        return classified.size() + deadLettered.size() >= values.size();
      });
    }

    // then each record is accounted for exactly once, every dead letter with a reason
    Set<Long> all = new HashSet<>(classified);
    all.addAll(deadLettered.keySet());
    assertThat(all).hasSize(values.size());
    assertThat(duplicates).isEmpty();
    assertThat(classified).doesNotContainAnyElementsOf(deadLettered.keySet());
    assertThat(deadLettered.values()).doesNotContainNull().allSatisfy(r -> assertThat(r).isNotBlank());
    assertThat(deadLettered).containsEntry((long) FUZZED, "EMPTY_INPUT")
        .containsEntry((long) FUZZED + 1, "FORMAT_NOT_ALLOWED")
        .containsEntry((long) FUZZED + 2, DeadLetters.RECORD_TOO_LARGE);
    // and the fuzzed inputs were not all rejected: damaged media still gets classified
    assertThat(classified).isNotEmpty();

    // and the metric counts each dead letter under its reason
    Map<String, Integer> byReason = new HashMap<>();
    deadLettered.values().forEach(r -> byReason.merge(r, 1, Integer::sum));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Map<String, Double> after = deadLetterCounts();
      for (var e : byReason.entrySet()) {
        assertThat(after.getOrDefault(e.getKey(), 0.0) - before.getOrDefault(e.getKey(), 0.0))
            .as("vidlabel_dead_letters_total{reason=%s}", e.getKey())
            .isEqualTo(e.getValue().doubleValue());
      }
    });
  }

  @Test
  void publishKeepsEveryRecordUnderTheLimitByShorteningSegments() throws Exception {
    ensureRunning();
    Path video = Files.createTempFile("hostile-publish", ".ts");
    SampleVideo.write(video, 1.0);
    int limit = 40_000;
    String stream = "publish-" + System.nanoTime();

    List<Segment> sent = new ArrayList<>();
    try (SegmentPublisher publisher = new SegmentPublisher(
        KafkaClients.producer(config, servers()), config.topics().segments(), limit)) {
      new SegmentCutter(new SegmentCutter.Options(2.0, 0, 0), limit).cut(video, s -> {
        publisher.publish(stream, s);
        sent.add(s);
      });
    } finally {
      Files.deleteIfExists(video);
    }

    List<ConsumerRecord<String, byte[]>> onTopic = TopicReads.read(
        servers(), config.topics().segments(), new ByteArrayDeserializer(), stream, sent.size());
    assertThat(onTopic).hasSize(sent.size()).hasSizeGreaterThan(3);
    assertThat(onTopic).allSatisfy(r -> assertThat(r.value().length).isLessThanOrEqualTo(limit));
    assertThat(sent.stream().mapToInt(Segment::frames).sum()).isEqualTo(150);
    List<ConsumerRecord<String, SegmentLabel>> labels = TopicReads.read(servers(), config.topics().segmentLabels(),
        ClassificationTopology.SEGMENT_LABEL_SERDE.deserializer(), stream, sent.size());
    assertThat(labels).hasSize(sent.size());
    assertThat(labels.stream().mapToInt(r -> r.value().framesDecoded()).sum()).isEqualTo(150);
  }

  private Map<String, Double> deadLetterCounts() throws Exception {
    HttpResponse<String> scrape = HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString());
    Map<String, Double> out = new HashMap<>();
    Matcher m = DEAD_LETTER_METRIC.matcher(scrape.body());
    while (m.find()) {
      if (!m.group(1).contains("source=\"segment\"")) {
        continue;
      }
      Matcher reason = Pattern.compile("reason=\"([^\"]+)\"").matcher(m.group(1));
      if (reason.find()) {
        out.merge(reason.group(1), Double.parseDouble(m.group(2)), Double::sum);
      }
    }
    return out;
  }

  private static String header(ConsumerRecord<String, byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
