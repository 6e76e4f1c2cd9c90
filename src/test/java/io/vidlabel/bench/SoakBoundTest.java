package io.vidlabel.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vidlabel.bench.SoakBench.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/** The soak's bound on made-up series of samples, one every 5 s over 30 minutes unless said. */
class SoakBoundTest {

  private final SoakBound bound = new SoakBound(10, 100);

  @Test
  void warmUpIsFiveMinutesOrAThirdOfAShorterRun() {
    assertThat(SoakBound.warmUpMinutes(30)).isEqualTo(5);
    assertThat(SoakBound.warmUpMinutes(15)).isEqualTo(5);
    assertThat(SoakBound.warmUpMinutes(3)).isEqualTo(1);
  }

  @Test
  void passesAFlatSeriesWhateverTheWarmUpDid() {
    // a climb from 300 to 1000 MiB in the first 5 minutes (model load, heap, pools), then flat
    // with a 10 MiB wobble
    SoakBound.Verdict v = bound.judge(series(30, m -> m < 5 ? 300 + 140 * m : 1000 + 10 * Math.sin(m * 7)), 30);

    assertThat(v.passed()).isTrue();
    assertThat(v.problems()).isEmpty();
    assertThat(v.warmUpMinutes()).isEqualTo(5);
    assertThat(v.warmMedianMib()).isCloseTo(1000, within(10.0));
    assertThat(v.growthPercent()).isCloseTo(0, within(2.0));
    assertThat(v.slopeMibPerHour()).isCloseTo(0, within(10.0));
  }

  @Test
  void failsASteadyClimbTooSlowForTheGrowthCheck() {
    // 150 MiB/h: +50 MiB (5 %) between the middles of the compared windows, 20 minutes apart
    SoakBound.Verdict v = bound.judge(series(30, m -> 1000 + 2.5 * m), 30);

    assertThat(v.passed()).isFalse();
    assertThat(v.growthPercent()).isCloseTo(100 * 2.5 * 20 / (1000 + 2.5 * 7.5), within(0.5));
    assertThat(v.slopeMibPerHour()).isCloseTo(150, within(0.01));
    assertThat(v.problems()).singleElement().asString().contains("150 MiB/h").contains("bound 100 MiB/h");
  }

  @Test
  void failsAStepIntoTheLastWindow() {
    SoakBound.Verdict v = bound.judge(series(30, m -> m < 24 ? 1000 : 1150), 30);

    assertThat(v.passed()).isFalse();
    assertThat(v.warmMedianMib()).isEqualTo(1000);
    assertThat(v.lastMedianMib()).isEqualTo(1150);
    assertThat(v.growthPercent()).isCloseTo(15, within(1e-9));
    assertThat(v.problems()).first().asString().contains("grew 15.0 %").contains("bound 10.0 %");
  }

  @Test
  void shortRunsCompareThirds() {
    // 3 minutes: warm-up 0-1, warm window 1-2, last window 2-3
    SoakBound.Verdict v = bound.judge(series(3, m -> m < 2 ? 1000 : 1050), 3);

    assertThat(v.warmUpMinutes()).isEqualTo(1);
    assertThat(v.warmMedianMib()).isEqualTo(1000);
    assertThat(v.lastMedianMib()).isEqualTo(1050);
    assertThat(v.growthPercent()).isCloseTo(5, within(1e-9));
  }

  @Test
  void failsWhenAWindowHasNoSamples() {
    // the sampler stopped after minute 12
    List<Sample> samples = series(30, m -> 1000).stream().filter(s -> s.minute() < 12).toList();

    SoakBound.Verdict v = bound.judge(samples, 30);

    assertThat(v.passed()).isFalse();
    assertThat(v.problems()).singleElement().asString().startsWith("too few samples").contains("0 in the last");
  }

  @Test
  void failingForAnotherReasonKeepsTheNumbers() {
    SoakBound.Verdict flat = bound.judge(series(30, m -> 1000), 30);

    SoakBound.Verdict v = flat.failing("the classifier exited with code 137 by minute 20.0");

    assertThat(v.passed()).isFalse();
    assertThat(v.problems()).containsExactly("the classifier exited with code 137 by minute 20.0");
    assertThat(v.warmMedianMib()).isEqualTo(flat.warmMedianMib());
    assertThat(v.slopeMibPerHour()).isEqualTo(flat.slopeMibPerHour());
  }

  /** One sample every 5 s from minute 0 to {@code minutes}, RSS given by minute. */
  private static List<Sample> series(double minutes, DoubleUnaryOperator rssAtMinute) {
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i * 5 / 60.0 <= minutes; i++) {
      double m = i * 5 / 60.0;
      out.add(new Sample(m, rssAtMinute.applyAsDouble(m), null));
    }
    return out;
  }
}
