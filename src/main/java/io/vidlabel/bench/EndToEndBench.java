package io.vidlabel.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.decode.FrameSampler;
import io.vidlabel.ingest.SampleVideo;
import io.vidlabel.ingest.Segment;
import io.vidlabel.ingest.SegmentCutter;
import io.vidlabel.kafka.KafkaClients;
import io.vidlabel.model.ModelStore;
import io.vidlabel.pipeline.Pipeline;
import io.vidlabel.service.RunningClassifier;
import io.vidlabel.topology.RecordHeaders;
import io.vidlabel.util.Stats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Frames per second from {@code video.segments} to {@code video.classifications} through a real
 * broker, with every frame classified, read back with read_committed. Latency of a frame is the
 * time from its segment's append to the moment the reader sees the frame's classification, so it
 * includes decoding, batching, inference and the exactly-once commit interval.
 */
public final class EndToEndBench {

  /** The result of one run. */
  public record Result(
      int streams, int segments, int frames, double framesPerSecond, double p50Millis, double p99Millis) {}

  private EndToEndBench() {}

  public static Result run(
      VidlabelConfig config, String servers, Path modelDir, int streams, Pipeline.Batching batching)
      throws Exception {
    Path video = Files.createTempFile("vidlabel-bench", ".ts");
    List<Segment> segments = new ArrayList<>();
    try {
      SampleVideo.write(video, 2.0);
      new SegmentCutter(new SegmentCutter.Options(2.0, 0, 0)).cut(video, segments::add);
    } finally {
      Files.deleteIfExists(video);
    }
    int framesPerStream = segments.stream().mapToInt(Segment::frames).sum();
    Pipeline pipeline =
        Pipeline.open(modelDir, config.model().precision(), Pipeline.decodeLimits(config.decode()),
            FrameSampler.all(), batching, false);
    String appId = "vidlabel-bench-" + System.currentTimeMillis();
    try (RunningClassifier classifier =
            RunningClassifier.start(
                config, servers, pipeline, new SimpleMeterRegistry(),
                Map.of(StreamsConfig.APPLICATION_ID_CONFIG, appId), ModelStore.containing(modelDir));
        KafkaProducer<String, byte[]> producer =
            new KafkaProducer<>(KafkaClients.producer(config, servers), new StringSerializer(), new ByteArraySerializer());
        KafkaConsumer<String, byte[]> consumer =
            new KafkaConsumer<>(consumerProps(config, servers), new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(config.topics().classifications()));
      // Warm-up: one segment through everything (model, JIT, partition assignment).
      String warmup = "bench-warmup-" + appId;
      send(producer, config, warmup, segments.get(0));
      drain(consumer, warmup, segments.get(0).frames(), null);

      List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
      long start = System.currentTimeMillis();
      for (Segment s : segments) {
        for (int i = 0; i < streams; i++) {
          send(producer, config, appId + "-cam-" + i, s);
        }
      }
      int expected = streams * framesPerStream;
      long end = drain(consumer, appId + "-cam-", expected, latencies);
      double[] sorted = latencies.stream().mapToDouble(Long::doubleValue).sorted().toArray();
      return new Result(
          streams,
          segments.size() * streams,
          expected,
          expected / ((end - start) / 1000.0),
          Stats.percentile(sorted, 0.50),
          Stats.percentile(sorted, 0.99));
    }
  }

  /** The result as a Markdown table. */
  public static String markdown(Result r) {
    return "| end to end | streams | segments | frames | frames/s | p50 ms | p99 ms |\n"
        + "|------------|--------:|---------:|-------:|---------:|-------:|-------:|\n"
        + String.format(
            "| embedded broker, exactly_once_v2 | %d | %d | %d | %.0f | %.0f | %.0f |%n",
            r.streams(), r.segments(), r.frames(), r.framesPerSecond(), r.p50Millis(), r.p99Millis());
  }

  private static void send(KafkaProducer<String, byte[]> producer, VidlabelConfig config, String stream, Segment s) {
    ProducerRecord<String, byte[]> r = new ProducerRecord<>(config.topics().segments(), stream, s.bytes());
    r.headers().add(RecordHeaders.SEGMENT_SEQ, Long.toString(s.seq()).getBytes(StandardCharsets.UTF_8));
    producer.send(r);
  }

  /** Reads classifications of streams starting with {@code prefix} until {@code expected} arrived. */
  private static long drain(
      KafkaConsumer<String, byte[]> consumer, String prefix, int expected, List<Long> latencies) {
    int seen = 0;
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    long last = System.currentTimeMillis();
    while (seen < expected) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + seen + " of " + expected + " classifications arrived in 10 minutes");
      }
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
        if (r.key() != null && r.key().startsWith(prefix)) {
          seen++;
          last = System.currentTimeMillis();
          if (latencies != null) {
            latencies.add(last - r.timestamp());
          }
        }
      }
    }
    return last;
  }

  private static Properties consumerProps(VidlabelConfig config, String servers) {
    Properties p = KafkaClients.common(servers, config.kafka().client());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "vidlabel-bench-reader-" + System.nanoTime());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return p;
  }
}
