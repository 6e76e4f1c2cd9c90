package io.vidlabel.faults;

import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.decode.DecodeLimits;
import io.vidlabel.kafka.EmbeddedKafka;
import io.vidlabel.util.Directories;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fault suite's parts beyond crashes and broker restarts: decode fuzzing, the named hostile
 * inputs, and killing one of several classifier instances. Each wraps a check that also runs on
 * its own (and in the tests) and turns its report into the suite's rows; the full reports go to
 * the log, so a failure is explained where it is seen.
 */
public final class SuiteParts {

  private SuiteParts() {}

  /** A part from a name and the code that runs it. */
  private record Part(String name, Runner runner) implements FaultPart {
    @Override
    public List<FaultRow> run(PrintStream log) throws Exception {
      return runner.run(log);
    }
  }

  @FunctionalInterface
  private interface Runner {
    List<FaultRow> run(PrintStream log) throws Exception;
  }

  /**
   * Part {@code fuzz}: {@code iterations} seeded mutations of the media corpus in {@code mediaDir},
   * decoded in child JVMs the parent restarts after a crash or hang, with the service's limits.
   */
  public static FaultPart fuzz(long seed, int iterations, Path mediaDir) {
    return new Part("fuzz", log -> {
      Path saved = Files.createTempDirectory("vidlabel-fuzz-failures");
      DecodeFuzzer.Report r = new DecodeFuzzer(
              Mutator.ofDirectory(mediaDir, seed, (int) DecodeLimits.defaults().maxInputBytes()),
              DecodeFuzzer.Options.of(seed, iterations).isolated(true).savingTo(saved))
          .withMediaDir(mediaDir)
          .run();
      log.print(r.table());
      if (r.clean()) {
        Directories.deleteQuietly(saved);
      }
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("inputs", r.iterations());
      v.put("decoded", r.decoded());
      v.put("rejected with a reason", r.rejectedTotal());
      v.put("unexpected exceptions", r.count(DecodeFuzzer.UNEXPECTED));
      v.put("hangs", r.count(DecodeFuzzer.HANG));
      v.put("crashes", r.count(DecodeFuzzer.CRASH));
      return List.of(new FaultRow("fuzz", "mutated corpus decoded in child JVMs", r.clean(), v));
    });
  }

  /** Part {@code hostile}: the named hostile inputs (playlists, lying headers, empty, random). */
  public static FaultPart hostile() {
    return new Part("hostile", log -> {
      Path work = Files.createTempDirectory("vidlabel-hostile");
      HostileCases.Report r;
      try {
        r = new HostileCases(DecodeLimits.defaults(), work).run();
      } finally {
        Directories.deleteQuietly(work);
      }
      log.print(r.table());
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("cases", r.results().size());
      v.put("rejected", r.results().stream().filter(HostileCases.Result::rejected).count());
      v.put("handled as required", r.results().stream().filter(HostileCases.Result::passed).count());
      v.put("targets contacted",
          r.results().stream().filter(c -> Boolean.TRUE.equals(c.contacted())).count());
      return List.of(new FaultRow("hostile", "named hostile inputs", r.allPassed(), v));
    });
  }

  /**
   * Part {@code scale-out}: {@code instances} classifier processes in one group on a fresh
   * embedded broker, one killed with SIGKILL mid-stream; nothing lost, REST answers from the
   * survivors for every stream.
   */
  public static FaultPart scaleOut(VidlabelConfig config, Path modelDir, int instances, int streams) {
    return new Part("scale-out", log -> {
      Path work = Files.createTempDirectory("vidlabel-scale-out");
      ScaleOutCheck.Report r;
      try (EmbeddedKafka kafka = EmbeddedKafka.start(config.kafka().maxRecordBytes() + 1024 * 1024)) {
        r = ScaleOutCheck.run(new ScaleOutCheck.Options(kafka.bootstrapServers(), modelDir, instances,
            streams, Math.max(instances, streams), work, Duration.ofMinutes(6)));
      }
      if (r.passed()) {
        Directories.deleteQuietly(work);
      } else {
        log.printf("faults: scale-out failed (%s); instance logs kept in %s%n", r.problems(), work);
      }
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("instances", r.instances());
      v.put("killed held streams", r.killedHeldStreams());
      v.put("expected", r.expected());
      v.put("seen", r.seen());
      v.put("lost", r.lost());
      v.put("duplicated", r.duplicated());
      v.put("REST answered", r.restAnswered() + " of " + r.restQueries());
      v.put("answered by forwarding", r.restForwarded());
      return List.of(new FaultRow("scale-out", "1 of " + instances + " instances killed", r.passed(), v));
    });
  }
}
