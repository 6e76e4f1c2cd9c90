package io.vidlabel.faults;

import io.vidlabel.decode.DecodeException;
import io.vidlabel.decode.DecodeLimits;
import io.vidlabel.decode.DecodedVideo;
import io.vidlabel.decode.FrameSampler;
import io.vidlabel.decode.FrameSize;
import io.vidlabel.decode.VideoDecoder;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Mutation fuzzing of {@link VideoDecoder} over a corpus of real media (the project uses {@code
 * ../shared/media}): a fixed number of seeded inputs ({@link Mutator}), each decoded with the
 * service's limits, each outcome counted: decoded, rejected with a {@link DecodeException.Reason},
 * an unexpected exception (a bug: bad input must end in a reason), a hang (the decode ran past its
 * time limit plus a grace) or a crash of the JVM.
 *
 * <p>FFmpeg is native code, so a crash would take the JVM with it. To count crashes honestly the
 * {@linkplain Options#isolated() isolated} mode runs the loop in a child JVM; the parent reads one
 * line per input from it, and when the child dies (or stops answering past the hang limit) records
 * that input as a crash (or hang), kills the child if needed, and starts a new one at the next
 * input. The in-process mode is faster to start and is what the unit test runs; it can count hangs
 * (the stuck thread is abandoned) but a crash ends it.
 *
 * <p>Run it: {@code java -cp ... io.vidlabel.faults.DecodeFuzzer [--iterations N] [--seed S]
 * [--media DIR] [--in-process] [--save DIR]}; it prints the report table and exits 1 on any crash,
 * hang or unexpected exception.
 */
public final class DecodeFuzzer {

  /** The frame size decoded frames are scaled to: small, the work is in demuxing and decoding. */
  static final FrameSize SCALE = new FrameSize(64, 64);
  /** Lines of the child protocol start with this; anything else on its stdout is ignored. */
  static final String PREFIX = "@@fuzz ";
  /** Time a fresh child JVM gets to load FFmpeg before its first answer is due. */
  private static final Duration CHILD_START = Duration.ofSeconds(60);

  /**
   * How to fuzz.
   *
   * @param seed the mutator's seed
   * @param iterations number of inputs, numbered from 0
   * @param limits the decoder's limits; {@code maxDecodeTime} plus {@code grace} defines a hang
   * @param grace time past the decode limit before an input counts as a hang
   * @param isolated decode in child JVMs that the parent restarts after a crash or hang
   * @param saveDir where crashing, hanging or unexpected inputs are written (null: not saved)
   * @param childCommand how to start a child JVM up to (not including) its arguments; null: this
   *     JVM's java with its class path and {@code io.vidlabel.faults.DecodeFuzzer}
   */
  public record Options(
      long seed,
      int iterations,
      DecodeLimits limits,
      Duration grace,
      boolean isolated,
      Path saveDir,
      List<String> childCommand) {

    public Options {
      Objects.requireNonNull(limits, "limits");
      Objects.requireNonNull(grace, "grace");
      if (iterations < 0) {
        throw new IllegalArgumentException("iterations must be >= 0");
      }
    }

    /** In-process defaults: the service's limits, 10 s grace. */
    public static Options of(long seed, int iterations) {
      return new Options(seed, iterations, DecodeLimits.defaults(), Duration.ofSeconds(10), false, null, null);
    }

    public Options isolated(boolean value) {
      return new Options(seed, iterations, limits, grace, value, saveDir, childCommand);
    }

    public Options withLimits(DecodeLimits value) {
      return new Options(seed, iterations, value, grace, isolated, saveDir, childCommand);
    }

    public Options savingTo(Path dir) {
      return new Options(seed, iterations, limits, grace, isolated, dir, childCommand);
    }

    Duration hangAfter() {
      return limits.maxDecodeTime().plus(grace);
    }
  }

  /** An input that crashed the decoder's JVM, hung, or threw something other than a reason. */
  public record Failure(int iteration, String kind, String source, List<String> mutations, int bytes,
      String detail, Path saved) {}

  /** What a run found. */
  public record Report(
      long seed,
      int iterations,
      boolean isolated,
      List<String> corpus,
      int decoded,
      Map<String, Integer> rejected,
      List<Failure> failures,
      int childrenStarted,
      long maxDecodeMillis,
      long totalDecodeMillis,
      Duration elapsed) {

    public int rejectedTotal() {
      return rejected.values().stream().mapToInt(Integer::intValue).sum();
    }

    public long count(String kind) {
      return failures.stream().filter(f -> f.kind().equals(kind)).count();
    }

    /** No crash, no hang, no unexpected exception. */
    public boolean clean() {
      return failures.isEmpty();
    }

    /** A plain-text table for a terminal or a document. */
    public String table() {
      StringBuilder b = new StringBuilder();
      b.append(String.format(Locale.ROOT, "decode fuzzing: %d inputs, seed %d, %s, corpus of %d files%n",
          iterations, seed, isolated ? "isolated child JVMs (" + childrenStarted + " started)" : "in process",
          corpus.size()));
      b.append(String.format(Locale.ROOT, "| %-30s | %7s |%n", "outcome", "inputs"));
      b.append("|--------------------------------|--------:|\n");
      row(b, "decoded", decoded);
      rejected.forEach((reason, n) -> row(b, "rejected " + reason, n));
      row(b, "unexpected exception", (int) count(UNEXPECTED));
      row(b, "hang", (int) count(HANG));
      row(b, "JVM crash", (int) count(CRASH));
      b.append(String.format(Locale.ROOT, "decode time: mean %.1f ms, max %d ms; wall time %.1f s%n",
          iterations == 0 ? 0.0 : totalDecodeMillis / (double) iterations, maxDecodeMillis,
          elapsed.toMillis() / 1000.0));
      for (Failure f : failures) {
        b.append(String.format(Locale.ROOT, "  %s at input %d (%s, %d bytes, %s): %s%s%n", f.kind(), f.iteration(),
            f.source(), f.bytes(), String.join("; ", f.mutations()), f.detail(),
            f.saved() == null ? "" : " saved as " + f.saved()));
      }
      return b.toString();
    }

    private static void row(StringBuilder b, String what, int n) {
      b.append(String.format(Locale.ROOT, "| %-30s | %7d |%n", what, n));
    }
  }

  public static final String CRASH = "CRASH";
  public static final String HANG = "HANG";
  public static final String UNEXPECTED = "UNEXPECTED";

  private final Mutator mutator;
  private final Options options;
  /** Extra child arguments that inject faults (tests of the supervision only). */
  private final List<String> injected = new ArrayList<>();
  private Path mediaDir = Path.of("../shared/media");

  public DecodeFuzzer(Mutator mutator, Options options) {
    this.mutator = Objects.requireNonNull(mutator, "mutator");
    this.options = Objects.requireNonNull(options, "options");
  }

  /** Runs every input and returns what happened; never throws for a failing input. */
  public Report run() {
    Tally tally = new Tally();
    long started = System.nanoTime();
    if (options.isolated()) {
      runIsolated(tally);
    } else {
      runInProcess(tally);
    }
    return new Report(options.seed(), options.iterations(), options.isolated(), mutator.corpus(),
        tally.decoded, tally.rejected, tally.failures, tally.children, tally.maxMillis, tally.totalMillis,
        Duration.ofNanos(System.nanoTime() - started));
  }

  /** The outcome of one decode, as the child reports it. */
  record Outcome(String kind, String detail, long millis) {}

  /** Decodes one input on the calling thread; never throws. */
  static Outcome decodeOnce(VideoDecoder decoder, byte[] media) {
    long t0 = System.nanoTime();
    String kind;
    String detail;
    try {
      DecodedVideo v = decoder.decode(media, FrameSampler.parse("every:5"), SCALE);
      kind = "DECODED";
      detail = Integer.toString(v.framesDecoded());
    } catch (DecodeException e) {
      kind = "REJECTED";
      detail = e.reason().name();
    } catch (Throwable t) {
      kind = UNEXPECTED;
      detail = t.getClass().getName() + ": " + String.valueOf(t.getMessage()).replace('\n', ' ');
    }
    return new Outcome(kind, detail, (System.nanoTime() - t0) / 1_000_000);
  }

  private void runInProcess(Tally tally) {
    VideoDecoder decoder = new VideoDecoder(options.limits());
    ExecutorService worker = newWorker();
    try {
      for (int i = 0; i < options.iterations(); i++) {
        Mutator.Input input = mutator.input(i);
        Future<Outcome> f = worker.submit(() -> decodeOnce(decoder, input.bytes()));
        try {
          tally.add(input, f.get(options.hangAfter().toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
          tally.fail(input, HANG, "still decoding after " + options.hangAfter().toMillis() + " ms", save(input));
          worker.shutdownNow(); // the stuck thread is abandoned (it is a daemon); go on with a new one
          worker = newWorker();
        } catch (ExecutionException e) {
          tally.fail(input, UNEXPECTED, String.valueOf(e.getCause()), save(input));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while fuzzing", e);
        }
      }
    } finally {
      worker.shutdownNow();
    }
  }

  private static ExecutorService newWorker() {
    return Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "decode-fuzz");
      t.setDaemon(true);
      return t;
    });
  }

  private void runIsolated(Tally tally) {
    int next = 0;
    while (next < options.iterations()) {
      next = runChild(next, tally);
    }
  }

  /** Starts a child at input {@code from}; returns the input after the last one accounted for. */
  private int runChild(int from, Tally tally) {
    tally.children++;
    List<String> command = new ArrayList<>(options.childCommand() != null ? options.childCommand() : defaultChildCommand());
    command.addAll(childArguments(from));
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
    Process child;
    try {
      child = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the fuzzing child JVM: " + command.get(0), e);
    }
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          if (line.startsWith(PREFIX)) {
            lines.add(line.substring(PREFIX.length()));
          }
        }
      } catch (IOException ignored) {
        // the child died; EOF below
      } finally {
        lines.add("EOF");
      }
    }, "decode-fuzz-child-reader");
    reader.setDaemon(true);
    reader.start();
    int current = -1;
    boolean first = true;
    try {
      while (true) {
        long wait = options.hangAfter().toMillis() + (first ? CHILD_START.toMillis() : 0);
        String line = lines.poll(wait, TimeUnit.MILLISECONDS);
        if (line == null) {
          int at = Math.max(current, from);
          child.destroyForcibly().waitFor();
          Mutator.Input input = mutator.input(at);
          tally.fail(input, HANG, "no answer from the child for " + wait + " ms", save(input));
          return at + 1;
        }
        if (line.equals("EOF")) {
          int exit = child.waitFor();
          if (current < 0) {
            throw new IllegalStateException("the fuzzing child exited with " + exit + " before its first input");
          }
          if (tally.done(current)) {
            // exit 0: all inputs done; otherwise it died between two inputs: go on after the last
            return exit == 0 ? options.iterations() : current + 1;
          }
          Mutator.Input input = mutator.input(current);
          tally.fail(input, CRASH, "child JVM died with exit code " + exit + describeSignal(exit)
              + crashReport(child.pid()), save(input));
          return current + 1;
        }
        String[] f = line.split(" ", 4);
        if (f[0].equals("B")) {
          current = Integer.parseInt(f[1]);
          first = false;
        } else if (f[0].equals("E")) {
          int i = Integer.parseInt(f[1]);
          tally.add(mutator.input(i), new Outcome(f[2], f.length > 3 ? f[3].substring(f[3].indexOf(' ') + 1) : "",
              Long.parseLong(f[3].substring(0, f[3].indexOf(' ')))));
          tally.markDone(i);
        }
      }
    } catch (InterruptedException e) {
      child.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while fuzzing", e);
    }
  }

  /**
   * The signal and faulting frame from the JVM's crash report of the child, if it wrote one where
   * {@link #defaultChildCommand} asks: what a person reading the report needs first.
   */
  static String crashReport(long pid) {
    Path report = Path.of(System.getProperty("java.io.tmpdir"), "vidlabel-fuzz-hs_err_pid" + pid + ".log");
    if (!Files.isRegularFile(report)) {
      return "";
    }
    try (var lines = Files.lines(report, StandardCharsets.ISO_8859_1)) {
      List<String> head = lines.limit(40).toList();
      String signal = head.stream().filter(l -> l.matches("#\\s+SIG\\w+ .*")).findFirst().orElse("").replace('#', ' ').strip();
      int at = head.indexOf("# Problematic frame:");
      String frame = at >= 0 && at + 1 < head.size() ? head.get(at + 1).replace('#', ' ').strip() : "";
      return "; " + signal + (frame.isEmpty() ? "" : " in " + frame) + " (crash report " + report + ")";
    } catch (IOException | UncheckedIOException e) {
      return "; crash report " + report;
    }
  }

  private static String describeSignal(int exit) {
    return exit > 128 ? " (signal " + (exit - 128) + ")" : "";
  }

  private List<String> childArguments(int from) {
    DecodeLimits l = options.limits();
    List<String> args = new ArrayList<>(injected);
    args.addAll(List.of("--child", "--from", Integer.toString(from), "--iterations", Integer.toString(options.iterations()),
        "--seed", Long.toString(options.seed()), "--media", mediaDir.toString(),
        "--max-decode-ms", Long.toString(l.maxDecodeTime().toMillis()),
        "--max-input-bytes", Long.toString(l.maxInputBytes())));
    return args;
  }

  /**
   * Fault injection for testing the parent's bookkeeping: the child dies of a real SIGSEGV when it
   * reaches input {@code crashAt} and stops answering at {@code hangAt} (-1: never).
   */
  public DecodeFuzzer injectingChildFaults(int crashAt, int hangAt) {
    injected.clear();
    injected.addAll(List.of("--crash-at", Integer.toString(crashAt), "--hang-at", Integer.toString(hangAt)));
    return this;
  }

  /** Where the child finds the corpus (the same the parent's mutator was built from). */
  public DecodeFuzzer withMediaDir(Path dir) {
    this.mediaDir = dir.toAbsolutePath();
    return this;
  }

  /**
   * {@code java -cp <class path> io.vidlabel.faults.DecodeFuzzer}: this JVM's class path when it
   * names a directory or jar that holds this class; inside a Quarkus fast-jar (whose class path is
   * only quarkus-run.jar) the application's {@code app/} and {@code lib/} folders.
   */
  static List<String> defaultChildCommand() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classPath = System.getProperty("java.class.path");
    try {
      Path self = Path.of(DecodeFuzzer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path app = self.getParent();
      if (app != null && app.getFileName() != null && app.getFileName().toString().equals("app")
          && Files.isDirectory(app.resolveSibling("lib"))) {
        Path root = app.getParent();
        classPath = String.join(File.pathSeparator, root.resolve("app") + File.separator + "*",
            root.resolve("lib/boot") + File.separator + "*", root.resolve("lib/main") + File.separator + "*");
      }
    } catch (Exception ignored) {
      // keep java.class.path
    }
    // A crash report goes to the temp dir, not the working directory; no core dump.
    String errorFile = Path.of(System.getProperty("java.io.tmpdir"), "vidlabel-fuzz-hs_err_pid%p.log").toString();
    return List.of(java, "-Xmx512m", "-XX:ErrorFile=" + errorFile, "-XX:-CreateCoredumpOnCrash", "-cp", classPath,
        DecodeFuzzer.class.getName());
  }

  private Path save(Mutator.Input input) {
    if (options.saveDir() == null) {
      return null;
    }
    try {
      Files.createDirectories(options.saveDir());
      Path out = options.saveDir().resolve("fuzz-" + options.seed() + "-" + input.iteration() + ".bin");
      Files.write(out, input.bytes());
      return out;
    } catch (IOException e) {
      return null;
    }
  }

  /** Counts, shared by both modes. */
  private static final class Tally {
    int decoded;
    final Map<String, Integer> rejected = new TreeMap<>();
    final List<Failure> failures = new ArrayList<>();
    final java.util.BitSet done = new java.util.BitSet();
    int children;
    long maxMillis;
    long totalMillis;

    void add(Mutator.Input input, Outcome o) {
      maxMillis = Math.max(maxMillis, o.millis());
      totalMillis += o.millis();
      switch (o.kind()) {
        case "DECODED" -> decoded++;
        case "REJECTED" -> rejected.merge(o.detail(), 1, Integer::sum);
        default -> fail(input, UNEXPECTED, o.detail(), null);
      }
    }

    void fail(Mutator.Input input, String kind, String detail, Path saved) {
      failures.add(new Failure(input.iteration(), kind, input.source(), input.mutations(), input.bytes().length,
          detail, saved));
      done.set(input.iteration());
    }

    void markDone(int i) {
      done.set(i);
    }

    boolean done(int i) {
      return done.get(i);
    }
  }

  /**
   * The child side: decodes inputs {@code from..iterations-1} in order and reports each on
   * stdout, {@code B i} before and {@code E i KIND MILLIS DETAIL} after. Exposed so a command
   * that launches children its own way can run it.
   */
  public static void runChild(String[] args, PrintStream out) {
    Map<String, String> a = parse(args);
    int from = Integer.parseInt(a.getOrDefault("--from", "0"));
    int iterations = Integer.parseInt(a.getOrDefault("--iterations", "0"));
    long seed = Long.parseLong(a.getOrDefault("--seed", "1"));
    DecodeLimits limits = DecodeLimits.defaults()
        .withMaxDecodeTime(Duration.ofMillis(Long.parseLong(a.getOrDefault("--max-decode-ms", "30000"))))
        .withMaxInputBytes(Long.parseLong(a.getOrDefault("--max-input-bytes", "33554432")));
    Mutator mutator = Mutator.ofDirectory(Path.of(a.getOrDefault("--media", "../shared/media")), seed,
        (int) Math.min(Integer.MAX_VALUE, limits.maxInputBytes()));
    VideoDecoder decoder = new VideoDecoder(limits);
    int crashAt = Integer.parseInt(a.getOrDefault("--crash-at", "-1"));
    int hangAt = Integer.parseInt(a.getOrDefault("--hang-at", "-1"));
    for (int i = from; i < iterations; i++) {
      Mutator.Input input = mutator.input(i);
      out.println(PREFIX + "B " + i);
      out.flush();
      if (i == crashAt) {
        FaultInjection.segfault();
      }
      if (i == hangAt) {
        FaultInjection.hang();
      }
      Outcome o = decodeOnce(decoder, input.bytes());
      out.println(PREFIX + "E " + i + " " + o.kind() + " " + o.millis() + " " + o.detail());
      out.flush();
    }
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> out = new TreeMap<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].startsWith("--")) {
        boolean flag = i + 1 >= args.length || args[i + 1].startsWith("--");
        out.put(args[i], flag ? "true" : args[++i]);
      }
    }
    return out;
  }

  /** See the class comment for the arguments. */
  public static void main(String[] args) {
    Map<String, String> a = parse(args);
    if (a.containsKey("--child")) {
      runChild(args, System.out);
      return;
    }
    long seed = Long.parseLong(a.getOrDefault("--seed", "1"));
    int iterations = Integer.parseInt(a.getOrDefault("--iterations", "1000"));
    Path media = Path.of(a.getOrDefault("--media", "../shared/media"));
    Options options = Options.of(seed, iterations).isolated(!a.containsKey("--in-process"));
    if (a.containsKey("--save")) {
      options = options.savingTo(Path.of(a.get("--save")));
    }
    Mutator mutator = Mutator.ofDirectory(media, seed, (int) options.limits().maxInputBytes());
    Report report = new DecodeFuzzer(mutator, options).withMediaDir(media).run();
    System.out.print(report.table());
    if (!report.clean()) {
      System.exit(1);
    }
  }
}
