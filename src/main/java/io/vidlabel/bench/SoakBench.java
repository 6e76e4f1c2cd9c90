package io.vidlabel.bench;

import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.faults.ClassifierLauncher;
import io.vidlabel.ingest.Segment;
import io.vidlabel.ingest.SegmentPublisher;
import io.vidlabel.kafka.KafkaClients;
import io.vidlabel.kafka.TopicSetup;
import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.topology.TopicNames;
import io.vidlabel.util.FreePort;
import io.vidlabel.util.Stats;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The memory soak: the classifier runs as a process of its own (started by {@link
 * ClassifierLauncher}, heap fixed and pre-touched) while this process hosts the broker, publishes
 * 2-second H.264 segments of {@code streams} streams in real time, staggered so the load is
 * even, and counts what comes back. Every {@code sampleEvery} it reads the child's {@code VmRSS}
 * from {@code /proc/<pid>/status} and, when the child serves HTTP, its heap in use from {@code
 * /q/metrics}. So what is sampled is the classifier alone, not the broker whose log grows all run.
 * Every frame is classified ({@code vidlabel.sampling.frames=all}): the most decoding and
 * inference per segment, where native leaks would show. The samples are judged against a {@link
 * SoakBound} stated before the run.
 */
public final class SoakBench {

  /** Longest wait after the load for the classifier to finish what was published. */
  private static final Duration DRAIN_LIMIT = Duration.ofMinutes(2);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration METRICS_TIMEOUT = Duration.ofSeconds(1);
  /** Segments of the generated sample video the streams cycle through. */
  private static final int SOURCE_SEGMENTS = 6;
  private static final int VIDEO_SIDE = 112;

  /**
   * One sample of the classifier process.
   *
   * @param minute since the classifier was started
   * @param heapUsedMib heap in use per its metrics endpoint; null when it has none (the test's
   *     plain-main classifier) or it did not answer
   */
  public record Sample(double minute, double rssMib, Double heapUsedMib) {}

  /** What to run: the model, how many real-time streams, for how long, how often to sample, the bound. */
  public record Options(Path modelDir, int streams, Duration duration, Duration sampleEvery, SoakBound bound) {
    public Options {
      if (streams < 1 || duration.isNegative() || duration.isZero() || sampleEvery.isNegative() || sampleEvery.isZero()) {
        throw new IllegalArgumentException("streams, duration and sample interval must be positive");
      }
    }
  }

  /**
   * A soak's result.
   *
   * @param classifier how the child was started
   * @param classifierPid the sampled process
   * @param minutes length of the load; the samples span it
   * @param framesPublished frames in the segments published during the load
   * @param framesClassified classifications read back ({@code read_committed}), after a drain of
   *     at most two minutes
   * @param deadLetters records of the run's streams on the dead-letter topic
   * @param verdict the samples judged against the bound, failed too when the classifier exited
   *     or classified nothing
   * @param childLog the classifier's output
   */
  public record Soak(
      String model,
      String classifier,
      long classifierPid,
      int streams,
      double minutes,
      long framesPublished,
      long framesClassified,
      long deadLetters,
      double framesPerSecond,
      List<Sample> samples,
      SoakBound bound,
      SoakBound.Verdict verdict,
      String childLog) {}

  private final VidlabelConfig config;
  private final String servers;
  private final ClassifierLauncher launcher;
  private final Path workDir;

  /**
   * {@code config} gives topics, decode limits and client settings; {@code launcher} starts the
   * classifier (with its heap fixed); {@code workDir} holds the classifier's state directory and
   * log, left for the caller to keep or delete.
   */
  public SoakBench(VidlabelConfig config, String servers, ClassifierLauncher launcher, Path workDir) {
    this.config = config;
    this.servers = servers;
    this.launcher = launcher.withFixedHeap();
    this.workDir = workDir;
  }

  public Soak run(Options options, PrintStream log) throws Exception {
    List<Segment> source = ServingBench.segments(VIDEO_SIDE, VIDEO_SIDE, SOURCE_SEGMENTS);
    String runId = "soak-" + Long.toHexString(System.nanoTime() & 0xffffffL);
    String streamPrefix = runId + "-cam-";
    TopicNames topics = TopicNames.from(config.topics());
    Properties common = KafkaClients.common(servers, config.kafka().client());
    TopicSetup.ensureTopics(common, topics, config.topics().partitions(), config.kafka().maxRecordBytes());
    Path childLog = workDir.resolve(runId + "-classifier.log");
    int httpPort = FreePort.pick();
    Map<String, String> properties = ClassifierLauncher.properties(config, servers, "vidlabel-" + runId,
        Files.createDirectories(workDir.resolve(runId + "-state")), options.modelDir());
    properties.put("vidlabel.sampling.frames", "all");
    properties.put("quarkus.http.port", Integer.toString(httpPort));
    ModelDescriptor model = ModelDescriptor.read(options.modelDir());

    try (RealTimeStreams streams = new RealTimeStreams(
            new SegmentPublisher(KafkaClients.producer(config, servers), topics.segments(),
                config.kafka().maxRecordBytes()),
            source, options.streams(), streamPrefix);
        Outcomes outcomes = new Outcomes(common, topics, streamPrefix)) {
      log.printf("bench: soak classifier: %s (log %s)%n", launcher.description(), childLog);
      ClassifierProbe classifier = new ClassifierProbe(launcher.start(properties, childLog), httpPort);
      try {
        Loaded load = steadyLoad(options, streams, classifier, outcomes, log);
        drain(classifier, outcomes, load.framesPublished());
        SoakBound.Verdict verdict = options.bound().judge(load.samples(), load.minutes());
        if (!classifier.alive()) {
          verdict = verdict.failing(String.format(Locale.ROOT, "the classifier exited with code %d by minute %.1f",
              classifier.exitCode(), load.minutes()));
        } else if (outcomes.classified == 0) {
          verdict = verdict.failing("the classifier classified nothing");
        }
        return new Soak(model.name() + "/" + model.version(), launcher.description(), classifier.pid(),
            options.streams(), load.minutes(), load.framesPublished(), outcomes.classified, outcomes.deadLetters,
            outcomes.classified / (load.minutes() * 60), load.samples(), options.bound(), verdict,
            childLog.toString());
      } finally {
        classifier.stop();
      }
    }
  }

  /** What the load did: the samples, the frames published, how long it ran. */
  private record Loaded(List<Sample> samples, long framesPublished, double minutes) {}

  /**
   * The steady load on this thread until the duration is over or the classifier exits: publish
   * what is due, sample when due, read results in between.
   */
  private static Loaded steadyLoad(
      Options options, RealTimeStreams streams, ClassifierProbe classifier, Outcomes outcomes, PrintStream log)
      throws IOException, InterruptedException {
    List<Sample> samples = new ArrayList<>();
    long published = 0;
    long start = System.nanoTime();
    long end = start + options.duration().toNanos();
    long every = options.sampleEvery().toNanos();
    long nextSample = start;
    long nextReport = start + TimeUnit.MINUTES.toNanos(1);
    long now = start;
    while (now < end && classifier.alive()) {
      published += streams.publishDue(now - start);
      if (now >= nextSample) {
        Sample s = classifier.sample((now - start) / 60e9);
        if (s != null) {
          samples.add(s);
        }
        nextSample += every;
      }
      if (now >= nextReport && !samples.isEmpty()) {
        Sample last = samples.get(samples.size() - 1);
        log.printf(Locale.ROOT, "bench: soak minute %.0f: %d of %d frames classified, %d dead letters, RSS %.0f MiB,"
                + " heap %s MiB%n", last.minute(), outcomes.classified, published, outcomes.deadLetters,
            last.rssMib(), last.heapUsedMib() == null ? "?" : String.format(Locale.ROOT, "%.0f", last.heapUsedMib()));
        nextReport += TimeUnit.MINUTES.toNanos(1);
      }
      long untilNext = Math.min(start + streams.nextDueNanos(), Math.min(nextSample, end)) - System.nanoTime();
      outcomes.poll(Duration.ofNanos(Math.max(0, Math.min(untilNext, POLL.toNanos()))));
      now = System.nanoTime();
    }
    return new Loaded(List.copyOf(samples), published, (Math.min(now, end) - start) / 60e9);
  }

  /**
   * {@code streams} live sources cycling through the same segments, each sending one per segment
   * duration, taking turns: slot {@code j} is stream {@code j % streams} sending its segment
   * {@code j / streams}, due {@code j} times (segment duration / streams) after the start.
   */
  private static final class RealTimeStreams implements AutoCloseable {
    private final SegmentPublisher publisher;
    private final List<Segment> source;
    private final int streams;
    private final String streamPrefix;
    private final long slotNanos;
    private long slot;

    RealTimeStreams(SegmentPublisher publisher, List<Segment> source, int streams, String streamPrefix) {
      this.publisher = publisher;
      this.source = source;
      this.streams = streams;
      this.streamPrefix = streamPrefix;
      this.slotNanos = source.get(0).durationMicros() * 1000 / streams;
    }

    /** Publishes every slot due {@code elapsedNanos} after the start; returns their frames. */
    long publishDue(long elapsedNanos) {
      long frames = 0;
      for (; slot * slotNanos <= elapsedNanos; slot++) {
        long seq = slot / streams;
        Segment s = source.get((int) (seq % source.size()));
        publisher.publish(streamPrefix + slot % streams,
            new Segment(seq, seq * s.durationMicros(), s.durationMicros(), s.frames(), s.bytes()));
        frames += s.frames();
      }
      return frames;
    }

    /** When the next slot is due, nanoseconds after the start. */
    long nextDueNanos() {
      return slot * slotNanos;
    }

    @Override
    public void close() {
      publisher.close();
    }
  }

  /** The classifier process: its resident memory from /proc, its heap from its metrics endpoint. */
  private static final class ClassifierProbe {
    private final Process process;
    private final URI metrics;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(METRICS_TIMEOUT).build();

    ClassifierProbe(Process process, int httpPort) {
      this.process = process;
      this.metrics = URI.create("http://127.0.0.1:" + httpPort + "/q/metrics");
    }

    boolean alive() {
      return process.isAlive();
    }

    long pid() {
      return process.pid();
    }

    int exitCode() {
      return process.exitValue();
    }

    /** A sample at {@code minute}; null when the process is gone. */
    Sample sample(double minute) throws IOException, InterruptedException {
      long rss;
      try {
        rss = MemoryBench.residentBytes(process.pid());
      } catch (IOException e) {
        if (process.isAlive()) {
          throw e;
        }
        return null;
      }
      return new Sample(minute, MemoryBench.mib(rss), heapUsedMib());
    }

    private Double heapUsedMib() throws InterruptedException {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).timeout(METRICS_TIMEOUT).build(),
            HttpResponse.BodyHandlers.ofString());
        Long bytes = r.statusCode() == 200 ? heapUsedBytes(r.body()) : null;
        return bytes == null ? null : MemoryBench.mib(bytes);
      } catch (IOException e) {
        return null; // still starting, or no HTTP at all
      }
    }

    void stop() throws InterruptedException {
      ClassifierLauncher.stop(process);
    }
  }

  /**
   * The heap in use from a Prometheus text exposition: the sum of {@code jvm_memory_used_bytes}
   * over the pools with {@code area="heap"}; null when there are none.
   */
  static Long heapUsedBytes(String prometheus) {
    long sum = 0;
    boolean found = false;
    for (String line : prometheus.split("\n")) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        found = true;
      }
    }
    return found ? sum : null;
  }

  /** After the load: reads on until everything published is classified, the classifier exits, or the limit. */
  private static void drain(ClassifierProbe classifier, Outcomes outcomes, long published) {
    long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
    while (outcomes.classified < published && classifier.alive() && System.nanoTime() < deadline) {
      outcomes.poll(POLL);
    }
  }

  /** Counts the run's classifications ({@code read_committed}) and dead letters from the topics' start. */
  private static final class Outcomes implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final String classifications;
    private final String streamPrefix;
    long classified;
    long deadLetters;

    Outcomes(Properties common, TopicNames topics, String streamPrefix) {
      Properties p = new Properties();
      p.putAll(common);
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
      List<TopicPartition> partitions = new ArrayList<>(KafkaClients.partitions(consumer, topics.classifications()));
      partitions.addAll(KafkaClients.partitions(consumer, topics.deadLetters()));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      this.classifications = topics.classifications();
      this.streamPrefix = streamPrefix;
    }

    void poll(Duration timeout) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) {
        if (r.key() == null || !r.key().startsWith(streamPrefix)) {
          continue;
        }
        if (r.topic().equals(classifications)) {
          classified++;
        } else {
          deadLetters++;
        }
      }
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  /** The soak as Markdown: the summary row, the bound and its verdict, and the median RSS of every minute. */
  public static String markdown(Soak s) {
    SoakBound.Verdict v = s.verdict();
    StringBuilder b = new StringBuilder(
        "| soak (classifier process) | streams | minutes | frames published | frames classified | dead letters"
            + " | frames/s | warm-up min | warm RSS MiB | last RSS MiB | growth | slope MiB/h | verdict |\n"
            + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    b.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %d | %d | %d | %.0f | %.1f | %.0f | %.0f | %+.1f %% | %+.0f | %s |%n",
        s.model(), s.streams(), s.minutes(), s.framesPublished(), s.framesClassified(), s.deadLetters(),
        s.framesPerSecond(), v.warmUpMinutes(), v.warmMedianMib(), v.lastMedianMib(), v.growthPercent(),
        v.slopeMibPerHour(), v.passed() ? "PASS" : "FAIL"));
    b.append("\nBound: ").append(s.bound().describe()).append(".\n");
    b.append(v.passed() ? "PASS" : "FAIL: " + String.join("; ", v.problems())).append('\n');
    b.append("\n| minute | samples | median RSS MiB | median heap used MiB |\n|---:|---:|---:|---:|\n");
    Map<Integer, List<Sample>> byMinute = new TreeMap<>();
    for (Sample x : s.samples()) {
      byMinute.computeIfAbsent((int) x.minute(), m -> new ArrayList<>()).add(x);
    }
    byMinute.forEach((minute, xs) -> {
      double[] heap = xs.stream().filter(x -> x.heapUsedMib() != null).mapToDouble(Sample::heapUsedMib).toArray();
      b.append(String.format(Locale.ROOT, "| %d | %d | %.0f | %s |%n", minute, xs.size(),
          Stats.median(xs.stream().mapToDouble(Sample::rssMib).toArray()),
          heap.length == 0 ? "-" : String.format(Locale.ROOT, "%.0f", Stats.median(heap))));
    });
    return b.toString();
  }
}
