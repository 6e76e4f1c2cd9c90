package io.vidlabel.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.kafka.EmbeddedKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault suite's fast parts: the classifier runs as its own process (the same {@code
 * RunningClassifier} as {@code serve}) with the default model on a real broker, real H.264
 * segments of the bundled sample go in, and a {@code read_committed} reader checks the
 * classifications after the faults. The long run is {@code faults --kills 10} (README,
 * "Reliability").
 */
class FaultRunTest {

  private static final Path MODEL = Path.of("models/fashion-resnet/1");

  @TempDir Path work;

  @Test
  void everyFrameIsClassifiedExactlyOnceInOrderAcrossTwoSigkillsOfTheClassifier() throws Exception {
    FaultRun.Result r = run(new FaultRun.Plan(2, 6, 2, 0, 7L, Duration.ofMillis(200), Duration.ofSeconds(5)));

    assertThat(r.kills()).isEqualTo(2);
    assertExactlyOnce(r);
  }

  @Test
  void theClassifierRecoversByItselfWhenTheBrokerRestartsMidStreamAndNothingIsLostOrDuplicated() throws Exception {
    FaultRun.Result r = run(new FaultRun.Plan(2, 4, 0, 1, 11L, Duration.ofMillis(200), Duration.ofSeconds(6)));

    assertThat(r.brokerRestarts()).isEqualTo(1);
    assertExactlyOnce(r);
  }

  private FaultRun.Result run(FaultRun.Plan plan) throws Exception {
    VidlabelConfig config = StandaloneConfig.load(Map.of());
    try (EmbeddedKafka kafka = EmbeddedKafka.start(config.kafka().maxRecordBytes() + 1024 * 1024)) {
      FaultRun.Result r =
          new FaultRun(config, kafka, ClassifierLauncher.mainClass(StandaloneClassifier.class.getName()), MODEL, work)
              .run(plan, System.err);
      System.err.println(r);
      if (!r.passed()) {
        System.err.println(tail(Path.of(r.childLog()), 80));
      }
      return r;
    }
  }

  private static void assertExactlyOnce(FaultRun.Result r) {
    // 10 of each 2-second segment's 50 frames at the default fps:5 sampling, per the reference run
    assertThat(r.expected()).isEqualTo(r.segments() * 10);
    assertThat(r.unexpectedExits()).as("classifier exits nobody asked for").isZero();
    assertThat(r.lost()).as("lost").isZero();
    assertThat(r.duplicated()).as("duplicated").isZero();
    assertThat(r.unexpected()).as("classifications of frames the reference run did not sample").isZero();
    assertThat(r.outOfOrder()).as("out of order within a stream").isZero();
    assertThat(r.mislabelled()).as("top label differs from the reference run").isZero();
    assertThat(r.seen()).isEqualTo(r.expected());
  }

  private static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no classifier log: " + e.getMessage() + ")";
    }
  }
}
