package io.vidlabel.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vidlabel.bench.DecodeBench.Resolution;
import io.vidlabel.bench.DecodeBench.Row;
import io.vidlabel.util.Stats;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The decode benchmark on a tiny input with a stand-in for the ffmpeg command line: structure
 * only, never timing thresholds (the machine is shared and noisy).
 */
class DecodeBenchTest {

  @Test
  void measuresBothSidesOnTheSameFileAndReportsMediansAndRatios() throws Exception {
    List<Long> referenceFileSizes = new ArrayList<>();
    DecodeBench.Reference standIn = file -> {
      referenceFileSizes.add(Files.size(file));
      return 1_000_000L; // 1 ms per decode
    };

    List<Row> rows = DecodeBench.run(
        List.of(new Resolution("tiny", 64, 48)), 0.48, 3, standIn, System.err);

    // warm-up plus three repetitions, all on the same non-empty generated file
    assertThat(referenceFileSizes).hasSize(4).allMatch(size -> size > 0)
        .containsOnly(referenceFileSizes.get(0));
    assertThat(rows).hasSize(1);
    Row r = rows.get(0);
    assertThat(r.resolution()).isEqualTo("tiny");
    assertThat(r.width()).isEqualTo(64);
    assertThat(r.height()).isEqualTo(48);
    assertThat(r.frames()).isEqualTo(12); // 6 scenes x 0.08 s x 25 fps
    assertThat(r.repetitions()).isEqualTo(3);
    assertThat(r.cliFramesPerSecond()).isCloseTo(12 / 0.001, within(1e-6));
    assertThat(r.decodeOnlyFramesPerSecond()).isPositive().isFinite();
    assertThat(r.servedFramesPerSecond()).isPositive().isFinite();
    assertThat(r.everyFrameFramesPerSecond()).isPositive().isFinite();
    assertThat(r.decodeOnlyRatio())
        .isCloseTo(r.decodeOnlyFramesPerSecond() / r.cliFramesPerSecond(), within(1e-12));
    assertThat(r.servedRatio())
        .isCloseTo(r.servedFramesPerSecond() / r.cliFramesPerSecond(), within(1e-12));
    assertThat(r.everyFrameRatio())
        .isCloseTo(r.everyFrameFramesPerSecond() / r.cliFramesPerSecond(), within(1e-12));
    // the open is part of every decode call, so leaving it out gives a higher rate
    assertThat(r.openMillis()).isPositive();
    assertThat(r.decodeOnlyExcludingOpenFramesPerSecond())
        .isGreaterThan(r.decodeOnlyFramesPerSecond()).isFinite();
    assertThat(r.decodeOnlyExcludingOpenRatio()).isCloseTo(
        r.decodeOnlyExcludingOpenFramesPerSecond() / r.cliFramesPerSecond(), within(1e-12));
    assertThat(r.servedExcludingOpenRatio()).isGreaterThan(r.servedRatio()).isFinite();
    assertThat(DecodeBench.markdown(rows).lines())
        .hasSize(3)
        .anyMatch(l -> l.startsWith("| tiny (64x48) | 12 | 3 | "));
  }

  @Test
  void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    assertThat(Stats.median(new double[] {5, 1, 3})).isEqualTo(3);
    assertThat(Stats.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
  }

  @Test
  void readsTheDecodeLoopTimeFromFfmpegBenchmarkOutput() throws Exception {
    String output = "bench: utime=0.047s stime=0.001s rtime=0.048s\nbench: maxrss=55572kB\n";

    assertThat(DecodeBench.benchmarkRealNanos(output)).isEqualTo(48_000_000L);
    assertThatThrownBy(() -> DecodeBench.benchmarkRealNanos("Unknown encoder"))
        .hasMessageContaining("no rtime");
  }
}
