package io.vidlabel.faults;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vidlabel.api.StreamQueries;
import io.vidlabel.ingest.FashionSampleVideo;
import io.vidlabel.ingest.Segment;
import io.vidlabel.ingest.SegmentCutter;
import io.vidlabel.kafka.KafkaClients;
import io.vidlabel.kafka.TopicSetup;
import io.vidlabel.topology.ClassificationTopology;
import io.vidlabel.topology.Messages.FrameClassification;
import io.vidlabel.topology.RecordHeaders;
import io.vidlabel.topology.TopicNames;
import io.vidlabel.util.FreePort;
import java.io.File;
import java.io.IOException;
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
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scale-out under a crash: several classifier instances in one consumer group, one of them killed
 * (SIGKILL) while it is classifying; its partitions must move to the survivors with nothing lost
 * and nothing duplicated, and every survivor must still answer the REST queries for every stream.
 *
 * <p>Each instance is a separate JVM ({@link ScaleOutInstance}) with its own state directory and
 * HTTP port, running the production topology and the production query routing on the configured
 * model, so the kill is a real crash: the instance's open transaction is left to the broker to
 * abort. Frames are counted as a downstream reader sees them: {@code read_committed}, from the
 * start of {@code video.classifications}, every (stream, segment, frame) expected exactly once.
 * Streams are named after the run, so a broker shared with other work does not disturb the count.
 */
public final class ScaleOutCheck {

  private static final Logger LOG = LoggerFactory.getLogger(ScaleOutCheck.class);
  private static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final int LOG_TAIL_LINES = 40;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
  private static final double SEGMENT_SECONDS = 2.0;

  /**
   * What to run.
   *
   * @param bootstrapServers the cluster (an embedded broker in the tests)
   * @param modelDir the model every instance serves
   * @param instances classifier processes in the group (2 or more; one is killed)
   * @param streams camera streams, each sent the bundled 20-second sample as 2-second segments
   * @param partitions partitions of the input topic if the check creates it
   * @param workDir state directories and the instances' logs go here
   * @param timeout the longest any phase may take (start, classification, REST answers)
   */
  public record Options(
      String bootstrapServers,
      Path modelDir,
      int instances,
      int streams,
      int partitions,
      Path workDir,
      Duration timeout) {

    public Options {
      if (instances < 2) {
        throw new IllegalArgumentException("the check needs at least 2 instances, got " + instances);
      }
      if (streams < 1) {
        throw new IllegalArgumentException("the check needs at least 1 stream, got " + streams);
      }
    }
  }

  /**
   * The outcome.
   *
   * @param killedHeldStreams streams of the run in the killed instance's stores when it was killed
   * @param killedUnfinishedStreams of those, streams whose last segment it had not yet classified:
   *     their remaining segments had to move to the survivors
   * @param seenBeforeKill classifications of the run read before the kill
   * @param expected, seen, lost, duplicated frame classifications: expected (stream, segment,
   *     frame) triples, records read, triples never read, records beyond the first per triple
   * @param restQueries per-stream latest-label queries sent to the survivors after the move
   * @param restForwarded of those, queries for streams the asked survivor did not own itself, so
   *     answered by forwarding to the owner
   * @param restAnswered how many of them answered 200 with the stream's last segment
   * @param recentAnswered survivors x streams whose recent classifications ended with the stream's
   *     last frame
   * @param unavailableWhileMoving 503 answers seen before every query was answered (rebalancing)
   */
  public record Report(
      int instances,
      int kills,
      String killed,
      int streams,
      int segments,
      long expected,
      int killedHeldStreams,
      int killedUnfinishedStreams,
      long seenBeforeKill,
      long seen,
      long lost,
      long duplicated,
      int restQueries,
      int restForwarded,
      int restAnswered,
      int recentAnswered,
      int unavailableWhileMoving,
      double seconds,
      List<String> problems) {

    /** Every REST query answered by every survivor. */
    public boolean restAnswersOk() {
      return restQueries > 0 && restAnswered == restQueries && recentAnswered == restQueries;
    }

    public boolean passed() {
      return kills == 1 && killedUnfinishedStreams > 0 && lost == 0 && duplicated == 0 && seen == expected && restAnswersOk() && problems.isEmpty();
    }
  }

  private ScaleOutCheck() {}

  /** Runs the check; the instances are always stopped, also when it fails. */
  public static Report run(Options options) throws Exception {
    long started = System.nanoTime();
    String run = "scaleout-" + Long.toString(System.currentTimeMillis(), 36);
    List<String> streamIds = new ArrayList<>();
    for (int i = 0; i < options.streams(); i++) {
      streamIds.add(run + "-cam-" + i);
    }
    List<Segment> segments = sampleSegments(options.workDir());
    long lastSeq = segments.get(segments.size() - 1).seq();
    Map<String, Integer> expected = new HashMap<>();
    for (String stream : streamIds) {
      for (Segment s : segments) {
        for (int f = 0; f < s.frames(); f++) {
          expected.put(stream + "/" + s.seq() + "/" + f, 0);
        }
      }
    }
    TopicNames topics = TopicNames.defaults();
    TopicSetup.ensureTopics(
        KafkaClients.common(options.bootstrapServers(), Map.of()), topics, options.partitions(), maxRecordBytes(segments));

    List<Instance> instances = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    try (KafkaConsumer<String, FrameClassification> reader = reader(options.bootstrapServers())) {
      reader.subscribe(List.of(topics.classifications()));
      for (int i = 0; i < options.instances(); i++) {
        instances.add(Instance.start(options, run, i));
      }
      for (Instance instance : instances) {
        instance.awaitServing(http, options.timeout());
      }
      LOG.info("scale-out: {} instances serving; sending {} segments for each of {} streams",
          instances.size(), segments.size(), streamIds.size());
      produce(options.bootstrapServers(), topics.segments(), streamIds, segments);

      // Kill the first instance whose own stores show streams of the run still under way, once a
      // reader has seen committed output: the kill then comes mid-stream, with work left to move.
      long seen = 0;
      Instance victim = null;
      Map<String, Long> victimHeld = Map.of();
      long deadline = System.nanoTime() + options.timeout().toNanos();
      while (victim == null) {
        seen += read(reader, run, expected);
        for (Instance instance : seen > 0 ? instances : List.<Instance>of()) {
          Map<String, Long> held = instance.localSegments(http, run);
          if (held.values().stream().anyMatch(seq -> seq < lastSeq)) {
            victim = instance;
            victimHeld = held;
            break;
          }
        }
        if (victim == null && System.nanoTime() > deadline) {
          throw new IllegalStateException("no instance was classifying within " + options.timeout());
        }
      }
      long seenBeforeKill = seen;
      int unfinished = (int) victimHeld.values().stream().filter(seq -> seq < lastSeq).count();
      Instance killed = victim;
      killed.kill();
      LOG.info("scale-out: killed {} holding {} streams ({} unfinished) after {} of {} classifications",
          killed.endpoint, victimHeld.size(), unfinished, seen, expected.size());
      if (seenBeforeKill >= expected.size()) {
        problems.add("the kill came after every frame was classified; nothing had to move");
      }

      // Everything must arrive exactly once; then a few more polls would show a duplicate.
      deadline = System.nanoTime() + options.timeout().toNanos();
      while (expected.values().stream().anyMatch(n -> n == 0) && System.nanoTime() < deadline) {
        seen += read(reader, run, expected);
      }
      for (int i = 0; i < 10; i++) {
        seen += read(reader, run, expected);
      }
      long lost = expected.values().stream().filter(n -> n == 0).count();
      long duplicated = expected.values().stream().mapToLong(n -> Math.max(0, n - 1)).sum();

      // Every survivor answers for every stream, whichever instance owns it now.
      List<Instance> survivors = instances.stream().filter(i -> i != killed).toList();
      int queries = survivors.size() * streamIds.size();
      int answered = 0;
      int recent = 0;
      int unavailable = 0;
      deadline = System.nanoTime() + options.timeout().toNanos();
      int forwarded = 0;
      for (Instance survivor : survivors) {
        for (String stream : streamIds) {
          while (true) {
            Reply latest = get(http, survivor.url(StreamQueries.path(stream)));
            Reply frames =
                latest.status() == 200
                    ? get(http, survivor.url(StreamQueries.path(stream) + "/classifications?limit=3"))
                    : latest;
            if (latest.status() == 200 && frames.status() == 200) {
              JsonNode label = MAPPER.readTree(latest.body());
              if (label.path("segment").asLong(-1) == lastSeq) {
                answered++;
              } else {
                problems.add(survivor.endpoint + " answered stream " + stream + " with segment "
                    + label.path("segment") + ", expected " + lastSeq);
              }
              JsonNode newest = MAPPER.readTree(frames.body()).path(0);
              if (newest.path("segment").asLong(-1) == lastSeq
                  && newest.path("frame").asInt(-1) == segments.get(segments.size() - 1).frames() - 1) {
                recent++;
              } else {
                problems.add(survivor.endpoint + " answered recent classifications of " + stream + " with "
                    + newest);
              }
              break;
            }
            if (!latest.retryable() && !frames.retryable()) {
              problems.add(survivor.endpoint + " answered stream " + stream + " with HTTP "
                  + latest.status() + "/" + frames.status() + ": " + latest.body() + " " + frames.body());
              break;
            }
            unavailable++;
            if (System.nanoTime() > deadline) {
              problems.add(survivor.endpoint + " still answers 503 for stream " + stream + ": " + latest.body());
              break;
            }
            Thread.sleep(POLL.toMillis()); // the rebalance has no notification a client could wait on
          }
        }
        // Asked after it answered everything, so the group has settled: the streams it does not
        // hold itself were answered by forwarding to their owner.
        Set<String> own = survivor.localSegments(http, run).keySet();
        forwarded += (int) streamIds.stream().filter(st -> !own.contains(st)).count();
      }
      return new Report(
          instances.size(),
          1,
          victim.endpoint,
          streamIds.size(),
          segments.size() * streamIds.size(),
          expected.size(),
          victimHeld.size(),
          unfinished,
          seenBeforeKill,
          seen,
          lost,
          duplicated,
          queries,
          forwarded,
          answered,
          recent,
          unavailable,
          (System.nanoTime() - started) / 1e9,
          List.copyOf(problems));
    } finally {
      for (Instance instance : instances) {
        instance.stop();
      }
    }
  }

  /** The bundled Fashion-MNIST sample cut into 2-second H.264 segments (10 of 50 frames). */
  private static List<Segment> sampleSegments(Path workDir) throws Exception {
    Files.createDirectories(workDir);
    Path video = workDir.resolve(FashionSampleVideo.VIDEO_FILE);
    FashionSampleVideo.copyBundled(video);
    List<Segment> segments = new ArrayList<>();
    new SegmentCutter(new SegmentCutter.Options(SEGMENT_SECONDS, 0, 0)).cut(video, segments::add);
    return segments;
  }

  private static int maxRecordBytes(List<Segment> segments) {
    int largest = segments.stream().mapToInt(s -> s.bytes().length).max().orElse(0);
    return Math.max(largest, 1024 * 1024);
  }

  private static void produce(String servers, String topic, List<String> streams, List<Segment> segments) {
    Properties p = KafkaClients.common(servers, Map.of());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      for (Segment s : segments) {
        for (String stream : streams) {
          ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, stream, s.bytes());
          r.headers().add(RecordHeaders.SEGMENT_SEQ, Long.toString(s.seq()).getBytes(StandardCharsets.UTF_8));
          producer.send(r);
        }
      }
      producer.flush();
    }
  }

  /** Counts this run's classifications into {@code counts}; returns how many records were read. */
  private static long read(
      KafkaConsumer<String, FrameClassification> reader, String run, Map<String, Integer> counts) {
    long n = 0;
    for (ConsumerRecord<String, FrameClassification> r : reader.poll(POLL)) {
      if (r.key() == null || !r.key().startsWith(run + "-") || r.value() == null) {
        continue;
      }
      FrameClassification c = r.value();
      counts.merge(c.stream() + "/" + c.segment() + "/" + c.frame(), 1, Integer::sum);
      n++;
    }
    return n;
  }

  private static KafkaConsumer<String, FrameClassification> reader(String servers) {
    Properties p = KafkaClients.common(servers, Map.of());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "vidlabel-scaleout-reader-" + System.nanoTime());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return new KafkaConsumer<>(p, new StringDeserializer(), ClassificationTopology.CLASSIFICATION_SERDE.deserializer());
  }

  /** An HTTP answer; status 0 when the instance could not be reached. */
  private record Reply(int status, String body) {

    /** Worth asking again: the group is moving partitions, or the instance is busy. */
    boolean retryable() {
      return status == 503 || status == 0;
    }
  }

  private static Reply get(HttpClient http, URI uri) throws InterruptedException {
    return get(http, uri, null);
  }

  /** With {@code forwardedBy} set, an instance answers from its own stores only. */
  private static Reply get(HttpClient http, URI uri, String forwardedBy) throws InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).GET();
    if (forwardedBy != null) {
      b.header(StreamQueries.FORWARDED_HEADER, forwardedBy);
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(r.statusCode(), r.body());
    } catch (IOException e) {
      return new Reply(0, uri + ": " + e);
    }
  }

  /** One classifier process. */
  private static final class Instance {

    final String endpoint;
    final Process process;
    final Path log;

    private Instance(String endpoint, Path log, Process process) {
      this.endpoint = endpoint;
      this.log = log;
      this.process = process;
    }

    String logTail() {
      try {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
      } catch (IOException e) {
        return "(cannot read " + log + ": " + e.getMessage() + ")";
      }
    }

    static Instance start(Options options, String run, int index) throws IOException {
      int port = FreePort.pick();
      String endpoint = "127.0.0.1:" + port;
      Path dir = options.workDir().resolve("instance-" + index);
      Files.createDirectories(dir);
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx768m");
      for (String passed : List.of("TENSORFLOW_LIBRARY_PATH", "ai.djl.offline", "java.util.logging.manager")) {
        String value = System.getProperty(passed);
        if (value != null) {
          command.add("-D" + passed + "=" + value);
        }
      }
      command.add("-Dvidlabel.kafka.bootstrap-servers=" + options.bootstrapServers());
      command.add("-Dvidlabel.model.path=" + options.modelDir().toAbsolutePath());
      command.add("-Dvidlabel.model.follow-updates=false");
      command.add("-Dvidlabel.sampling.frames=all");
      command.add("-Dvidlabel.topics.partitions=" + options.partitions());
      command.add("-Dvidlabel.streams.application-id=vidlabel-" + run);
      command.add("-Dvidlabel.streams.application-server=" + endpoint);
      command.add("-Dvidlabel.streams.state-dir=" + dir.resolve("state").toAbsolutePath());
      command.add("-cp");
      command.add(classPath(System.getProperty("java.class.path")));
      command.add(ScaleOutInstance.class.getName());
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("instance.log").toFile())
              .start();
      return new Instance(endpoint, dir.resolve("instance.log"), process);
    }

    URI url(String path) {
      return URI.create("http://" + endpoint + path);
    }

    void awaitServing(HttpClient http, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException("instance " + endpoint + " exited with " + process.exitValue()
              + " before serving; the end of its log:\n" + logTail());
        }
        // The own stores only: 200 once Kafka Streams runs, whatever the others do.
        if (get(http, url(StreamQueries.BASE_PATH), endpoint).status() == 200) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("instance " + endpoint + " did not start within " + timeout);
        }
        Thread.sleep(POLL.toMillis()); // JVM start and model load have no notification to wait on
      }
    }

    /** The run's streams in this instance's own stores, each with its latest segment there. */
    Map<String, Long> localSegments(HttpClient http, String run) throws Exception {
      Reply local = get(http, url(StreamQueries.BASE_PATH), endpoint);
      Map<String, Long> out = new HashMap<>();
      if (local.status() == 200) {
        for (JsonNode label : MAPPER.readTree(local.body())) {
          String stream = label.path("stream").asText();
          if (stream.startsWith(run + "-")) {
            out.put(stream, label.path("segment").asLong());
          }
        }
      }
      return out;
    }

    void kill() throws InterruptedException {
      process.destroyForcibly(); // SIGKILL: no shutdown hook, no commit
      process.waitFor();
    }

    void stop() {
      if (!process.isAlive()) {
        return;
      }
      try {
        ClassifierLauncher.stop(process); // SIGTERM first: the instance closes Kafka Streams cleanly
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * This JVM's class path, or, inside the packaged application (whose class path is only
   * quarkus-run.jar), the packaged application's jars plus the config-mapping classes Quarkus
   * generated at build time (outside Quarkus, SmallRye Config would otherwise need ASM to generate
   * them, and the packaged application does not ship ASM).
   */
  static String classPath(String javaClassPath) {
    Path single = Path.of(javaClassPath);
    if (!javaClassPath.contains(File.pathSeparator) && single.getFileName().toString().equals("quarkus-run.jar")) {
      Path app = single.toAbsolutePath().getParent();
      return String.join(
          File.pathSeparator,
          app.resolve("app").resolve("*").toString(),
          app.resolve("lib").resolve("boot").resolve("*").toString(),
          app.resolve("lib").resolve("main").resolve("*").toString(),
          app.resolve("quarkus").resolve("generated-bytecode.jar").toString());
    }
    return javaClassPath;
  }
}
