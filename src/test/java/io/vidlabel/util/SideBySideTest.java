package io.vidlabel.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class SideBySideTest {

  @Test
  void takesTurnsGoingFirstAndPairsTheRatesOfEachRepetition() throws Exception {
    List<String> calls = new ArrayList<>();

    SideBySide.Rates rates = SideBySide.alternate(4,
        r -> {
          calls.add("a" + r);
          return 10.0 * (r + 1);
        },
        r -> {
          calls.add("b" + r);
          return 5.0;
        });

    assertThat(calls).containsExactly("a0", "b0", "b1", "a1", "a2", "b2", "b3", "a3");
    assertThat(rates.ratios()).containsExactly(2, 4, 6, 8);
    assertThat(rates.lowestRatio()).isEqualTo(2);
    assertThat(rates.highestRatio()).isEqualTo(8);
  }

  @Test
  void itemsPerSecondCountsWhatTheWorkReturns() throws Exception {
    LongAdder items = new LongAdder();
    SideBySide.Rate side = SideBySide.itemsPerSecond(r -> 7, items);

    double first = side.measure(0);
    side.measure(1);

    assertThat(items.sum()).isEqualTo(14);
    assertThat(first).isPositive();
  }
}
