package io.vidlabel.util;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * Two sides of a comparison measured in turns in one run: repetition {@code r} runs side {@code a}
 * first when {@code r} is even and side {@code b} first when it is odd, so a change in the shared
 * machine's load falls on both sides alike, and every repetition gives one ratio.
 */
public final class SideBySide {

  private SideBySide() {}

  /** One timed run of one side: what it achieved, in items per second. */
  @FunctionalInterface
  public interface Rate {
    double measure(int repetition) throws Exception;
  }

  /** One run of one side that returns how many items it processed. */
  @FunctionalInterface
  public interface Work {
    long run(int repetition) throws Exception;
  }

  /** Rates of both sides, one per repetition. */
  public record Rates(double[] a, double[] b) {

    public int repetitions() {
      return a.length;
    }

    /** a / b per repetition. */
    public double[] ratios() {
      double[] out = new double[a.length];
      for (int r = 0; r < a.length; r++) {
        out[r] = a[r] / b[r];
      }
      return out;
    }

    public double lowestRatio() {
      return Arrays.stream(ratios()).min().orElseThrow();
    }

    public double highestRatio() {
      return Arrays.stream(ratios()).max().orElseThrow();
    }
  }

  /** Runs {@code repetitions} rounds of both sides, alternating which one goes first. */
  public static Rates alternate(int repetitions, Rate a, Rate b) throws Exception {
    double[] ra = new double[repetitions];
    double[] rb = new double[repetitions];
    for (int r = 0; r < repetitions; r++) {
      if (r % 2 == 0) {
        ra[r] = a.measure(r);
        rb[r] = b.measure(r);
      } else {
        rb[r] = b.measure(r);
        ra[r] = a.measure(r);
      }
    }
    return new Rates(ra, rb);
  }

  /** A side timed around {@code work}: its items over the wall time, also added to {@code items}. */
  public static Rate itemsPerSecond(Work work, LongAdder items) {
    return repetition -> {
      long start = System.nanoTime();
      long done = work.run(repetition);
      double seconds = (System.nanoTime() - start) / 1e9;
      items.add(done);
      return done / seconds;
    };
  }
}
