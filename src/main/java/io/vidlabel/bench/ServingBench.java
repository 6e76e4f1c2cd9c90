package io.vidlabel.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.decode.FrameSampler;
import io.vidlabel.ingest.SampleVideo;
import io.vidlabel.ingest.Segment;
import io.vidlabel.ingest.SegmentCutter;
import io.vidlabel.kafka.KafkaClients;
import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.model.ModelStore;
import io.vidlabel.pipeline.Pipeline;
import io.vidlabel.service.RunningClassifier;
import io.vidlabel.topology.RecordHeaders;
import io.vidlabel.util.Directories;
import io.vidlabel.util.SideBySide;
import io.vidlabel.util.Stats;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The whole service against the model alone, and its latency under a steady load, through a real
 * broker with {@code exactly_once_v2} (the latency also with {@code at_least_once}).
 *
 * <p><b>End to end against bare TensorFlow.</b> Frames/s from appending segments to {@code
 * video.segments} until every frame's classification is readable ({@code read_committed}) on
 * {@code video.classifications}, divided by the frames/s of {@link BareModel} (a bare session on
 * the same SavedModel) at the service's batch size. Every frame is classified. Repetitions
 * alternate which side runs first, as in the other suites; medians are reported.
 *
 * <p><b>Latency under load.</b> One JPEG frame per record on {@code video.frames}, at a fixed
 * fraction of the maximum rate measured first with a burst of the same records. Both topics use
 * the broker's {@code LogAppendTime}, so "record append to classification append" is measured on
 * one clock, the broker's; the time until a {@code read_committed} reader can see the result,
 * which adds the wait for the transaction's commit, is reported beside it. The issue's bound for
 * half load is the batcher's maximum queue delay plus two batch compute times, the batch compute
 * time being the mean {@code vidlabel.inference.time} during that run. The classifier runs with
 * the processing guarantee it is given, so the bench can put {@code exactly_once_v2} (the default)
 * beside {@code at_least_once} and show what the transactions cost: with exactly-once a stream
 * thread stops for each commit (producer flush, offsets into the transaction, end of the
 * transaction: three broker round trips) and the records of its partitions wait.
 */
public final class ServingBench {

  private static final long SEED = 7L;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Longest wait for a run's classifications before the bench gives up. */
  private static final Duration DRAIN_LIMIT = Duration.ofMinutes(15);

  /** End to end against a bare session, one model. */
  public record VersusBare(
      String model,
      String input,
      int batch,
      int streams,
      int framesPerRepetition,
      int repetitions,
      double endToEndFramesPerSecond,
      double bareFramesPerSecond,
      double ratio,
      double lowestRatio,
      double highestRatio) {}

  /** Latency at one load level. */
  public record Latency(
      String model,
      String guarantee,
      String load,
      double offeredFramesPerSecond,
      double achievedFramesPerSecond,
      int frames,
      double appendP50Millis,
      double appendP99Millis,
      double visibleP50Millis,
      double visibleP99Millis,
      double meanBatchFrames,
      double batchComputeMillis,
      double boundMillis) {}

  /** The batcher against per-frame predictor calls at one stream-thread count. */
  public record BatchingVersusPerFrame(
      String model,
      int threads,
      int streams,
      int framesPerRepetition,
      int repetitions,
      double batcherFramesPerSecond,
      double perFrameFramesPerSecond,
      double ratio,
      double meanBatchFrames) {}

  private ServingBench() {}

  /**
   * The service's batcher against the baseline of simple Kafka Streams + model examples, a
   * predictor called once per frame inside the processor on each stream thread, end to end at each
   * of {@code threads} stream threads. {@code streams} streams each append {@code segmentsPerStream}
   * segments per repetition; the segments topic needs at least as many partitions as the largest
   * thread count for every thread to work.
   */
  public static List<BatchingVersusPerFrame> batchingVersusPerFrame(
      VidlabelConfig config, String servers, Path modelDir, String modelName, int[] threads,
      int streams, int segmentsPerStream, int repetitions, Pipeline.Batching batching,
      PrintStream log) throws Exception {
    List<Segment> segments = segments(112, 112, segmentsPerStream);
    int framesPerRep = streams * segments.stream().mapToInt(Segment::frames).sum();
    List<BatchingVersusPerFrame> rows = new ArrayList<>();
    for (int t : threads) {
      int streamThreads = t;
      // One rig at a time: every rig's classifier reads the whole input topic, so two running at
      // once would classify each other's segments.
      double[] batchedFramesAndBatches = new double[2];
      SideBySide.Rates rates = SideBySide.alternate(repetitions,
          r -> oneRepetition(new Rig(config, servers, modelDir, batching, false, false, streamThreads), segments,
              streams, r, batchedFramesAndBatches),
          r -> oneRepetition(new Rig(config, servers, modelDir, batching, false, true, streamThreads), segments,
              streams, r, null));
      double meanBatch = batchedFramesAndBatches[0] / batchedFramesAndBatches[1];
      double b = Stats.median(rates.a());
      double p = Stats.median(rates.b());
      rows.add(new BatchingVersusPerFrame(modelName, t, streams, framesPerRep, repetitions, b, p, b / p, meanBatch));
      log.printf(Locale.ROOT, "bench: %s, %d stream threads: batcher %.1f, per frame %.1f frames/s%n",
          modelName, t, b, p);
    }
    return rows;
  }

  /**
   * One repetition on its own rig, closed after it: a warm-up segment per stream, then the timed
   * segments. If {@code batches} is given, adds the frames batched and the batches formed during
   * the timed part to its two elements.
   *
   * @return frames per second of the timed part
   */
  private static double oneRepetition(Rig rig, List<Segment> segments, int streams, int repetition, double[] batches)
      throws Exception {
    try (rig) {
      rig.segments("warmup", segments.subList(0, 1), streams);
      if (batches == null) {
        return rig.segments("rep" + repetition, segments, streams);
      }
      var sizes = rig.registry.find("vidlabel.inference.batch.size").summary();
      double itemsBefore = sizes.totalAmount();
      long batchesBefore = sizes.count();
      double rate = rig.segments("rep" + repetition, segments, streams);
      batches[0] += sizes.totalAmount() - itemsBefore;
      batches[1] += sizes.count() - batchesBefore;
      return rate;
    }
  }

  /** The batching rows as a Markdown table. */
  public static String markdownBatching(List<BatchingVersusPerFrame> rows) {
    StringBuilder b = new StringBuilder(
        "| batcher vs per-frame calls | stream threads | streams x frames | reps | batcher frames/s"
            + " | per-frame frames/s | batcher / per-frame | mean batch |\n"
            + "|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (BatchingVersusPerFrame r : rows) {
      b.append(String.format(Locale.ROOT, "| %s | %d | %d x %d | %d | %.1f | %.1f | %.2f | %.1f |%n",
          r.model(), r.threads(), r.streams(), r.framesPerRepetition() / r.streams(), r.repetitions(),
          r.batcherFramesPerSecond(), r.perFrameFramesPerSecond(), r.ratio(), r.meanBatchFrames()));
    }
    return b.toString();
  }

  /**
   * Runs the service and the bare model on {@code modelDir} side by side. Segments are cut from
   * the project's sample video rendered at {@code videoWidth x videoHeight}.
   */
  public static VersusBare versusBare(
      VidlabelConfig config, String servers, Path modelDir, String modelName, int videoWidth,
      int videoHeight, int streams, int segmentsPerStream, int repetitions,
      Pipeline.Batching batching, PrintStream log) throws Exception {
    List<Segment> segments = segments(videoWidth, videoHeight, segmentsPerStream);
    int framesPerRep = streams * segments.stream().mapToInt(Segment::frames).sum();
    try (Rig rig = new Rig(config, servers, modelDir, batching, false);
        BareModel bare = new BareModel(
            modelDir, ModelDescriptor.read(modelDir), batching.maxBatchSize(), SEED)) {
      // Warm-up of both sides: model load, graph optimisation, JIT, partition assignment.
      rig.segments("warmup", List.of(segments.get(0)), 1);
      bare.run(batching.maxBatchSize());
      SideBySide.Rates rates = SideBySide.alternate(repetitions,
          r -> rig.segments("rep" + r, segments, streams),
          SideBySide.itemsPerSecond(r -> bare.run(framesPerRep), new LongAdder()));
      for (int r = 0; r < repetitions; r++) {
        log.printf(Locale.ROOT, "bench: %s end to end %.1f frames/s, bare TF %.1f frames/s%n",
            modelName, rates.a()[r], rates.b()[r]);
      }
      ModelDescriptor d = ModelDescriptor.read(modelDir);
      double e2e = Stats.median(rates.a());
      double b = Stats.median(rates.b());
      return new VersusBare(
          modelName,
          videoWidth + "x" + videoHeight + " video, model " + d.inputWidth() + "x" + d.inputHeight(),
          batching.maxBatchSize(), streams, framesPerRep, repetitions, e2e, b, e2e / b,
          rates.lowestRatio(), rates.highestRatio());
    }
  }

  /**
   * Measures the maximum frame rate with a burst of {@code burstFrames} JPEG records, then the
   * latency at each of {@code loads} (fractions of that rate) for {@code framesPerLoad} frames.
   * The first row is the burst itself (load "max").
   */
  public static List<Latency> latency(
      VidlabelConfig config, String servers, Path modelDir, String modelName, String guarantee,
      int streams, int burstFrames, int framesPerLoad, double[] loads, Pipeline.Batching batching,
      PrintStream log) throws Exception {
    byte[][] jpegs = jpegs(112, 112, 16);
    List<Latency> rows = new ArrayList<>();
    try (Rig rig = new Rig(config, servers, modelDir, batching, true, false,
        config.streams().threads(), guarantee)) {
      rig.frames("warmup", jpegs, streams, Math.min(burstFrames, 64), 0);
      Latency burst = rig.frames("max", jpegs, streams, burstFrames, 0)
          .toLatency(modelName, guarantee, "max (burst)", Double.NaN, batching);
      rows.add(burst);
      log.printf(Locale.ROOT, "bench: %s, %s: burst %.1f frames/s%n",
          modelName, guarantee, burst.achievedFramesPerSecond());
      for (double load : loads) {
        double rate = load * burst.achievedFramesPerSecond();
        Latency row = rig.frames("load" + load, jpegs, streams, framesPerLoad, rate)
            .toLatency(modelName, guarantee, String.format(Locale.ROOT, "%.0f%%", load * 100), rate,
                batching);
        rows.add(row);
        log.printf(Locale.ROOT, "bench: %s, %s at %s: p50 %.1f ms, p99 %.1f ms (bound %.1f ms)%n",
            modelName, guarantee, row.load(), row.appendP50Millis(), row.appendP99Millis(),
            row.boundMillis());
      }
    }
    return rows;
  }

  /** The end-to-end rows as a Markdown table. */
  public static String markdownVersusBare(List<VersusBare> rows) {
    StringBuilder b = new StringBuilder(
        "| end to end vs bare TF | input | batch | streams x frames | reps | end to end frames/s"
            + " | bare TF frames/s | end to end / bare | per rep |\n"
            + "|---|---|---:|---:|---:|---:|---:|---:|---|\n");
    for (VersusBare r : rows) {
      b.append(String.format(Locale.ROOT, "| %s | %s | %d | %d x %d | %d | %.1f | %.1f | %.2f | %.2f-%.2f |%n",
          r.model(), r.input(), r.batch(), r.streams(), r.framesPerRepetition() / r.streams(),
          r.repetitions(), r.endToEndFramesPerSecond(), r.bareFramesPerSecond(), r.ratio(),
          r.lowestRatio(), r.highestRatio()));
    }
    return b.toString();
  }

  /** The latency rows as a Markdown table. */
  public static String markdownLatency(List<Latency> rows) {
    StringBuilder b = new StringBuilder(
        "| latency | guarantee | load | offered frames/s | achieved frames/s | frames | append p50 ms | append p99 ms"
            + " | visible p50 ms | visible p99 ms | mean batch | batch compute ms | bound ms |\n"
            + "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Latency r : rows) {
      b.append(String.format(Locale.ROOT,
          "| %s | %s | %s | %s | %.1f | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f | %.1f |%n",
          r.model(), r.guarantee(), r.load(),
          Double.isNaN(r.offeredFramesPerSecond()) ? "burst" : String.format(Locale.ROOT, "%.1f", r.offeredFramesPerSecond()),
          r.achievedFramesPerSecond(), r.frames(), r.appendP50Millis(), r.appendP99Millis(),
          r.visibleP50Millis(), r.visibleP99Millis(), r.meanBatchFrames(), r.batchComputeMillis(),
          r.boundMillis()));
    }
    return b.toString();
  }

  /** Two-second segments of the sample video at the given size; the first {@code count}. */
  static List<Segment> segments(int width, int height, int count) throws Exception {
    Path video = Files.createTempFile("vidlabel-bench", ".ts");
    List<Segment> all = new ArrayList<>();
    try {
      double seconds = Math.max(2.0, 2.0 * count);
      SampleVideo.write(video, width, height, seconds / SampleVideo.SCENES.length);
      new SegmentCutter(new SegmentCutter.Options(2.0, 0, 0)).cut(video, all::add);
    } finally {
      Files.deleteIfExists(video);
    }
    if (all.size() < count) {
      throw new IllegalStateException("the sample video gave " + all.size() + " segments, not " + count);
    }
    return all.subList(0, count);
  }

  /** {@code count} distinct noise images as JPEG. */
  static byte[][] jpegs(int width, int height, int count) {
    Random random = new Random(SEED);
    byte[][] out = new byte[count][];
    for (int i = 0; i < count; i++) {
      BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          image.setRGB(x, y, random.nextInt(1 << 24));
        }
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try {
        ImageIO.write(image, "jpg", bytes);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      out[i] = bytes.toByteArray();
    }
    return out;
  }

  /** What one paced or burst run of frames measured. */
  private record FrameRun(
      int frames, double framesPerSecond, double[] appendMillis, double[] visibleMillis,
      double meanBatchFrames, double batchComputeMillis) {

    Latency toLatency(
        String model, String guarantee, String load, double offered, Pipeline.Batching batching) {
      double bound = batching.maxQueueDelay().toNanos() / 1e6 + 2 * batchComputeMillis;
      return new Latency(model, guarantee, load, offered, framesPerSecond, frames,
          Stats.percentile(appendMillis, 0.50), Stats.percentile(appendMillis, 0.99),
          Stats.percentile(visibleMillis, 0.50), Stats.percentile(visibleMillis, 0.99),
          meanBatchFrames, batchComputeMillis, bound);
    }
  }

  /** A classifier on its own application id, a producer and a read_committed reader. */
  private static final class Rig implements AutoCloseable {
    private final VidlabelConfig config;
    private final String appId = "vidlabel-bench-" + System.currentTimeMillis();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RunningClassifier classifier;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, Long> appendedAt = new ConcurrentHashMap<>();
    private final Path stateDir;

    Rig(VidlabelConfig config, String servers, Path modelDir, Pipeline.Batching batching,
        boolean logAppendTime) throws Exception {
      this(config, servers, modelDir, batching, logAppendTime, false, config.streams().threads());
    }

    Rig(VidlabelConfig config, String servers, Path modelDir, Pipeline.Batching batching,
        boolean logAppendTime, boolean perFrame, int threads) throws Exception {
      this(config, servers, modelDir, batching, logAppendTime, perFrame, threads,
          config.streams().processingGuarantee());
    }

    /** {@code guarantee}: the classifier's {@code processing.guarantee}. */
    Rig(VidlabelConfig config, String servers, Path modelDir, Pipeline.Batching batching,
        boolean logAppendTime, boolean perFrame, int threads, String guarantee) throws Exception {
      this.config = config;
      // A new application id starts at the earliest offset: drop what earlier rigs appended so
      // this classifier sees only its own input.
      truncateInputs(servers);
      Pipeline pipeline = Pipeline.open(modelDir, config.model().precision(),
          Pipeline.decodeLimits(config.decode()), FrameSampler.all(), batching, perFrame);
      this.stateDir = Files.createTempDirectory("vidlabel-bench-state");
      this.classifier = RunningClassifier.start(
          config, servers, pipeline, registry,
          Map.of(StreamsConfig.APPLICATION_ID_CONFIG, appId,
              StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads,
              StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee,
              StreamsConfig.STATE_DIR_CONFIG, stateDir.toString()),
          ModelStore.containing(modelDir));
      if (logAppendTime) {
        useLogAppendTime(servers, List.of(config.topics().frames(), config.topics().classifications()));
      }
      this.producer = new KafkaProducer<>(
          KafkaClients.producer(config, servers), new StringSerializer(), new ByteArraySerializer());
      Properties p = KafkaClients.common(servers, config.kafka().client());
      p.put(ConsumerConfig.GROUP_ID_CONFIG, appId + "-reader");
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
      consumer.subscribe(List.of(config.topics().classifications()));
    }

    /** Appends every segment once per stream at once; returns frames/s until all are read. */
    double segments(String run, List<Segment> segments, int streams) {
      int expected = 0;
      long start = System.nanoTime();
      for (Segment s : segments) {
        for (int i = 0; i < streams; i++) {
          send(config.topics().segments(), appId + "-" + run + "-cam-" + i, s.seq(), s.bytes());
          expected += s.frames();
        }
      }
      producer.flush();
      drain(appId + "-" + run + "-", expected, null, null);
      return expected / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * Appends {@code count} JPEG records spread over {@code streams}, paced at {@code rate}
     * frames/s (0: all at once); measures append-to-append and append-to-visible latency.
     */
    FrameRun frames(String run, byte[][] jpegs, int streams, int count, double rate) throws Exception {
      Timer inference = registry.find("vidlabel.inference.time").timer();
      double batchesBefore = inference == null ? 0 : inference.count();
      double inferenceNanosBefore = inference == null ? 0 : inference.totalTime(TimeUnit.NANOSECONDS);
      var batchSize = registry.find("vidlabel.inference.batch.size").summary();
      double framesBefore = batchSize == null ? 0 : batchSize.totalAmount();
      String prefix = appId + "-" + run + "-";
      long start = System.nanoTime();
      // The sender paces on its own thread while this one reads, so "visible" is when a reader
      // following the topic sees each result.
      Thread sender = new Thread(() -> {
        for (int i = 0; i < count; i++) {
          if (rate > 0) {
            long wait = start + Math.round(i * 1e9 / rate) - System.nanoTime();
            if (wait > 0) {
              LockSupport.parkNanos(wait);
            }
          }
          send(config.topics().frames(), prefix + "cam-" + (i % streams), i, jpegs[i % jpegs.length]);
        }
        producer.flush();
      }, "bench-sender");
      sender.start();
      List<Double> append = new ArrayList<>();
      List<Double> visible = new ArrayList<>();
      try {
        drain(prefix, count, append, visible);
      } finally {
        sender.join();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      inference = registry.find("vidlabel.inference.time").timer();
      batchSize = registry.find("vidlabel.inference.batch.size").summary();
      double batches = inference.count() - batchesBefore;
      double computeMillis = (inference.totalTime(TimeUnit.NANOSECONDS) - inferenceNanosBefore) / 1e6 / batches;
      double meanBatch = (batchSize.totalAmount() - framesBefore) / batches;
      return new FrameRun(count, count / seconds, sorted(append), sorted(visible), meanBatch, computeMillis);
    }

    private void send(String topic, String stream, long seq, byte[] value) {
      ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, stream, value);
      r.headers().add(RecordHeaders.SEGMENT_SEQ, Long.toString(seq).getBytes(StandardCharsets.UTF_8));
      String key = stream + "#" + seq;
      producer.send(r, (metadata, e) -> {
        if (e == null) {
          appendedAt.put(key, metadata.timestamp());
        }
      });
    }

    /**
     * Reads classifications of streams starting with {@code prefix} until {@code expected}
     * arrived; with lists given, records each one's append and visibility latency.
     */
    private void drain(String prefix, int expected, List<Double> append, List<Double> visible) {
      int seen = 0;
      long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
      while (seen < expected) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "only " + seen + " of " + expected + " classifications arrived in " + DRAIN_LIMIT);
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
          if (r.key() == null || !r.key().startsWith(prefix)) {
            continue;
          }
          seen++;
          if (append != null) {
            long readAt = System.currentTimeMillis();
            Long in = appendedAt(r.key() + "#" + segmentOf(r.value()));
            append.add((double) (r.timestamp() - in));
            visible.add((double) (readAt - in));
          }
        }
      }
    }

    /** The input's append time; its send callback may run a moment after the result is read. */
    private long appendedAt(String key) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      Long at;
      while ((at = appendedAt.remove(key)) == null) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no append time recorded for " + key);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      }
      return at;
    }

    private static long segmentOf(byte[] classification) {
      try {
        JsonNode node = JSON.readTree(classification);
        return node.get("segment").asLong();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static double[] sorted(Collection<Double> values) {
      double[] out = values.stream().mapToDouble(Double::doubleValue).toArray();
      Arrays.sort(out);
      return out;
    }

    private void truncateInputs(String servers) throws Exception {
      try (Admin admin = Admin.create(KafkaClients.common(servers, config.kafka().client()))) {
        Set<String> existing = admin.listTopics().names().get(1, TimeUnit.MINUTES);
        List<String> inputs = List.of(config.topics().segments(), config.topics().frames()).stream()
            .filter(existing::contains).toList();
        if (inputs.isEmpty()) {
          return;
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(inputs).allTopicNames().get(1, TimeUnit.MINUTES).values().forEach(
            d -> d.partitions().forEach(
                p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
        Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
        admin.listOffsets(latest).all().get(1, TimeUnit.MINUTES).forEach(
            (tp, info) -> delete.put(tp, RecordsToDelete.beforeOffset(info.offset())));
        admin.deleteRecords(delete).all().get(1, TimeUnit.MINUTES);
      }
    }

    private void useLogAppendTime(String servers, List<String> topics) throws Exception {
      try (Admin admin = Admin.create(KafkaClients.common(servers, config.kafka().client()))) {
        Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
        for (String t : topics) {
          changes.put(new ConfigResource(ConfigResource.Type.TOPIC, t), List.of(new AlterConfigOp(
              new ConfigEntry(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime"),
              AlterConfigOp.OpType.SET)));
        }
        admin.incrementalAlterConfigs(changes).all().get(1, TimeUnit.MINUTES);
      }
    }

    @Override
    public void close() {
      consumer.close();
      producer.close();
      classifier.close();
      Directories.deleteQuietly(stateDir);
    }
  }
}
