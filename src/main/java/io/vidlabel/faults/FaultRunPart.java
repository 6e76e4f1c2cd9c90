package io.vidlabel.faults;

import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.kafka.EmbeddedKafka;
import io.vidlabel.util.Directories;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A {@link FaultRun} as a part of the fault suite: its own embedded broker and work directory, one
 * row with the counts. The work directory (with the classifier's log) is kept when the run fails.
 */
public final class FaultRunPart implements FaultPart {

  private final String name;
  private final String check;
  private final VidlabelConfig config;
  private final Supplier<ClassifierLauncher> launcher; // asked when the part runs
  private final Path modelDir;
  private final FaultRun.Plan plan;
  private final Map<String, String> classifierProperties;

  public FaultRunPart(
      String name,
      String check,
      VidlabelConfig config,
      Supplier<ClassifierLauncher> launcher,
      Path modelDir,
      FaultRun.Plan plan,
      Map<String, String> classifierProperties) {
    this.name = name;
    this.check = check;
    this.config = config;
    this.launcher = launcher;
    this.modelDir = modelDir;
    this.plan = plan;
    this.classifierProperties = Map.copyOf(classifierProperties);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<FaultRow> run(PrintStream log) throws Exception {
    Path work = Files.createTempDirectory("vidlabel-faults");
    FaultRun.Result r;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(config.kafka().maxRecordBytes() + 1024 * 1024)) {
      r = new FaultRun(config, kafka, launcher.get(), modelDir, work)
          .withClassifierProperties(classifierProperties)
          .run(plan, log);
    }
    if (r.passed()) {
      Directories.deleteQuietly(work);
    } else {
      log.printf("faults: %s failed; classifier log kept at %s%n", name, r.childLog());
    }
    Map<String, Object> values = values(r);
    // A part injects one kind of fault; the other kind's column would only say 0.
    if (plan.kills() == 0) {
      values.remove("kills survived");
    }
    if (plan.brokerRestarts() == 0) {
      values.remove("broker restarts survived");
    }
    return List.of(new FaultRow(name, check, r.passed(), values));
  }

  /** The numbers of a run, in report order. */
  public static Map<String, Object> values(FaultRun.Result r) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("streams", r.streams());
    v.put("segments", r.segments());
    v.put("kills survived", r.passed() ? r.kills() : 0);
    v.put("broker restarts survived", r.passed() ? r.brokerRestarts() : 0);
    v.put("struck with uncommitted writes", r.faultsWithUncommittedWrites());
    v.put("frames expected", r.expected());
    v.put("seen", r.seen());
    v.put("lost", r.lost());
    v.put("duplicated", r.duplicated());
    v.put("out of order", r.outOfOrder());
    v.put("unexpected", r.unexpected());
    v.put("label differs", r.mislabelled());
    v.put("unasked exits", r.unexpectedExits());
    v.put("seconds", Math.round(r.seconds()));
    return v;
  }
}
