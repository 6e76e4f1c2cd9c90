package io.vidlabel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.feedback.Feedback;
import io.vidlabel.feedback.FeedbackSender;
import io.vidlabel.finetune.FineTuneJob;
import io.vidlabel.finetune.ShiftedVideo.Look;
import io.vidlabel.kafka.KafkaClients;
import io.vidlabel.lifecycle.ModelFollower;
import io.vidlabel.lifecycle.ModelUpdate;
import io.vidlabel.lifecycle.ModelUpdates;
import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.model.ModelStore;
import io.vidlabel.service.ClassifierService;
import io.vidlabel.service.RunningClassifier;
import io.vidlabel.testing.FashionImages;
import io.vidlabel.testing.TestVideos;
import io.vidlabel.topology.ClassificationTopology;
import io.vidlabel.topology.DeadLetters;
import io.vidlabel.topology.Messages.FrameClassification;
import io.vidlabel.topology.RecordHeaders;
import io.vidlabel.util.Directories;
import jakarta.inject.Inject;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Continuous fine-tuning against a real Kafka broker: feedback in, a better version promoted and
 * hot-swapped while a stream is being classified (every frame exactly once, by exactly one
 * version, read with read_committed), a worse candidate kept out, a corrupt version rejected while
 * serving continues, and a roll back through the admin REST API. The steps build on each other.
 */
@QuarkusTest
@QuarkusTestResource(value = FineTuneKafkaResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FineTuneIT {

  private static final String MODEL = "fashion-resnet";
  private static final int FRAMES_PER_SEGMENT = 4;
  private static final int FEEDBACK_IMAGES = 300;

  @Inject VidlabelConfig config;
  @Inject MeterRegistry registry;
  @Inject ClassifierService service;

  @TestHTTPResource("/api/models")
  URI models;

  @TestHTTPResource("/api/feedback")
  URI feedback;

  @Test
  @Order(1)
  void promotesABetterVersionAndSwapsItInMidStreamClassifyingEveryFrameOnce() throws Exception {
    service.start(servers());
    assertThat(status().version()).isEqualTo("1");

    // given a camera stream that keeps sending segments throughout
    SegmentStream camera = new SegmentStream("cam-1");
    camera.start();
    await().atMost(Duration.ofMinutes(1)).until(() -> camera.sent() >= 3);

    // and labelled feedback in the look the model handles poorly, plus three records that are not
    try (FeedbackSender sender = new FeedbackSender(KafkaClients.producer(config, servers()), config.topics().feedback())) {
      for (int i = 0; i < FEEDBACK_IMAGES; i++) {
        sender.send(new Feedback(FashionImages.label(i), FashionImages.png(i, Look.LOW_CONTRAST), "cam-1", "it"));
      }
      sender.send(new Feedback("Raincoat", FashionImages.png(FEEDBACK_IMAGES, Look.NONE), "cam-1", "it"));
      sender.send(new Feedback("Coat", "not an image".getBytes(StandardCharsets.UTF_8), "cam-1", "it"));
    }
    sendRaw(config.topics().feedback(), "{\"label\": \"Coat\"}".getBytes(StandardCharsets.UTF_8));

    // and one more through the REST API, which refuses an unknown label at once
    String image = Base64.getEncoder().encodeToString(FashionImages.png(FEEDBACK_IMAGES + 1, Look.LOW_CONTRAST));
    HttpResponse<String> unknown = postJson(feedback, "{\"label\":\"Raincoat\",\"image\":\"" + image + "\"}");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("unknown label").contains("Ankle boot");
    HttpResponse<String> accepted = postJson(feedback,
        "{\"label\":\"" + FashionImages.label(FEEDBACK_IMAGES + 1) + "\",\"image\":\"" + image + "\",\"stream\":\"cam-1\"}");
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

    // when a fine-tuning round runs
    FineTuneJob.Outcome outcome = new FineTuneJob(FineTuneJob.settings(config), client(), registry).runOnce(System.err);

    // then a better version 2 is promoted, and the classifier swaps to it while the stream runs
    assertThat(outcome.collected().accepted()).isEqualTo(FEEDBACK_IMAGES + 1);
    assertThat(outcome.collected().rejected())
        .containsEntry("UNKNOWN_LABEL", 1).containsEntry("IMAGE_UNREADABLE", 1).containsEntry("MALFORMED_FEEDBACK", 1);
    assertThat(outcome.promotedVersion()).as(outcome.decision()).isEqualTo("2");
    assertThat(outcome.result().candidateHoldoutAccuracy())
        .isGreaterThan(outcome.result().parentHoldoutAccuracy() + 0.2);
    await().atMost(Duration.ofMinutes(1)).until(() -> status().version().equals("2"));
    int swappedAt = camera.sent();
    await().atMost(Duration.ofMinutes(1)).until(() -> camera.sent() >= swappedAt + 3);
    int segments = camera.stop();

    // and every frame of every segment was classified exactly once, by exactly one version, v1 then v2
    List<FrameClassification> seen = consume(segments * FRAMES_PER_SEGMENT, "cam-1");
    assertThat(seen).hasSize(segments * FRAMES_PER_SEGMENT);
    Set<String> frames = new HashSet<>();
    seen.forEach(c -> frames.add(c.segment() + "/" + c.frame()));
    assertThat(frames).hasSize(segments * FRAMES_PER_SEGMENT);
    List<String> versions = seen.stream().map(FrameClassification::modelVersion).toList();
    assertThat(versions).containsOnly("1", "2").contains("1", "2");
    assertThat(versions.indexOf("2")).isEqualTo(versions.size() - (int) versions.stream().filter("2"::equals).count());

    // and the new version's model.json records its lineage
    ModelDescriptor promoted = ModelDescriptor.read(store().directory(MODEL, "2"));
    assertThat(promoted.parent()).isEqualTo("1");
    assertThat(promoted.metrics()).containsKeys("holdoutTop1", "parentHoldoutTop1", "referenceTop1");
    assertThat(promoted.metrics().get("baselineReferenceTop1"))
        .as("version 1 is the lineage's first: its reference top-1 is the baseline every descendant is held to")
        .isEqualTo(promoted.metrics().get("parentReferenceTop1"));
    assertThat(promoted.training()).containsEntry("feedbackTrainImages", outcome.trainImages());

    // and version 1's cached prefix outputs stay: version 2 kept version 1's prefix, so rounds from it read them
    assertThat(cachedVersions()).containsExactly("1");

    // and the rejected feedback is on the dead-letter topic with its reason and origin
    List<ConsumerRecord<String, byte[]>> dead = consumeRaw(config.topics().deadLetters(), 3);
    assertThat(dead).extracting(r -> header(r, DeadLetters.REASON))
        .containsExactlyInAnyOrder("UNKNOWN_LABEL", "IMAGE_UNREADABLE", "MALFORMED_FEEDBACK");
    assertThat(dead).extracting(r -> header(r, DeadLetters.SOURCE_TOPIC)).containsOnly(config.topics().feedback());

    // and the metrics count the round, the feedback and the swap
    assertThat(registry.get("vidlabel.finetune.rounds").tag("result", "promoted").counter().count()).isEqualTo(1);
    assertThat(registry.get("vidlabel.finetune.feedback").tag("outcome", "rejected").counter().count()).isEqualTo(3);
    assertThat(registry.get("vidlabel.dead.letters").tag("source", "feedback").tag("reason", "UNKNOWN_LABEL")
        .counter().count()).isEqualTo(1);
    assertThat(registry.get("vidlabel.model.updates").tag("result", "applied").counter().count()).isEqualTo(1);
  }

  @Test
  @Order(2)
  void rebuildsTheDatasetAndKeepsAWorseCandidateOut() throws Exception {
    FineTuneJob.Settings configured = FineTuneJob.settings(config);
    FineTuneJob.Settings strict = configured.withTraining(configured.training(), 1.0);

    FineTuneJob.Outcome outcome = new FineTuneJob(strict, client()).runOnce(System.err, true);

    // (the dataset was rebuilt from the topic: the same images again, rejects not dead-lettered twice)
    assertThat(outcome.collected().accepted()).isEqualTo(FEEDBACK_IMAGES + 1);
    assertThat(outcome.collected().rejectedTotal()).isEqualTo(3);
    assertThat(consumeRaw(config.topics().deadLetters(), 3)).hasSize(3);
    assertThat(outcome.parentVersion()).isEqualTo("2");
    assertThat(outcome.promotedVersion()).isNull();
    assertThat(outcome.decision()).startsWith("not promoted: holdout top-1");
    assertThat(store().versions(MODEL)).containsExactly("1", "2");
    assertThat(status().version()).isEqualTo("2");
    assertThat(outcome.result().featuresComputed())
        .as("version 2's round read version 1's prefix outputs: the same images, the same frozen prefix").isZero();
    assertThat(cachedVersions()).as("kept for the next round on version 2").containsExactly("1");
  }

  @Test
  @Order(3)
  void rejectsACorruptVersionAndKeepsServing() throws Exception {
    // given version 3: a copy of 2 with one weight byte changed, and model.json still claiming 2's checksum
    Path corrupt = store().directory(MODEL, "3");
    Directories.copy(store().directory(MODEL, "2"), corrupt);
    try (Stream<Path> files = Files.list(corrupt.resolve("variables"))) {
      Path data = files.filter(p -> p.getFileName().toString().startsWith("variables.data")).findFirst().orElseThrow();
      try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
        f.seek(f.length() / 2);
        int b = f.read();
        f.seek(f.length() / 2);
        f.write(b ^ 0xFF);
      }
    }
    String claimed = ModelDescriptor.read(corrupt).checksum();

    // when it is published as the new version
    ModelUpdates.publish(client(), config.topics().modelUpdates(),
        new ModelUpdate(MODEL, "3", claimed, ModelUpdate.PROMOTE, "2", "test: corrupt", null, System.currentTimeMillis()));

    // then the classifier rejects it with the reason and still serves version 2
    await().atMost(Duration.ofMinutes(1)).until(() -> status().events().stream()
        .anyMatch(e -> "3".equals(e.version()) && e.outcome().equals("REJECTED")));
    ModelFollower.Event rejected = status().events().stream().filter(e -> "3".equals(e.version())).findFirst().orElseThrow();
    assertThat(rejected.reason()).contains("checksum mismatch");
    assertThat(registry.get("vidlabel.model.updates").tag("result", "rejected").counter().count()).isEqualTo(1);
    assertThat(status().version()).isEqualTo("2");

    // and frames keep being classified, by version 2
    SegmentStream camera = new SegmentStream("cam-2");
    camera.start();
    await().atMost(Duration.ofMinutes(1)).until(() -> camera.sent() >= 1);
    camera.stop();
    List<FrameClassification> seen = consume(FRAMES_PER_SEGMENT, "cam-2");
    assertThat(seen).extracting(FrameClassification::modelVersion).containsOnly("2");
  }

  @Test
  @Order(4)
  void rollsBackToTheParentThroughTheAdminApi() throws Exception {
    URI rollback = URI.create(models + "/" + MODEL + "/rollback");
    HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> anonymous = http.send(
        HttpRequest.newBuilder(rollback).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);

    HttpResponse<String> admin = adminPost(rollback);
    assertThat(admin.statusCode()).as(admin.body()).isEqualTo(202);
    await().atMost(Duration.ofMinutes(1)).until(() -> status().version().equals("1"));

    HttpResponse<String> listing = http.send(HttpRequest.newBuilder(models).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(listing.statusCode()).isEqualTo(200);
    assertThat(listing.body()).contains("\"version\":\"1\"").contains("\"parent\":\"1\"").contains("ROLLBACK");
  }

  @Test
  @Order(5)
  void doesNotPublishACandidateWhenTheServedVersionChangesWhileItTrains() throws Exception {
    // given version 1 served again (the roll back above), and an operator who promotes version 2
    // through the admin API while a round is training on version 1
    assertThat(status().version()).isEqualTo("1");
    AtomicInteger promoteStatus = new AtomicInteger();
    PrintStream progress = new PrintStream(new LineWatcher(line -> {
      if (line.startsWith("finetune: epoch 1/") && promoteStatus.get() == 0) {
        promoteStatus.set(adminPost(URI.create(models + "/" + MODEL + "/versions/2/promote")).statusCode());
      }
    }), true, StandardCharsets.UTF_8);

    // when the round ends with a candidate that passes the gate against version 1
    FineTuneJob.Outcome outcome = new FineTuneJob(FineTuneJob.settings(config), client(), registry).runOnce(progress);

    // then it is not published over the operator's choice, and the reason says why
    assertThat(promoteStatus.get()).isEqualTo(202);
    assertThat(outcome.parentVersion()).isEqualTo("1");
    assertThat(outcome.result().candidateHoldoutAccuracy())
        .isGreaterThan(outcome.result().parentHoldoutAccuracy() + config.finetune().promotionMargin());
    assertThat(outcome.verdict()).isEqualTo(FineTuneJob.Verdict.SUPERSEDED);
    assertThat(outcome.promotedVersion()).isNull();
    assertThat(outcome.decision()).contains("served version changed from 1 to 2");
    assertThat(store().versions(MODEL)).as("no version beside the corrupt 3 from above").containsExactly("1", "2", "3");
    assertThat(ModelUpdates.latest(client(), config.topics().modelUpdates(), MODEL).orElseThrow().version()).isEqualTo("2");
    await().atMost(Duration.ofMinutes(1)).until(() -> status().version().equals("2"));
    assertThat(registry.get("vidlabel.finetune.rounds").tag("result", "superseded").counter().count()).isEqualTo(1);
    assertThat(cachedVersions()).as("version 1's outputs: also version 2's").containsExactly("1");
  }

  @Test
  @Order(6)
  void aRoundThatFailsEndsWithItsReasonAndIsCounted() {
    // given a job whose model store does not hold the served version (an unmounted volume)
    Path emptyStore = Path.of(config.finetune().dataset()).resolveSibling("empty-store");
    FineTuneJob.Settings configured = FineTuneJob.settings(config);
    FineTuneJob.Settings broken = configured.withDirectories(
        new ModelStore(emptyStore), configured.places().datasetDir(), configured.places().cacheDir());

    // when a round runs
    FineTuneJob.Outcome outcome = new FineTuneJob(broken, client(), registry).runOnce(System.err);

    // then it does not throw: it fails with the reason, is counted, and serving goes on
    assertThat(outcome.verdict()).isEqualTo(FineTuneJob.Verdict.FAILED);
    assertThat(outcome.decision()).startsWith("round failed: ").contains(emptyStore.toString());
    assertThat(registry.get("vidlabel.finetune.rounds").tag("result", "failed").counter().count()).isEqualTo(1);
    assertThat(status().version()).isEqualTo("2");
  }

  /** Passes each complete line written to it to a listener, and on to standard error. */
  private static final class LineWatcher extends OutputStream {
    private final Consumer<String> listener;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    LineWatcher(Consumer<String> listener) {
      this.listener = listener;
    }

    @Override
    public void write(int b) {
      System.err.write(b);
      if (b == '\n') {
        listener.accept(line.toString(StandardCharsets.UTF_8));
        line.reset();
      } else {
        line.write(b);
      }
    }
  }

  /** POST with the admin token and no body. */
  private static HttpResponse<String> adminPost(URI uri) {
    try {
      return HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(uri)
              .header("Authorization", "Bearer " + FineTuneKafkaResource.ADMIN_TOKEN)
              .POST(HttpRequest.BodyPublishers.noBody())
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Segments of real H.264 video for one stream, sent every 300 ms until stopped. */
  private final class SegmentStream {
    private final String stream;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger sent = new AtomicInteger();
    private Thread thread;

    SegmentStream(String stream) {
      this.stream = stream;
    }

    void start() throws Exception {
      byte[] segment = TestVideos.solidColours("mpegts", 64, 64, 10, FRAMES_PER_SEGMENT, Color.GRAY);
      KafkaProducer<String, byte[]> producer =
          new KafkaProducer<>(KafkaClients.producer(config, servers()), new StringSerializer(), new ByteArraySerializer());
      thread = new Thread(() -> {
        try (producer) {
          while (running.get()) {
            ProducerRecord<String, byte[]> r = new ProducerRecord<>(config.topics().segments(), stream, segment);
            r.headers().add(RecordHeaders.SEGMENT_SEQ, Integer.toString(sent.get()).getBytes(StandardCharsets.UTF_8));
            producer.send(r).get();
            sent.incrementAndGet();
            Thread.sleep(300);
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, "segments-" + stream);
      thread.start();
    }

    int sent() {
      return sent.get();
    }

    int stop() throws InterruptedException {
      running.set(false);
      thread.join();
      return sent.get();
    }
  }

  private static HttpResponse<String> postJson(URI uri, String json) throws Exception {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private ModelFollower.Status status() {
    return service.follower().orElseThrow().status();
  }

  private ModelStore store() {
    return RunningClassifier.modelStore(config);
  }

  /** Versions with prefix outputs in the feature cache. */
  private List<String> cachedVersions() throws Exception {
    Path dir = Path.of(config.finetune().cache()).resolve(MODEL);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> versions = Files.list(dir)) {
      return versions.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private String servers() {
    return config.kafka().bootstrapServers().orElseThrow();
  }

  private Properties client() {
    return KafkaClients.common(servers(), Map.of());
  }

  private void sendRaw(String topic, byte[] value) throws Exception {
    try (KafkaProducer<String, byte[]> p =
        new KafkaProducer<>(KafkaClients.producer(config, servers()), new StringSerializer(), new ByteArraySerializer())) {
      p.send(new ProducerRecord<>(topic, "cam-1", value)).get();
    }
  }

  /** Classifications of one stream in topic order (one stream lives in one partition). */
  private List<FrameClassification> consume(int expected, String stream) {
    return TopicReads.read(servers(), config.topics().classifications(),
            ClassificationTopology.CLASSIFICATION_SERDE.deserializer(), stream, expected)
        .stream().map(ConsumerRecord::value).toList();
  }

  private List<ConsumerRecord<String, byte[]>> consumeRaw(String topic, int expected) {
    return TopicReads.read(servers(), topic, new ByteArrayDeserializer(), null, expected);
  }

  private static String header(ConsumerRecord<String, byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

}
