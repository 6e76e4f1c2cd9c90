package io.vidlabel.faults;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.inference.TensorflowNatives;
import io.vidlabel.pipeline.Pipeline;
import io.vidlabel.service.RunningClassifier;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The classifier service as a plain {@code main} on the test class path, for the fault tests:
 * surefire runs before {@code package} builds {@code quarkus-run.jar}. It starts the same {@link
 * RunningClassifier} (pipeline, topology, model follower) that {@code serve} starts through
 * {@code ClassifierService}, from the same {@code vidlabel.*} keys given as system properties;
 * only the Quarkus shell around it (HTTP, CDI) is missing. SIGTERM closes it cleanly.
 */
public final class StandaloneClassifier {

  /** Held so the levels set on them are not lost when an unreferenced logger is collected. */
  private static final Logger[] CONFIGURED = {
    Logger.getLogger(""),
    Logger.getLogger("org.apache.kafka"),
    Logger.getLogger("org.apache.kafka.streams"),
    Logger.getLogger("ai.djl")
  };

  private StandaloneClassifier() {}

  public static void main(String[] args) throws InterruptedException {
    logToStderr();
    TensorflowNatives.configure();
    VidlabelConfig config = StandaloneConfig.load(Map.of());
    String servers = config.kafka().bootstrapServers()
        .orElseThrow(() -> new IllegalArgumentException("vidlabel.kafka.bootstrap-servers is not set"));
    Pipeline pipeline = Pipeline.open(config);
    RunningClassifier running =
        RunningClassifier.start(
            config, servers, pipeline, new SimpleMeterRegistry(), Map.of(), RunningClassifier.modelStore(config));
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      running.close();
      closed.countDown();
    }, "classifier-shutdown"));
    System.err.println("standalone classifier running against " + servers);
    closed.await();
  }

  /** What Quarkus's console logging would do: INFO to stderr, Kafka clients at WARN, Streams at INFO. */
  private static void logToStderr() {
    ConsoleHandler console = new ConsoleHandler();
    console.setLevel(Level.ALL);
    CONFIGURED[0].addHandler(console);
    CONFIGURED[0].setLevel(Level.INFO);
    CONFIGURED[1].setLevel(Level.WARNING);
    CONFIGURED[2].setLevel(Level.INFO);
    CONFIGURED[3].setLevel(Level.WARNING);
  }
}
