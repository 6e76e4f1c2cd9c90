package io.vidlabel.faults;

import io.vidlabel.config.VidlabelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts the classifier as a process of its own, so the fault suite can kill it with SIGKILL the
 * way an out-of-memory killer or a lost node would: no shutdown hook, no final commit.
 *
 * <p>Two ways to start it. {@link #packaged} runs the shipped application, {@code java -jar
 * target/quarkus-app/quarkus-run.jar serve}: the {@code faults} command uses it, so what is killed
 * is the product itself. {@link #mainClass} runs a main class on this JVM's class path: the test
 * suite uses it because it runs before {@code package} builds the jar; its main starts the same
 * {@code RunningClassifier} the {@code serve} command does. Configuration goes to the child as
 * {@code -Dvidlabel.*} system properties in both cases.
 */
public final class ClassifierLauncher {

  /** How long a stopped child may take to close cleanly (commit, leave its group). */
  static final Duration STOP_GRACE = Duration.ofSeconds(60);

  /** The child's maximum heap, whichever way it is started. */
  private static final String HEAP = "768m";

  private final List<String> command; // after java and the -D options
  private final List<String> jvmOptions;
  private final String description;

  private ClassifierLauncher(List<String> jvmOptions, List<String> command, String description) {
    this.jvmOptions = List.copyOf(jvmOptions);
    this.command = List.copyOf(command);
    this.description = description;
  }

  /** The packaged application's {@code serve} command. */
  public static ClassifierLauncher packaged(Path quarkusRunJar) {
    if (!Files.isRegularFile(quarkusRunJar)) {
      throw new IllegalArgumentException(
          quarkusRunJar + " does not exist; build the application first (./mvnw package)");
    }
    return new ClassifierLauncher(
        List.of("-Xmx" + HEAP),
        List.of("-jar", quarkusRunJar.toAbsolutePath().toString(), "serve"),
        "java -jar " + quarkusRunJar + " serve");
  }

  /** {@code mainClass} on this JVM's class path (tests: the class path surefire built). */
  public static ClassifierLauncher mainClass(String mainClass) {
    return new ClassifierLauncher(
        // The logging back end Quarkus would install; without it the Kafka clients' log is lost.
        List.of("-Xmx" + HEAP, "-Djava.util.logging.manager=org.jboss.logmanager.LogManager"),
        List.of("-cp", System.getProperty("java.class.path"), mainClass),
        "java -cp <class path> " + mainClass);
  }

  /**
   * The same launcher with the whole heap committed and touched at start ({@code -Xms} equal to
   * {@code -Xmx}, {@code -XX:+AlwaysPreTouch}), so that heap sizing never changes the child's
   * resident memory afterwards and what does change it is native memory (decoder, TensorFlow,
   * JavaCPP pointers, RocksDB, thread stacks). The soak uses it.
   */
  public ClassifierLauncher withFixedHeap() {
    List<String> options = new ArrayList<>(jvmOptions);
    options.add("-Xms" + HEAP);
    options.add("-XX:+AlwaysPreTouch");
    return new ClassifierLauncher(options, command, description + " (fixed heap)");
  }

  /**
   * The system properties every child needs: the broker, its own application id and state
   * directory, the model, and the sampling, partition count and record limit of {@code config}.
   * Mutable, for the caller's additions.
   */
  public static Map<String, String> properties(
      VidlabelConfig config, String servers, String applicationId, Path stateDir, Path modelDir) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("vidlabel.kafka.bootstrap-servers", servers);
    p.put("vidlabel.streams.application-id", applicationId);
    p.put("vidlabel.streams.state-dir", stateDir.toAbsolutePath().toString());
    p.put("vidlabel.model.path", modelDir.toAbsolutePath().toString());
    p.put("vidlabel.sampling.frames", config.sampling().frames());
    p.put("vidlabel.topics.partitions", Integer.toString(config.topics().partitions()));
    p.put("vidlabel.kafka.max-record-bytes", Integer.toString(config.kafka().maxRecordBytes()));
    return p;
  }

  /** How the child is started, for reports. */
  public String description() {
    return description;
  }

  /**
   * Starts a child with {@code properties} as system properties, working in the current directory
   * (models and TensorFlow natives are found relative to it), output appended to {@code log}.
   */
  public Process start(Map<String, String> properties, Path log) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.addAll(command);
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  /**
   * SIGTERM, so the classifier commits and leaves its group; SIGKILL if it has not ended within
   * {@link #STOP_GRACE}. Returns once the process is gone.
   */
  public static void stop(Process process) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor();
    }
  }
}
