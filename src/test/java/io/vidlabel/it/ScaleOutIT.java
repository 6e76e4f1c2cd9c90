package io.vidlabel.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vidlabel.faults.ScaleOutCheck;
import io.vidlabel.faults.ScaleOutCheck.Report;
import io.vidlabel.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three classifier processes in one group on a real broker with the default model; one is killed
 * with SIGKILL while classifying. Its partitions move, every frame is classified exactly once
 * (read_committed), and both survivors answer every stream's latest label and recent
 * classifications over HTTP, routed to whichever instance owns the stream now.
 */
class ScaleOutIT {

  private static final int INSTANCES = 3;
  private static final int STREAMS = 6;

  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start(16 * 1024 * 1024);
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @Test
  void killingOneOfThreeInstancesMidStreamLosesAndDuplicatesNothingAndEverySurvivorAnswersEveryStream(
      @TempDir Path work) throws Exception {
    // when
    Report report =
        ScaleOutCheck.run(
            new ScaleOutCheck.Options(
                kafka.bootstrapServers(),
                Path.of("models/fashion-resnet/1"),
                INSTANCES,
                STREAMS,
                6,
                work,
                Duration.ofMinutes(4)));
    System.out.println("scale-out report: " + report);

    // then the kill came mid-stream: the killed instance held streams with segments still to come
    assertThat(report.kills()).isEqualTo(1);
    assertThat(report.killedUnfinishedStreams()).isPositive();
    assertThat(report.seenBeforeKill()).isPositive().isLessThan(report.expected());
    // and every expected frame classification was read exactly once
    assertThat(report.expected()).isEqualTo(STREAMS * 10 * 50L);
    assertThat(report.lost()).isZero();
    assertThat(report.duplicated()).isZero();
    assertThat(report.seen()).isEqualTo(report.expected());
    // and both survivors answered every stream with its last segment and last frames
    assertThat(report.restQueries()).isEqualTo((INSTANCES - 1) * STREAMS);
    assertThat(report.restForwarded()).isPositive();
    assertThat(report.restAnswered()).isEqualTo(report.restQueries());
    assertThat(report.recentAnswered()).isEqualTo(report.restQueries());
    assertThat(report.problems()).isEmpty();
    assertThat(report.passed()).isTrue();
  }
}
