package io.vidlabel.bench;

import io.vidlabel.bench.SoakBench.Sample;
import io.vidlabel.util.Stats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What "no memory growth" means for the soak, fixed before the run so a result cannot be read
 * into it afterwards. The classifier's resident memory climbs while it starts (model load, JIT,
 * RocksDB memtables, decoder and TensorFlow pools), so the first {@link #warmUpMinutes} are
 * left out: five minutes, or a third of a shorter run. Then two checks on the samples:
 *
 * <ul>
 *   <li><b>growth</b>: the median RSS of the last window (as long as the warm-up) may exceed the
 *       median of the window right after the warm-up by at most {@code maxGrowthPercent}. It
 *       catches a late step that a fitted line would spread out.
 *   <li><b>slope</b>: the least-squares slope of RSS over every sample after the warm-up must stay
 *       below {@code maxSlopeMibPerHour}. It catches a steady climb too slow to pass the growth
 *       check within the run.
 * </ul>
 *
 * <p>Defaults, and why (docs/reliability.md, "Memory soak"). 10 % is about 130 MiB on the 1.3 GiB
 * the classifier holds under the soak's load: room for the steps a healthy process makes (an
 * allocator arena, a RocksDB memtable), far below what leaking one decoder per segment adds in
 * half an hour. 100 MiB/h is 150 bytes per classified frame, or 7 KB per segment, at the soak's
 * default 200 frames/s: an unclosed 112x112 frame (37 KB) or grabber (hundreds of KB) exceeds it
 * many times over. A slower leak needs a longer run to show; and a single flat step of about 30 MiB
 * in mid-run also fits a slope over the bound, so a failure is read with the per-minute table.
 * RSS, not the heap: the soak's child runs with a fixed, pre-touched heap, so what can still grow
 * is native memory.
 */
public record SoakBound(double maxGrowthPercent, double maxSlopeMibPerHour) {

  /** Growth allowed unless told otherwise, percent. */
  public static final double DEFAULT_MAX_GROWTH_PERCENT = 10;

  /** Slope allowed unless told otherwise, MiB per hour. */
  public static final double DEFAULT_MAX_SLOPE_MIB_PER_HOUR = 100;

  /** Longest warm-up left out, minutes; shorter runs leave out their first third. */
  public static final double MAX_WARM_UP_MINUTES = 5;

  public SoakBound {
    if (!(maxGrowthPercent >= 0) || !(maxSlopeMibPerHour >= 0)) {
      throw new IllegalArgumentException("the bound's growth and slope must be 0 or more");
    }
  }

  /**
   * The checks' outcome.
   *
   * @param warmUpMinutes left out at the start; also the length of the two compared windows
   * @param warmMedianMib median RSS of the window right after the warm-up
   * @param lastMedianMib median RSS of the last window
   * @param growthPercent last against warm, percent
   * @param slopeMibPerHour least-squares slope after the warm-up
   * @param problems why it failed; empty when it passed
   */
  public record Verdict(
      boolean passed,
      double warmUpMinutes,
      double warmMedianMib,
      double lastMedianMib,
      double growthPercent,
      double slopeMibPerHour,
      List<String> problems) {

    public Verdict {
      problems = List.copyOf(problems);
    }

    /** The same numbers, failed for a reason outside the samples (the classifier died, did no work). */
    public Verdict failing(String problem) {
      List<String> all = new ArrayList<>();
      all.add(problem);
      all.addAll(problems);
      return new Verdict(false, warmUpMinutes, warmMedianMib, lastMedianMib, growthPercent, slopeMibPerHour, all);
    }
  }

  /** Minutes left out at the start of a run of {@code minutes}. */
  public static double warmUpMinutes(double minutes) {
    return Math.min(MAX_WARM_UP_MINUTES, minutes / 3);
  }

  /** Judges the samples of a run that lasted {@code minutes}. */
  public Verdict judge(List<Sample> samples, double minutes) {
    double w = warmUpMinutes(minutes);
    double[] warm = rss(samples, w, 2 * w);
    double[] last = rss(samples, minutes - w, Double.POSITIVE_INFINITY);
    List<Sample> after = samples.stream().filter(s -> s.minute() >= w).toList();
    if (warm.length == 0 || last.length == 0 || after.size() < 2) {
      return new Verdict(false, w, Double.NaN, Double.NaN, Double.NaN, Double.NaN, List.of(String.format(Locale.ROOT,
          "too few samples to judge: %d in the warm window, %d in the last, %d after the warm-up",
          warm.length, last.length, after.size())));
    }
    double warmMedian = Stats.median(warm);
    double lastMedian = Stats.median(last);
    double growth = 100 * (lastMedian - warmMedian) / warmMedian;
    double slope = Stats.slope(
        after.stream().mapToDouble(s -> s.minute() / 60).toArray(),
        after.stream().mapToDouble(Sample::rssMib).toArray());
    List<String> problems = new ArrayList<>();
    if (growth > maxGrowthPercent) {
      problems.add(String.format(Locale.ROOT, "RSS grew %.1f %% from the warm window to the last (bound %.1f %%)",
          growth, maxGrowthPercent));
    }
    if (slope >= maxSlopeMibPerHour) {
      problems.add(String.format(Locale.ROOT, "RSS climbs %.0f MiB/h after the warm-up (bound %.0f MiB/h)",
          slope, maxSlopeMibPerHour));
    }
    return new Verdict(problems.isEmpty(), w, warmMedian, lastMedian, growth, slope, problems);
  }

  /** The bound in words, for the report. */
  public String describe() {
    return String.format(Locale.ROOT,
        "after a warm-up of min(%.0f min, a third of the run), the last window's median RSS at most %.1f %% over"
            + " the median of the window right after the warm-up (windows as long as the warm-up), and the"
            + " least-squares RSS slope after the warm-up below %.0f MiB/h",
        MAX_WARM_UP_MINUTES, maxGrowthPercent, maxSlopeMibPerHour);
  }

  /** RSS of the samples taken from minute {@code from} (included) to {@code to} (excluded). */
  private static double[] rss(List<Sample> samples, double from, double to) {
    return samples.stream()
        .filter(s -> s.minute() >= from && s.minute() < to)
        .mapToDouble(Sample::rssMib)
        .toArray();
  }
}
