package io.vidlabel.finetune.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.quarkus.arc.Unremovable;
import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.finetune.FineTuneJob;
import io.vidlabel.finetune.FineTuneScenario.EpochTiming;
import io.vidlabel.finetune.FineTuneScenario.Report;
import io.vidlabel.finetune.FineTuneScenario.Row;
import io.vidlabel.finetune.FineTuneScenario;
import io.vidlabel.finetune.ShiftedVideo.Look;
import jakarta.enterprise.context.Dependent;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The fine-tuning scenario benchmark: domain shift, N labelled frames, one round, before and after. */
@Dependent
@Unremovable
@Command(
    name = "scenario",
    description = "Benchmark continuous fine-tuning: a camera with another look, N labelled frames, accuracy before and after.")
public class ScenarioCommand implements Callable<Integer> {

  /** What one fine-tuning round may take on this machine. */
  private static final double MAX_ROUND_SECONDS = 300;
  private static final double MIN_EPOCH_SPEEDUP = 5;
  private static final double MAX_IN_DOMAIN_DROP = 0.01;

  @Option(names = "--feedback", split = ",", defaultValue = "100,300,1000", description = "Feedback frame counts (default: ${DEFAULT-VALUE}).")
  List<Integer> feedback;

  @Option(names = "--lineage", description = "Run the rounds on one lineage, as finetune --loop would: the counts"
      + " are totals, each round adds the frames beyond the previous count and fine-tunes the version the previous"
      + " round left served (default: every count starts afresh from the configured version).")
  boolean lineage;

  @Option(names = "--look", defaultValue = "LOW_CONTRAST", description = "Shift: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Look look;

  @Option(names = "--epoch-rounds", defaultValue = "3", description = "Alternating timed epochs per path (default: ${DEFAULT-VALUE}).")
  int epochRounds;

  @Option(names = "--time-blocks", split = ",", defaultValue = "0,1,2", description = "Further split points (last blocks trained) to time epochs for (default: ${DEFAULT-VALUE}).")
  List<Integer> timeBlocks;

  @Option(names = "--json", description = "Print JSON instead of a table.")
  boolean json;

  private final VidlabelConfig config;

  public ScenarioCommand(VidlabelConfig config) {
    this.config = config;
  }

  @Override
  public Integer call() throws Exception {
    FineTuneJob.Settings settings = FineTuneJob.settings(config);
    Report report = new FineTuneScenario(settings, Path.of(config.finetune().fashionMnistDir()))
        .run(feedback, lineage, look, epochRounds, timeBlocks, System.err);
    if (json) {
      System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
      return 0;
    }
    System.out.printf(Locale.ROOT,
        "model %s, look %s, training the last %d blocks + head, replay %s, %d held-out frames per score, %d cores%s%n%n",
        report.model(), report.look(), report.trainBlocks(), report.replay(), report.heldOutFrames(),
        Runtime.getRuntime().availableProcessors(), lineage ? ", rounds on one lineage" : "");
    System.out.println("| feedback frames | shifted before | shifted after | in-domain before | in-domain after | served | round s |");
    System.out.println("|----------------:|---------------:|--------------:|-----------------:|----------------:|-------:|--------:|");
    for (Row r : report.rows()) {
      System.out.printf(Locale.ROOT, "| %15d | %13.2f%% | %12.2f%% | %15.2f%% | %14.2f%% | %6s | %7.0f |%n",
          r.feedback(), 100 * r.shiftedBefore(), 100 * r.shiftedAfter(), 100 * r.inDomainBefore(),
          100 * r.inDomainAfter(), "v" + r.servedVersion(), r.roundSeconds());
    }
    System.out.println();
    System.out.println("| last blocks trained | epoch, cached features s | epoch, recomputing the prefix s | speedup |");
    System.out.println("|--------------------:|-------------------------:|--------------------------------:|--------:|");
    for (EpochTiming e : report.epochs()) {
      System.out.printf(Locale.ROOT, "| %19d | %24.2f | %31.2f | %6.2fx |%n",
          e.trainBlocks(), e.cachedSeconds(), e.recomputeSeconds(), e.speedup());
    }
    EpochTiming configured = report.epochs().get(0);
    Row best = report.rows().get(report.rows().size() - 1);
    System.out.printf(Locale.ROOT, "%ntargets (largest N):%n");
    double drop = report.rows().get(0).inDomainBefore() - best.inDomainAfter();
    target(best.shiftedAfter() >= report.recoveryTarget(), "shifted top-1 >= 90%% of in-domain (%.2f%%): %.2f%%",
        100 * report.recoveryTarget(), 100 * best.shiftedAfter());
    target(drop <= MAX_IN_DOMAIN_DROP, "in-domain drop <= 1 point: %.2f points", 100 * drop);
    target(best.roundSeconds() <= MAX_ROUND_SECONDS, "fine-tuning round <= 5 min: %.0f s", best.roundSeconds());
    target(configured.speedup() >= MIN_EPOCH_SPEEDUP, "cached path >= 5x faster per epoch (last %d blocks): %.2fx",
        configured.trainBlocks(), configured.speedup());
    return 0;
  }

  private static void target(boolean met, String format, Object... args) {
    System.out.println("  " + (met ? "met    " : "NOT met") + "  " + String.format(Locale.ROOT, format, args));
  }
}
