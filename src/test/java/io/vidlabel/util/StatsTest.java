package io.vidlabel.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StatsTest {

  @Test
  void slopeOfPointsOnALineIsTheLinesSlope() {
    assertThat(Stats.slope(new double[] {0, 1, 2, 4}, new double[] {3, 5, 7, 11})).isCloseTo(2, within(1e-12));
  }

  @Test
  void slopeIsTheLeastSquaresFitOfScatteredPoints() {
    // (0,1) (1,0) (2,3) (3,2) lie around a rising line; the best fit is y = 0.6 x + 0.6
    assertThat(Stats.slope(new double[] {0, 1, 2, 3}, new double[] {1, 0, 3, 2})).isCloseTo(0.6, within(1e-12));
  }

  @Test
  void slopeNeedsTwoDistinctXs() {
    assertThatThrownBy(() -> Stats.slope(new double[] {1}, new double[] {1})).hasMessageContaining("two or more");
    assertThatThrownBy(() -> Stats.slope(new double[] {2, 2}, new double[] {1, 3})).hasMessageContaining("all x");
  }
}
