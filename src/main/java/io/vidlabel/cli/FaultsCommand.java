package io.vidlabel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.quarkus.arc.Unremovable;
import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.faults.ClassifierLauncher;
import io.vidlabel.faults.FaultPart;
import io.vidlabel.faults.FaultReport;
import io.vidlabel.faults.FaultRow;
import io.vidlabel.faults.FaultRun;
import io.vidlabel.faults.FaultRunPart;
import io.vidlabel.faults.SuiteParts;
import jakarta.enterprise.context.Dependent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The fault suite: runs named parts, each injecting one kind of fault into a real deployment
 * (classifier process, embedded broker), and prints what survived. Exit 1 when a check fails.
 */
@Dependent
@Unremovable
@Command(
    name = "faults",
    description = {
      "Fault suite. Part crash: the classifier (this application's serve command, as a child process) is killed"
          + " with SIGKILL at seeded random moments while it works and restarted; part broker-restart: the embedded"
          + " broker is stopped and started again mid-stream. A read_committed reader then checks every expected"
          + " frame classification is there exactly once, in order per stream. Part scale-out: one of several"
          + " classifier processes in a group is killed; nothing lost, every stream answered over REST by the survivors."
          + " Part fuzz: seeded mutations of real video decoded in child JVMs (crashes and hangs counted). Part"
          + " hostile: named hostile inputs (playlists to file:// and http://, lying headers, empty, random bytes)."
    })
public class FaultsCommand implements Callable<Integer> {

  @Option(names = "--part", paramLabel = "NAME",
      description = "Run only these parts (repeatable; default: all). Parts: crash, broker-restart, scale-out, fuzz,"
          + " hostile.")
  List<String> only = new ArrayList<>();

  @Option(names = "--streams", defaultValue = "3", description = "Concurrent streams (default: ${DEFAULT-VALUE}).")
  int streams;

  @Option(names = "--segments", defaultValue = "12",
      description = "2-second segments per stream, at least faults + 1 (default: ${DEFAULT-VALUE}).")
  int segments;

  @Option(names = "--kills", defaultValue = "3", description = "Part crash: SIGKILLs of the classifier (default: ${DEFAULT-VALUE}).")
  int kills;

  @Option(names = "--broker-restarts", defaultValue = "1",
      description = "Part broker-restart: stops and starts of the broker (default: ${DEFAULT-VALUE}).")
  int brokerRestarts;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--max-delay-ms", defaultValue = "300",
      description = "Fault moment: up to this long after the wave's randomly chosen result (default: ${DEFAULT-VALUE}).")
  long maxDelayMs;

  @Option(names = "--max-broker-downtime", defaultValue = "10",
      description = "Part broker-restart: seconds the broker stays down, at most; at least 1 (default: ${DEFAULT-VALUE}).")
  long maxBrokerDowntime;

  @Option(names = "--app", paramLabel = "JAR", defaultValue = "target/quarkus-app/quarkus-run.jar",
      description = "The packaged application the classifier runs from (default: ${DEFAULT-VALUE}).")
  Path app;

  @Option(names = "--model", paramLabel = "DIR", description = "Model directory (default: vidlabel.model.path).")
  Path model;

  @Option(names = "--classifier-property", paramLabel = "KEY=VALUE",
      description = "A system property for the classifier process (repeatable), e.g."
          + " vidlabel.streams.processing-guarantee=at_least_once to see what the checks report then.")
  Map<String, String> classifierProperties = new LinkedHashMap<>();

  @Option(names = "--instances", defaultValue = "3",
      description = "Part scale-out: classifier processes in one group, one of them killed (default: ${DEFAULT-VALUE}).")
  int instances;

  @Option(names = "--fuzz-iterations", defaultValue = "1000",
      description = "Part fuzz: mutated inputs decoded in child JVMs (default: ${DEFAULT-VALUE}).")
  int fuzzIterations;

  @Option(names = "--media", paramLabel = "DIR", defaultValue = "../shared/media",
      description = "Part fuzz: the corpus of real video files to mutate (default: ${DEFAULT-VALUE}).")
  Path media;

  @Option(names = "--json", description = "Print JSON instead of tables.")
  boolean json;

  private final VidlabelConfig config;

  public FaultsCommand(VidlabelConfig config) {
    this.config = config;
  }

  /** Every part, in report order. A new part is one more entry here. */
  private List<FaultPart> parts() {
    Supplier<ClassifierLauncher> launcher = () -> ClassifierLauncher.packaged(app);
    Path dir = model != null ? model : Path.of(config.model().path());
    Duration delay = Duration.ofMillis(maxDelayMs);
    Duration downtime = Duration.ofSeconds(maxBrokerDowntime);
    return List.of(
        new FaultRunPart("crash", "SIGKILL of the classifier, restart", config, launcher, dir,
            new FaultRun.Plan(streams, segments, kills, 0, seed, delay, downtime), classifierProperties),
        new FaultRunPart("broker-restart", "broker stopped and started mid-stream", config, launcher, dir,
            new FaultRun.Plan(streams, segments, 0, brokerRestarts, seed, delay, downtime), classifierProperties),
        SuiteParts.scaleOut(config, dir, instances, streams),
        SuiteParts.fuzz(seed, fuzzIterations, media),
        SuiteParts.hostile());
  }

  @Override
  public Integer call() throws Exception {
    List<FaultPart> parts = parts();
    List<String> names = parts.stream().map(FaultPart::name).toList();
    for (String p : only) {
      if (!names.contains(p)) {
        System.err.println("faults: unknown part " + p + "; parts: " + String.join(", ", names));
        return 2;
      }
    }
    List<FaultRow> rows = new ArrayList<>();
    for (FaultPart part : parts) {
      if (only.isEmpty() || only.contains(part.name())) {
        System.err.println("faults: part " + part.name() + " ...");
        rows.addAll(part.run(System.err));
      }
    }
    if (json) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("passed", FaultReport.allPassed(rows));
      out.put("rows", rows);
      System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
    } else {
      System.out.print(FaultReport.markdown(rows));
    }
    return FaultReport.allPassed(rows) ? 0 : 1;
  }
}
