package io.vidlabel.util;

import java.util.Arrays;

/** The order statistics and the trend the benchmarks and measurements report. */
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

  /**
   * The least-squares slope of {@code y} over {@code x} (same length, at least two distinct x):
   * the trend of a series of samples, in units of y per unit of x.
   */
  public static double slope(double[] x, double[] y) {
    if (x.length != y.length || x.length < 2) {
      throw new IllegalArgumentException("need two or more (x, y) pairs, got " + x.length + " x and " + y.length + " y");
    }
    double meanX = Arrays.stream(x).average().orElseThrow();
    double meanY = Arrays.stream(y).average().orElseThrow();
    double covariance = 0;
    double variance = 0;
    for (int i = 0; i < x.length; i++) {
      covariance += (x[i] - meanX) * (y[i] - meanY);
      variance += (x[i] - meanX) * (x[i] - meanX);
    }
    if (variance == 0) {
      throw new IllegalArgumentException("all x are equal: no slope");
    }
    return covariance / variance;
  }
}
