package io.vidlabel.faults;

import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.decode.FrameSampler;
import io.vidlabel.ingest.FashionSampleVideo;
import io.vidlabel.ingest.Segment;
import io.vidlabel.ingest.SegmentCutter;
import io.vidlabel.ingest.SegmentPublisher;
import io.vidlabel.kafka.EmbeddedKafka;
import io.vidlabel.kafka.KafkaClients;
import io.vidlabel.kafka.TopicSetup;
import io.vidlabel.pipeline.ClassifiedFrame;
import io.vidlabel.pipeline.Pipeline;
import io.vidlabel.topology.Messages.FrameClassification;
import io.vidlabel.topology.TopicNames;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The crash-consistency and broker-restart harness. It runs the classifier as a child process
 * against a real broker, publishes real video (the bundled Fashion-MNIST sample cut into 2-second
 * H.264 segments) on several streams in waves, and during each wave injects one fault at a seeded
 * random moment of the classifier's work (after the n-th result of the wave, n random, plus a
 * random delay): SIGKILL of the classifier (then a restart), or a stop and start of the broker on
 * the same ports and log directory (the classifier must recover by itself). The next wave starts
 * when this one is committed. At the end a {@code read_committed} reader checks that every
 * expected frame classification is there exactly once, in order per stream.
 *
 * <p>The expected frames are not written down anywhere: this process decodes and classifies each
 * distinct segment once with the same decoder, sampler and model the classifier uses (a reference
 * run), which gives the frame indices a correct run must produce and their top labels.
 */
public final class FaultRun {

  /** What to run. Faults: {@code kills} SIGKILLs and {@code brokerRestarts} restarts, shuffled by the seed. */
  public record Plan(
      int streams,
      int segmentsPerStream,
      int kills,
      int brokerRestarts,
      long seed,
      Duration maxFaultDelay,
      Duration maxBrokerDowntime) {

    public Plan {
      if (streams < 1 || segmentsPerStream < 1 || kills < 0 || brokerRestarts < 0) {
        throw new IllegalArgumentException("streams and segments must be positive, faults not negative");
      }
      if (segmentsPerStream < kills + brokerRestarts + 1) {
        throw new IllegalArgumentException(
            "need at least one segment per stream per wave: segments >= kills + broker restarts + 1");
      }
    }
  }

  /** What a run found. {@code passed}: every expected classification once, in order, nothing else. */
  public record Result(
      int streams,
      int segments,
      int kills,
      int brokerRestarts,
      int faultsWithUncommittedWrites,
      int unexpectedExits,
      int expected,
      int seen,
      int lost,
      int duplicated,
      int unexpected,
      int outOfOrder,
      int mislabelled,
      double seconds,
      String classifier,
      String childLog) {

    public boolean passed() {
      return unexpectedExits == 0
          && lost == 0
          && duplicated == 0
          && unexpected == 0
          && outOfOrder == 0
          && mislabelled == 0;
    }
  }

  /** One sampled frame of a segment and the label the reference run gave it. */
  record ExpectedFrame(int index, String label) {}

  private static final Duration PROGRESS_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration STALL_TIMEOUT = Duration.ofMinutes(4);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final double SEGMENT_SECONDS = 2.0;

  private final VidlabelConfig config;
  private final EmbeddedKafka kafka;
  private final ClassifierLauncher launcher;
  private final Path modelDir;
  private final Path workDir;
  private final Map<String, String> childOverrides = new LinkedHashMap<>();

  /**
   * {@code config} gives topics, sampling, decode limits and client settings (the child gets the
   * same sampling); {@code workDir} holds the child's state directory and log.
   */
  public FaultRun(
      VidlabelConfig config, EmbeddedKafka kafka, ClassifierLauncher launcher, Path modelDir, Path workDir) {
    this.config = config;
    this.kafka = kafka;
    this.launcher = launcher;
    this.modelDir = modelDir.toAbsolutePath();
    this.workDir = workDir;
  }

  /**
   * Extra system properties for the classifier process, applied last (e.g. {@code
   * vidlabel.streams.processing-guarantee=at_least_once}, to see what the suite reports then).
   */
  public FaultRun withClassifierProperties(Map<String, String> properties) {
    childOverrides.putAll(properties);
    return this;
  }

  public Result run(Plan plan, PrintStream log) throws Exception {
    long started = System.nanoTime();
    Random random = new Random(plan.seed());
    String runId = "faults-" + Long.toHexString(plan.seed()) + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
    String prefix = runId + "-cam-";
    List<Segment> cut = cutSample();
    log.printf("faults: reference run of %d segments with %s ...%n", cut.size(), modelDir);
    List<List<ExpectedFrame>> reference = reference(cut);

    List<Boolean> faults = new ArrayList<>(); // true = kill, false = broker restart
    for (int i = 0; i < plan.kills(); i++) {
      faults.add(true);
    }
    for (int i = 0; i < plan.brokerRestarts(); i++) {
      faults.add(false);
    }
    Collections.shuffle(faults, random);
    int waves = faults.size() + 1;

    TopicNames topics = TopicNames.from(config.topics());
    Properties common = KafkaClients.common(kafka.bootstrapServers(), config.kafka().client());
    TopicSetup.ensureTopics(common, topics, config.topics().partitions(), config.kafka().maxRecordBytes());
    Path childLog = workDir.resolve(runId + "-classifier.log");
    Map<String, String> childProps = childProperties(runId);

    int kills = 0;
    int restarts = 0;
    int openAtFault = 0;
    Map<String, List<ExpectedFrame>> expected = expected(prefix, plan, cut, reference);
    Child child = new Child(childProps, childLog, log);
    try (SegmentPublisher publisher =
            new SegmentPublisher(
                KafkaClients.producer(config, kafka.bootstrapServers()), topics.segments(),
                config.kafka().maxRecordBytes());
        ClassificationTally working = new ClassificationTally(common, topics.classifications(), false, prefix);
        ClassificationTally committed = new ClassificationTally(common, topics.classifications(), true, prefix)) {
      log.printf("faults: classifier: %s (log %s)%n", launcher.description(), childLog);
      child.start();
      int expectedSoFar = 0;
      for (int wave = 0; wave < waves; wave++) {
        int from = wave * plan.segmentsPerStream() / waves;
        int to = (wave + 1) * plan.segmentsPerStream() / waves;
        int waveFrames = 0;
        for (int seq = from; seq < to; seq++) {
          waveFrames += plan.streams() * reference.get(seq % cut.size()).size();
        }
        expectedSoFar += waveFrames;
        // Records of aborted transactions stay visible to the read_uncommitted reader: the gap
        // between the readers before the wave is that, and more than that later means writes that
        // are not committed (yet).
        long catchUp = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!working.caughtUp(Duration.ofSeconds(10)) && System.nanoTime() < catchUp) {
          working.poll(POLL);
        }
        int gapBefore = working.total() - committed.total();
        int before = working.total();
        publish(publisher, prefix, plan.streams(), from, to, cut);
        if (wave < faults.size()) {
          // Strike at a seeded random point of this wave's work: once the n-th of its results has
          // been written (as the read_uncommitted reader sees it), after a random delay of up to
          // maxFaultDelay, and, if within a second it happens, while some writes are uncommitted.
          int target = before + 1 + random.nextInt(Math.max(1, waveFrames));
          long deadline = System.nanoTime() + PROGRESS_TIMEOUT.toNanos();
          while (working.total() < target) {
            working.poll(Duration.ofMillis(20));
            committed.poll(Duration.ZERO);
            child.restartIfExited();
            if (System.nanoTime() > deadline) {
              throw new IllegalStateException("classifications stopped coming for " + PROGRESS_TIMEOUT + "; see " + childLog);
            }
          }
          long delayMs = (long) (random.nextDouble() * plan.maxFaultDelay().toMillis());
          sleepPolling(delayMs, working, committed);
          long openDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
          while (working.total() - committed.total() <= gapBefore && System.nanoTime() < openDeadline) {
            working.poll(Duration.ofMillis(5));
            committed.poll(Duration.ZERO);
          }
          boolean open = working.total() - committed.total() > gapBefore;
          openAtFault += open ? 1 : 0;
          String moment = String.format("after result %d of %d, +%d ms, %s (%d written, %d committed)",
              target - before, waveFrames, delayMs, open ? "uncommitted writes" : "all writes committed",
              working.total(), committed.total());
          if (faults.get(wave)) {
            child.kill();
            kills++;
            log.printf("faults: wave %d: SIGKILL %s; restarting%n", wave, moment);
            child.start();
          } else {
            long downMs = 1000 + (long) (random.nextDouble() * Math.max(0, plan.maxBrokerDowntime().toMillis() - 1000));
            log.printf("faults: wave %d: broker stop %s, down %d ms%n", wave, moment, downMs);
            kafka.stopServer();
            Thread.sleep(downMs);
            kafka.startServer();
            restarts++;
          }
        }
        // Every fault hits its own wave: the next one starts when this one is committed in full.
        long lastProgress = System.nanoTime();
        while (distinctSeen(committed, expected) < expectedSoFar
            && System.nanoTime() - lastProgress < STALL_TIMEOUT.toNanos()) {
          working.poll(Duration.ZERO);
          if (committed.poll(POLL) > 0) {
            lastProgress = System.nanoTime();
          }
          child.restartIfExited();
        }
      }
      // A clean stop commits whatever is open; then read to the last stable offset, so late
      // duplicates would be counted too.
      child.stop();
      long drainDeadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      while (!committed.caughtUp(Duration.ofSeconds(10)) && System.nanoTime() < drainDeadline) {
        committed.poll(POLL);
      }
      committed.poll(POLL);
      return verdict(plan, kills, restarts, openAtFault, child.unexpectedExits, expected, committed, started, childLog);
    } finally {
      child.kill();
    }
  }

  /** The classifier process of a run, restarted when it exits without being asked to. */
  private final class Child {
    private final Map<String, String> properties;
    private final Path log;
    private final PrintStream out;
    private Process process;
    int unexpectedExits;

    Child(Map<String, String> properties, Path log, PrintStream out) {
      this.properties = properties;
      this.log = log;
      this.out = out;
    }

    void start() throws IOException {
      process = launcher.start(properties, log);
    }

    void restartIfExited() throws IOException {
      if (process != null && !process.isAlive()) {
        unexpectedExits++;
        out.printf("faults: the classifier exited by itself (code %d); restarting it%n", process.exitValue());
        start();
      }
    }

    /** SIGKILL on Linux: no shutdown hook, no commit, no leaving the group. */
    void kill() throws InterruptedException {
      if (process != null) {
        process.destroyForcibly();
        process.waitFor();
        process = null;
      }
    }

    /** SIGTERM and a minute to close cleanly (commit, leave the group); SIGKILL after that. */
    void stop() throws InterruptedException {
      if (process != null) {
        ClassifierLauncher.stop(process);
        process = null;
      }
    }
  }

  private Map<String, String> childProperties(String runId) throws IOException {
    Map<String, String> p = ClassifierLauncher.properties(config, kafka.bootstrapServers(), "vidlabel-" + runId,
        Files.createDirectories(workDir.resolve(runId + "-state")), modelDir);
    // A killed instance's consumers leave the group only when their session times out; 10 s
    // instead of 45 s lets the restarted instance take the partitions over sooner.
    p.put("vidlabel.kafka.client.\"session.timeout.ms\"", "10000");
    p.put("quarkus.http.port", "0");
    p.putAll(childOverrides);
    return p;
  }

  /** The bundled sample cut as the {@code publish} command would: 2-second H.264 MPEG-TS segments. */
  private static List<Segment> cutSample() throws Exception {
    Path video = Files.createTempFile("vidlabel-faults", ".ts");
    try {
      FashionSampleVideo.copyBundled(video);
      List<Segment> cut = new ArrayList<>();
      new SegmentCutter(new SegmentCutter.Options(SEGMENT_SECONDS, 0, 0)).cut(video, cut::add);
      return cut;
    } finally {
      Files.deleteIfExists(video);
    }
  }

  private List<List<ExpectedFrame>> reference(List<Segment> cut) throws Exception {
    List<List<ExpectedFrame>> out = new ArrayList<>();
    try (Pipeline pipeline =
        Pipeline.open(
            modelDir,
            Pipeline.decodeLimits(config.decode()),
            FrameSampler.parse(config.sampling().frames()),
            Pipeline.Batching.from(config.batching()))) {
      for (Segment s : cut) {
        List<ExpectedFrame> frames = new ArrayList<>();
        for (ClassifiedFrame f : pipeline.classifier().classifySegment(s.bytes()).frames()) {
          frames.add(new ExpectedFrame(f.index(), f.prediction().top().name()));
        }
        out.add(frames);
      }
    }
    return out;
  }

  private static void publish(
      SegmentPublisher publisher, String prefix, int streams, int from, int to, List<Segment> cut) {
    for (int seq = from; seq < to; seq++) {
      Segment source = cut.get(seq % cut.size());
      Segment s = new Segment(seq, seq * source.durationMicros(), source.durationMicros(), source.frames(), source.bytes());
      for (int i = 0; i < streams; i++) {
        publisher.publish(prefix + i, s);
      }
    }
  }

  private static Map<String, List<ExpectedFrame>> expected(
      String prefix, Plan plan, List<Segment> cut, List<List<ExpectedFrame>> reference) {
    Map<String, List<ExpectedFrame>> out = new LinkedHashMap<>();
    for (int i = 0; i < plan.streams(); i++) {
      for (int seq = 0; seq < plan.segmentsPerStream(); seq++) {
        out.put(key(prefix + i, seq), reference.get(seq % cut.size()));
      }
    }
    return out;
  }

  private static String key(String stream, long segment) {
    return stream + "#" + segment;
  }

  private static int distinctSeen(ClassificationTally committed, Map<String, List<ExpectedFrame>> expected) {
    int n = 0;
    for (List<FrameClassification> list : committed.byStream().values()) {
      n += (int) list.stream()
          .filter(c -> expected.containsKey(key(c.stream(), c.segment())))
          .map(c -> c.segment() + "/" + c.frame())
          .distinct()
          .count();
    }
    return n;
  }

  private Result verdict(
      Plan plan,
      int kills,
      int restarts,
      int openAtFault,
      int unexpectedExits,
      Map<String, List<ExpectedFrame>> expected,
      ClassificationTally committed,
      long started,
      Path childLog) {
    Map<String, Integer> counts = new HashMap<>();
    int seen = 0;
    int unexpected = 0;
    int outOfOrder = 0;
    int mislabelled = 0;
    for (List<FrameClassification> list : committed.byStream().values()) {
      FrameClassification previous = null;
      for (FrameClassification c : list) {
        seen++;
        if (previous != null
            && (c.segment() < previous.segment()
                || (c.segment() == previous.segment() && c.frame() <= previous.frame()))) {
          outOfOrder++;
        }
        previous = c;
        String frameKey = key(c.stream(), c.segment()) + "/" + c.frame();
        ExpectedFrame want = find(expected.get(key(c.stream(), c.segment())), c.frame());
        if (want == null) {
          unexpected++;
          continue;
        }
        counts.merge(frameKey, 1, Integer::sum);
        if (c.labels().isEmpty() || !c.labels().get(0).name().equals(want.label())) {
          mislabelled++;
        }
      }
    }
    int expectedCount = 0;
    int lost = 0;
    for (Map.Entry<String, List<ExpectedFrame>> e : expected.entrySet()) {
      for (ExpectedFrame f : e.getValue()) {
        expectedCount++;
        if (!counts.containsKey(e.getKey() + "/" + f.index())) {
          lost++;
        }
      }
    }
    int duplicated = counts.values().stream().mapToInt(n -> n - 1).sum();
    return new Result(
        plan.streams(),
        plan.streams() * plan.segmentsPerStream(),
        kills,
        restarts,
        openAtFault,
        unexpectedExits,
        expectedCount,
        seen,
        lost,
        duplicated,
        unexpected,
        outOfOrder,
        mislabelled,
        (System.nanoTime() - started) / 1e9,
        launcher.description(),
        childLog.toString());
  }

  private static ExpectedFrame find(List<ExpectedFrame> frames, int index) {
    if (frames == null) {
      return null;
    }
    for (ExpectedFrame f : frames) {
      if (f.index() == index) {
        return f;
      }
    }
    return null;
  }

  private static void sleepPolling(long millis, ClassificationTally working, ClassificationTally committed)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < end) {
      long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
      working.poll(Duration.ofMillis(Math.max(0, Math.min(left, 50))));
      committed.poll(Duration.ZERO);
    }
  }
}
