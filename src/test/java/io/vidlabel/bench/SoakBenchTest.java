package io.vidlabel.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vidlabel.bench.SoakBench.Sample;
import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.faults.ClassifierLauncher;
import io.vidlabel.faults.StandaloneClassifier;
import io.vidlabel.faults.StandaloneConfig;
import io.vidlabel.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak with its real parts for half a minute: the classifier as a process of its own (the
 * same {@code RunningClassifier} as {@code serve}, from the test class path because the jar does
 * not exist yet), a real broker, real H.264 segments in real time. It checks what the soak
 * measures and how the verdict follows from it, never a memory or speed figure: the long run is
 * {@code bench --suite soak} (README, "Reliability").
 */
class SoakBenchTest {

  private static final Path MODEL = Path.of("models/fashion-resnet/1");

  @TempDir Path work;

  @Test
  void samplesTheClassifierProcessWhileItClassifiesAndJudgesThoseSamples() throws Exception {
    VidlabelConfig config = StandaloneConfig.load(Map.of());
    SoakBound bound = new SoakBound(10, 100);
    SoakBench.Soak soak;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(config.kafka().maxRecordBytes() + 1024 * 1024)) {
      soak = new SoakBench(config, kafka.bootstrapServers(),
              ClassifierLauncher.mainClass(StandaloneClassifier.class.getName()), work)
          .run(new SoakBench.Options(MODEL, 2, Duration.ofSeconds(30), Duration.ofSeconds(1), bound), System.err);
    }
    // a PASS or FAIL of so short a run says nothing about memory: the line says so in the build log
    System.err.println("SoakBenchTest: a 30-second check of the soak's machinery, not a memory measurement;"
        + " the verdict below judges 30 seconds of warm-up");
    System.err.print(SoakBench.markdown(soak));

    // The sampled process is the child, not this JVM, and the soak stopped it.
    assertThat(soak.classifierPid()).isNotEqualTo(ProcessHandle.current().pid());
    assertThat(ProcessHandle.of(soak.classifierPid()).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(soak.samples()).isNotEmpty()
        .allSatisfy(s -> {
          assertThat(s.rssMib()).isPositive();
          assertThat(s.minute()).isBetween(0.0, soak.minutes());
          assertThat(s.heapUsedMib()).as("the plain-main classifier has no metrics endpoint").isNull();
        });
    assertThat(soak.samples()).extracting(Sample::minute).isSorted();
    assertThat(soak.framesPublished()).isPositive();
    assertThat(soak.framesClassified()).isPositive().isLessThanOrEqualTo(soak.framesPublished());
    assertThat(soak.deadLetters()).isZero();
    // Alive and working, so the verdict is the bound's judgement of exactly these samples.
    assertThat(soak.verdict()).isEqualTo(bound.judge(soak.samples(), soak.minutes()));
    assertThat(soak.verdict().warmMedianMib()).isPositive();
    // The child's 768 MiB heap is pre-touched (ClassifierLauncher.withFixedHeap), so once it has
    // started the sampled RSS holds at least that.
    assertThat(soak.verdict().lastMedianMib()).isGreaterThanOrEqualTo(768);
    assertThat(SoakBench.markdown(soak))
        .contains("| fashion-resnet/")
        .contains(soak.verdict().passed() ? "\nPASS\n" : "\nFAIL: ")
        .contains("| minute | samples | median RSS MiB |");
  }

  @Test
  void heapInUseIsTheSumOfTheHeapPoolsOfThePrometheusText() {
    String metrics = """
        # TYPE jvm_memory_used_bytes gauge
        jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1.048576E7
        jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 9.9E7
        jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2097152.0
        jvm_memory_committed_bytes{area="heap",id="G1 Old Gen"} 8.0E8
        """;

    assertThat(SoakBench.heapUsedBytes(metrics)).isEqualTo(10_485_760L + 2_097_152L);
    assertThat(SoakBench.heapUsedBytes("# no JVM binder\nhttp_server_requests_seconds_count 3.0\n")).isNull();
  }
}
