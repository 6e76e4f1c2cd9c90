package io.vidlabel.util;

import java.util.Arrays;

/** The order statistics the benchmarks and measurements report. */
public final class Stats {

  private Stats() {}

  /** The median of {@code values} (not modified); for an even count, the mean of the middle two. */
  public static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /**
   * The nearest-rank {@code q}-quantile (0 < q <= 1) of values already in ascending order: the
   * smallest value with at least {@code q} of them at or below it; NaN when there are none.
   */
  public static double percentile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  }
}
