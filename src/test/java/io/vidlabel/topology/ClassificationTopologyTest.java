package io.vidlabel.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vidlabel.decode.DecodeLimits;
import io.vidlabel.decode.FrameSampler;
import io.vidlabel.model.ColourModelBuilder;
import io.vidlabel.pipeline.Pipeline;
import io.vidlabel.pipeline.PipelineMetrics;
import io.vidlabel.testing.TestVideos;
import io.vidlabel.topology.Messages.FrameClassification;
import io.vidlabel.topology.Messages.LatestLabel;
import io.vidlabel.topology.Messages.RecentClassifications;
import io.vidlabel.topology.Messages.ReviewRequest;
import io.vidlabel.topology.Messages.SegmentLabel;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import javax.imageio.ImageIO;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The production topology on TopologyTestDriver, with the real decoder and a real TF model. */
class ClassificationTopologyTest {

  private static final TopicNames TOPICS = TopicNames.defaults();
  private static final int MAX_RECORD_BYTES = 2 * 1024 * 1024;
  private static final double REVIEW_THRESHOLD = 0.8;
  private static final int THUMBNAIL_SIZE = 16; // the model's input is 32x32, so it is scaled down
  private static final int RECENT_PER_STREAM = 5;

  @TempDir static Path models;
  private static Pipeline pipeline;

  private Path state;
  private SimpleMeterRegistry registry;
  private PipelineMetrics metrics;
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> segments;
  private TestInputTopic<String, byte[]> frames;
  private TestOutputTopic<String, FrameClassification> classifications;
  private TestOutputTopic<String, SegmentLabel> segmentLabels;
  private TestOutputTopic<String, byte[]> deadLetters;
  private TestOutputTopic<String, ReviewRequest> reviewRequests;

  @BeforeAll
  static void loadModel() {
    Path dir = ColourModelBuilder.build(models, "colour", "1", 32);
    pipeline =
        Pipeline.open(
            dir,
            DecodeLimits.defaults(),
            FrameSampler.all(),
            new Pipeline.Batching(8, Duration.ofMillis(2), 64));
  }

  @AfterAll
  static void closeModel() {
    pipeline.close();
  }

  @BeforeEach
  void startDriver(@TempDir Path state) {
    this.state = state;
    startDriver(CrashGuard.disabled());
  }

  private void startDriver(CrashGuard crashGuard) {
    registry = new SimpleMeterRegistry();
    metrics = new PipelineMetrics(registry);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, state.resolve("streams").toString());
    driver =
        new TopologyTestDriver(
            ClassificationTopology.build(
                new ClassificationTopology.Settings(
                    TOPICS, MAX_RECORD_BYTES, 3, REVIEW_THRESHOLD, 1, THUMBNAIL_SIZE, RECENT_PER_STREAM),
                pipeline.classifier(),
                metrics,
                crashGuard),
            props);
    segments = driver.createInputTopic(TOPICS.segments(), new StringSerializer(), new ByteArraySerializer());
    frames = driver.createInputTopic(TOPICS.frames(), new StringSerializer(), new ByteArraySerializer());
    classifications =
        driver.createOutputTopic(
            TOPICS.classifications(),
            new StringDeserializer(),
            ClassificationTopology.CLASSIFICATION_SERDE.deserializer());
    segmentLabels =
        driver.createOutputTopic(
            TOPICS.segmentLabels(),
            new StringDeserializer(),
            ClassificationTopology.SEGMENT_LABEL_SERDE.deserializer());
    deadLetters =
        driver.createOutputTopic(TOPICS.deadLetters(), new StringDeserializer(), new ByteArrayDeserializer());
    reviewRequests =
        driver.createOutputTopic(
            TOPICS.reviewRequests(),
            new StringDeserializer(),
            ClassificationTopology.REVIEW_REQUEST_SERDE.deserializer());
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void classifiesEveryFrameOfASegmentAndLabelsTheSegment() {
    // given a segment of 4 red frames followed by 4 blue frames
    byte[] video = TestVideos.solidColours("mpegts", 64, 48, 10, 4, Color.RED, Color.BLUE);

    // when
    segments.pipeInput("cam-1", video);

    // then one classification per frame, in presentation order, with the frame's colour
    assertThat(classifications.readValuesToList())
        .extracting(FrameClassification::stream, FrameClassification::frame, c -> c.labels().get(0).name())
        .containsExactly(
            tuple("cam-1", 0, "red"), tuple("cam-1", 1, "red"), tuple("cam-1", 2, "red"), tuple("cam-1", 3, "red"),
            tuple("cam-1", 4, "blue"), tuple("cam-1", 5, "blue"), tuple("cam-1", 6, "blue"), tuple("cam-1", 7, "blue"));
    SegmentLabel label = segmentLabels.readValue();
    assertThat(label.framesDecoded()).isEqualTo(8);
    assertThat(label.framesClassified()).isEqualTo(8);
    assertThat(label.label()).isIn("red", "blue");
    assertThat(label.model()).isEqualTo("colour");
    assertThat(label.modelVersion()).isEqualTo("1");
  }

  @Test
  void segmentLabelIsTheColourThatDominatesTheSegment() {
    byte[] video = TestVideos.solidColours("mpegts", 64, 48, 10, 3, Color.GREEN, Color.GREEN, Color.YELLOW);

    segments.pipeInput("cam-1", video);

    assertThat(segmentLabels.readValue().label()).isEqualTo("green");
  }

  @Test
  void usesTheSegmentSequenceHeaderWhenPresent() {
    Headers headers = new RecordHeaders();
    headers.add(io.vidlabel.topology.RecordHeaders.SEGMENT_SEQ, "41".getBytes(StandardCharsets.UTF_8));
    byte[] video = TestVideos.solidColours("mpegts", 64, 48, 10, 2, Color.RED);

    segments.pipeInput(new TestRecord<>("cam-1", video, headers));

    assertThat(classifications.readValuesToList()).extracting(FrameClassification::segment).containsOnly(41L);
  }

  @Test
  void corruptSegmentGoesToDeadLettersWithReasonAndLaterSegmentsAreStillClassified() {
    byte[] garbage = "this is not a video, just text pretending to be one".getBytes(StandardCharsets.UTF_8);
    byte[] video = TestVideos.solidColours("mpegts", 64, 48, 10, 2, Color.RED);

    segments.pipeInput("cam-1", garbage);
    segments.pipeInput("cam-1", video);

    TestRecord<String, byte[]> dead = deadLetters.readRecord();
    assertThat(dead.key()).isEqualTo("cam-1");
    assertThat(dead.value()).isEqualTo(garbage);
    assertThat(header(dead, DeadLetters.REASON)).isNotBlank();
    assertThat(header(dead, DeadLetters.ERROR)).isNotBlank();
    assertThat(header(dead, DeadLetters.SOURCE_TOPIC)).isEqualTo(TOPICS.segments());
    assertThat(header(dead, DeadLetters.SOURCE_OFFSET)).isEqualTo("0");
    assertThat(classifications.readValuesToList())
        .extracting(c -> c.labels().get(0).name())
        .containsExactly("red", "red");
    assertThat(metrics.deadLetters(header(dead, DeadLetters.REASON))).isEqualTo(1.0);
  }

  @Test
  void recordInFlightAtRepeatedAbruptEndsIsDeadLetteredAndTheNextIsClassified() {
    // given a guard whose directory says the record at segments-0@0 was being processed when the
    // classifier died three times (what CrashGuard.begin leaves behind in a killed process)
    Path guardDir = state.resolve("guard");
    for (int death = 0; death < 3; death++) {
      CrashGuard.open(guardDir, 3).begin(TOPICS.segments(), 0, 0); // never closed: the process "died"
    }
    driver.close();
    CrashGuard guard = CrashGuard.open(guardDir, 3);
    startDriver(guard);
    byte[] poison = TestVideos.solidColours("mpegts", 64, 48, 10, 2, Color.BLUE);
    byte[] next = TestVideos.solidColours("mpegts", 64, 48, 10, 2, Color.RED);

    // when that record and the next one arrive again
    segments.pipeInput("cam-1", poison);
    segments.pipeInput("cam-1", next);

    // then the first goes, unchanged, to the dead letters with its reason, without being decoded,
    // and the second is classified as usual
    TestRecord<String, byte[]> dead = deadLetters.readRecord();
    assertThat(dead.value()).isEqualTo(poison);
    assertThat(header(dead, DeadLetters.REASON)).isEqualTo(DeadLetters.CRASHED_CLASSIFIER);
    assertThat(header(dead, DeadLetters.ERROR)).contains("3 times");
    assertThat(deadLetters.isEmpty()).isTrue();
    assertThat(classifications.readValuesToList())
        .extracting(c -> c.labels().get(0).name())
        .containsExactly("red", "red");
    assertThat(metrics.deadLetters(DeadLetters.CRASHED_CLASSIFIER)).isEqualTo(1.0);
    guard.close();
  }

  @Test
  void recordWithoutStreamIdIsDeadLettered() {
    segments.pipeInput((String) null, TestVideos.solidColours("mpegts", 64, 48, 10, 1, Color.RED));

    assertThat(header(deadLetters.readRecord(), DeadLetters.REASON)).isEqualTo(DeadLetters.MISSING_STREAM_ID);
    assertThat(classifications.isEmpty()).isTrue();
  }

  @Test
  void oversizedRecordIsDeadLetteredBeforeDecoding() {
    byte[] huge = new byte[MAX_RECORD_BYTES + 1];

    segments.pipeInput("cam-1", huge);

    TestRecord<String, byte[]> dead = deadLetters.readRecord();
    assertThat(header(dead, DeadLetters.REASON)).isEqualTo(DeadLetters.RECORD_TOO_LARGE);
    assertThat(dead.value()).hasSize(MAX_RECORD_BYTES + 1);
  }

  @Test
  void emptyRecordIsDeadLettered() {
    segments.pipeInput("cam-1", new byte[0]);

    assertThat(header(deadLetters.readRecord(), DeadLetters.REASON)).isEqualTo(DeadLetters.EMPTY_INPUT);
  }

  @Test
  void classifiesSingleJpegAndPngFramesAndKeepsTheLatestLabelPerStream() {
    frames.pipeInput("door", TestVideos.jpeg(80, 60, Color.MAGENTA));
    frames.pipeInput("yard", TestVideos.png(80, 60, Color.CYAN));

    assertThat(classifications.readValuesToList())
        .extracting(FrameClassification::stream, c -> c.labels().get(0).name())
        .containsExactly(tuple("door", "magenta"), tuple("yard", "cyan"));
    assertThat(segmentLabels.isEmpty()).isTrue();
    KeyValueStore<String, LatestLabel> store = driver.getKeyValueStore(ClassificationTopology.LATEST_LABELS_STORE);
    assertThat(store.get("door").label()).isEqualTo("magenta");
    assertThat(store.get("yard").label()).isEqualTo("cyan");
  }

  @Test
  void recentClassificationsStoreKeepsTheLastFramesOfEachStreamAsForwarded() {
    // given two 4-frame segments of cam-1 (red, then blue), a corrupt record, and one image of cam-2
    segments.pipeInput("cam-1", TestVideos.solidColours("mpegts", 64, 48, 10, 4, Color.RED));
    segments.pipeInput("cam-1", TestVideos.solidColours("mpegts", 64, 48, 10, 4, Color.BLUE));
    segments.pipeInput("cam-1", "not a video".getBytes(StandardCharsets.UTF_8));
    frames.pipeInput("cam-2", TestVideos.png(80, 60, Color.CYAN));

    // then the store holds each stream's last frames (at most 5), oldest first, exactly as
    // forwarded to video.classifications; the dead-lettered record left no trace
    List<FrameClassification> forwarded = classifications.readValuesToList();
    KeyValueStore<String, RecentClassifications> store =
        driver.getKeyValueStore(ClassificationTopology.RECENT_CLASSIFICATIONS_STORE);
    List<FrameClassification> cam1 = forwarded.stream().filter(c -> c.stream().equals("cam-1")).toList();
    assertThat(cam1).hasSize(8);
    assertThat(store.get("cam-1").frames()).containsExactlyElementsOf(cam1.subList(3, 8));
    assertThat(store.get("cam-1").frames())
        .extracting(FrameClassification::segment, FrameClassification::frame, c -> c.labels().get(0).name())
        .containsExactly(
            tuple(0L, 3, "red"), tuple(1L, 0, "blue"), tuple(1L, 1, "blue"), tuple(1L, 2, "blue"),
            tuple(1L, 3, "blue"));
    assertThat(store.get("cam-2").frames())
        .extracting(FrameClassification::stream, c -> c.labels().get(0).name())
        .containsExactly(tuple("cam-2", "cyan"));
    assertThat(store.get("cam-3")).isNull();
  }

  @Test
  void reportsTopKLabelsWithScoresBestFirst() {
    frames.pipeInput("door", TestVideos.jpeg(80, 60, Color.RED));

    FrameClassification c = classifications.readValue();
    assertThat(c.labels()).hasSize(3);
    assertThat(c.labels().get(0).score()).isGreaterThan(c.labels().get(1).score());
    assertThat(c.labels().get(1).score()).isGreaterThanOrEqualTo(c.labels().get(2).score());
  }

  @Test
  void confidentSegmentAsksForNoReview() {
    segments.pipeInput("cam-1", TestVideos.solidColours("mpegts", 64, 48, 10, 4, Color.RED));

    assertThat(classifications.readValuesToList()).hasSize(4);
    assertThat(reviewRequests.isEmpty()).isTrue();
  }

  @Test
  void unsureSegmentSendsItsLeastConfidentFrameForReviewAsTheModelSawIt() throws Exception {
    // given a segment of 3 red frames then 3 grey ones: grey is equally far from every colour
    Headers headers = new RecordHeaders();
    headers.add(io.vidlabel.topology.RecordHeaders.SEGMENT_SEQ, "7".getBytes(StandardCharsets.UTF_8));
    byte[] video = TestVideos.solidColours("mpegts", 64, 48, 10, 3, Color.RED, Color.GRAY);

    // when
    segments.pipeInput(new TestRecord<>("cam-1", video, headers));

    // then exactly one review request (one per segment), for the least confident grey frame
    List<FrameClassification> frames = classifications.readValuesToList();
    FrameClassification leastSure =
        frames.stream().min(Comparator.comparingDouble(c -> c.labels().get(0).score())).orElseThrow();
    assertThat(leastSure.labels().get(0).score()).isLessThan((float) REVIEW_THRESHOLD);
    List<TestRecord<String, ReviewRequest>> requests = reviewRequests.readRecordsToList();
    assertThat(requests).hasSize(1);
    assertThat(requests.get(0).key()).isEqualTo("cam-1");
    ReviewRequest request = requests.get(0).value();
    assertThat(request.stream()).isEqualTo("cam-1");
    assertThat(request.segment()).isEqualTo(7);
    assertThat(request.frame()).isEqualTo(leastSure.frame()).isGreaterThanOrEqualTo(3);
    assertThat(request.ptsMicros()).isEqualTo(leastSure.ptsMicros());
    assertThat(request.labels()).isEqualTo(leastSure.labels());
    assertThat(request.model()).isEqualTo("colour");
    assertThat(request.modelVersion()).isEqualTo("1");
    // the image is a PNG at the model's input size, grey
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(request.image())));
    assertThat(image.getWidth()).isEqualTo(32);
    assertThat(image.getHeight()).isEqualTo(32);
    Color centre = new Color(image.getRGB(16, 16));
    assertThat(centre.getRed()).isBetween(100, 156);
    assertThat(centre.getGreen()).isBetween(100, 156);
    assertThat(centre.getBlue()).isBetween(100, 156);
  }

  @Test
  void unsureImageOnTheFramesTopicIsSentForReview() {
    frames.pipeInput("door", TestVideos.png(80, 60, Color.GRAY));
    frames.pipeInput("door", TestVideos.png(80, 60, Color.GREEN));

    List<ReviewRequest> requests = reviewRequests.readValuesToList();
    assertThat(requests).hasSize(1);
    assertThat(requests.get(0).labels()).hasSize(3);
    assertThat(requests.get(0).labels().get(0).score()).isLessThan((float) REVIEW_THRESHOLD);
  }

  @Test
  void segmentLabelCarriesAThumbnailOfItsLastClassifiedFrame() throws Exception {
    segments.pipeInput("cam-1", TestVideos.solidColours("mpegts", 64, 48, 10, 2, Color.GREEN, Color.BLUE));

    SegmentLabel label = segmentLabels.readValue();
    BufferedImage thumbnail =
        ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(label.thumbnail())));
    assertThat(thumbnail.getWidth()).isEqualTo(THUMBNAIL_SIZE);
    assertThat(thumbnail.getHeight()).isEqualTo(THUMBNAIL_SIZE);
    Color centre = new Color(thumbnail.getRGB(8, 8));
    assertThat(centre.getBlue()).isGreaterThan(200); // the last frame is blue
    assertThat(centre.getRed()).isLessThan(60);
    assertThat(centre.getGreen()).isLessThan(60);
  }

  private static String header(TestRecord<String, byte[]> record, String name) {
    var h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
