package io.vidlabel.cli;

import io.quarkus.arc.Unremovable;
import io.quarkus.runtime.Quarkus;
import io.vidlabel.api.AdminAuth;
import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.ingest.FashionSampleVideo.Sidecar;
import io.vidlabel.ingest.FashionSampleVideo;
import io.vidlabel.ingest.SegmentCutter;
import io.vidlabel.kafka.KafkaClients;
import io.vidlabel.model.ModelStore;
import io.vidlabel.service.ClassifierService;
import io.vidlabel.topology.ClassificationTopology;
import io.vidlabel.topology.Messages.SegmentLabel;
import jakarta.enterprise.context.Dependent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.eclipse.microprofile.config.ConfigProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Everything on one machine: an embedded Kafka broker (unless a cluster is configured), the
 * classifier with the configured model, a video published as 2-s segments, and the labels printed
 * as they arrive. Without {@code --video} it publishes the bundled Fashion-MNIST sample ({@link
 * FashionSampleVideo}) and prints each segment's true label beside the model's. Ctrl-C stops it
 * all.
 */
@Dependent
@Unremovable
@Command(name = "demo", description = "Run the whole pipeline on an embedded Kafka broker and print labels.")
public class DemoCommand implements Callable<Integer> {

  @Option(names = "--video", paramLabel = "FILE", description = "Video to publish (default: the bundled Fashion-MNIST sample).")
  Path video;

  @Option(names = "--stream", defaultValue = "demo-camera", description = "Stream id (default: ${DEFAULT-VALUE}).")
  String stream;

  @Option(names = "--exit-after-publish", description = "Stop once the video's labels have arrived (for scripts).")
  boolean exitAfterPublish;

  @Option(
      names = "--finetune",
      description = "Then show continuous fine-tuning: a washed-out camera, labelled feedback, a"
          + " fine-tuning round, the new model version mid-stream (about two more minutes).")
  boolean finetune;

  private final VidlabelConfig config;
  private final ClassifierService service;
  private final DemoResources resources;
  private final AdminAuth adminAuth;

  public DemoCommand(
      VidlabelConfig config, ClassifierService service, DemoResources resources, AdminAuth adminAuth) {
    this.config = config;
    this.service = service;
    this.resources = resources;
    this.adminAuth = adminAuth;
  }

  /**
   * Loggers whose warnings describe what the demo does on purpose: a fresh single-node broker's
   * first controller activation, and a Kafka Streams state directory under the temp directory.
   * Held here so that the levels set on them stay set.
   */
  private static final List<Logger> QUIETED = List.of(
      Logger.getLogger("org.apache.kafka.controller.QuorumController"),
      Logger.getLogger("org.apache.kafka.streams.processor.internals.StateDirectory"));

  private static void quietExpectedWarnings() {
    QUIETED.forEach(logger -> logger.setLevel(Level.SEVERE));
  }

  @Override
  public Integer call() throws Exception {
    if (finetune && video != null) {
      System.err.println("demo: --finetune works on the bundled sample; leave out --video");
      return 2;
    }
    if (!AdminSetup.usable(adminAuth, "demo")) {
      return 2;
    }
    Path file = video;
    Map<String, List<String>> truth = new HashMap<>();
    Sidecar sample = null;
    if (file == null) {
      file = Files.createTempFile("vidlabel-sample", ".ts");
      file.toFile().deleteOnExit();
      sample = FashionSampleVideo.copyBundled(file);
      truth.put(stream, sample.labels());
      truth.put(FineTuneDemo.STREAM, sample.labels());
      System.err.printf(
          "demo: sample video: %d Fashion-MNIST test images (%s), %d s each%n",
          sample.items().size(), sample.selection(), sample.framesPerItem() / sample.fps());
    }
    quietExpectedWarnings();
    String servers = config.kafka().bootstrapServers().orElse(null);
    if (servers == null) {
      System.err.println("demo: starting an embedded Kafka broker ...");
      servers = resources.startBroker(config.kafka().maxRecordBytes() + 1024 * 1024);
    }
    AtomicBoolean running = new AtomicBoolean(true);
    Thread printer = null;
    try {
      System.err.println("demo: Kafka at " + servers + "; loading model " + config.model().path());
      // A fresh state dir: state left by an earlier demo belongs to a broker that no longer exists.
      ModelStore store = new ModelStore(resources.storeDir());
      service.start(
          servers, Map.of(StreamsConfig.STATE_DIR_CONFIG, resources.stateDir().toString()), store);
      System.err.printf(
          "demo: live dashboard at http://localhost:%s/ (labels, review queue)%n", httpPort());
      AtomicLong seen = new AtomicLong();
      String printerServers = servers;
      Map<String, List<String>> printerTruth = truth;
      printer =
          new Thread(
              () -> printLabels(printerServers, running, seen, printerTruth), "demo-printer");
      printer.setDaemon(true);
      printer.start();

      long published = 0; // labels printed before the last publish
      PublishCommand.publish(
          config, servers, file, stream, new SegmentCutter.Options(2.0, 720, 0), false);
      if (finetune) {
        awaitQuiet(seen, published);
        FineTuneDemo act = new FineTuneDemo(config, service, servers, store, resources.workDir());
        Path camera = act.renderCamera(sample.items());
        System.err.println("demo: a second camera, " + FineTuneDemo.STREAM
            + ", shows the same items washed out (low contrast):");
        published = seen.get();
        act.publishCamera(camera);
        awaitQuiet(seen, published);
        act.sendFeedback();
        String promoted = act.fineTune();
        if (promoted != null) {
          act.awaitServing(promoted);
          published = seen.get();
          act.publishCamera(camera);
        }
      }
      System.err.printf(
          "demo: latest labels: http://localhost:%s/api/streams%n"
              + "demo: publish more with `java -jar target/quarkus-app/quarkus-run.jar publish FILE --stream ID --bootstrap-servers %s`; Ctrl-C stops.%n",
          httpPort(), servers);
      if (exitAfterPublish) {
        awaitQuiet(seen, published);
      } else {
        Quarkus.waitForExit();
      }
      return 0;
    } finally {
      running.set(false);
      if (printer != null) {
        printer.join(5000);
      }
      resources.release();
    }
  }

  /** The port Quarkus serves HTTP on (the dashboard, the REST API). */
  private static String httpPort() {
    return ConfigProvider.getConfig().getOptionalValue("quarkus.http.port", String.class).orElse("8080");
  }

  /**
   * Returns once more than {@code baseline} segment labels have been printed and none has arrived
   * for a few seconds.
   */
  private static void awaitQuiet(AtomicLong seen, long baseline) throws InterruptedException {
    long last = -1;
    long quietSince = System.nanoTime();
    while (true) {
      Thread.sleep(500); // polling a counter another thread advances; nothing to await on
      long now = seen.get();
      if (now != last) {
        last = now;
        quietSince = System.nanoTime();
      } else if (now > baseline && System.nanoTime() - quietSince > Duration.ofSeconds(5).toNanos()) {
        return;
      }
    }
  }

  /**
   * Prints every segment label as it arrives; {@code truth} holds the true label of each segment of
   * the demo's stream when the video is the bundled sample, and is empty otherwise.
   */
  private void printLabels(
      String servers, AtomicBoolean running, AtomicLong seen, Map<String, List<String>> truth) {
    Properties p = KafkaClients.common(servers, config.kafka().client());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "vidlabel-demo-printer");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<String, SegmentLabel> consumer =
        new KafkaConsumer<>(
            p,
            new StringDeserializer(),
            ClassificationTopology.SEGMENT_LABEL_SERDE.deserializer())) {
      consumer.subscribe(List.of(config.topics().segmentLabels()));
      while (running.get()) {
        for (ConsumerRecord<String, SegmentLabel> r : consumer.poll(Duration.ofMillis(500))) {
          SegmentLabel s = r.value();
          List<String> labels = truth.getOrDefault(s.stream(), List.of());
          String expected =
              s.segment() < labels.size() ? "  true label: " + labels.get((int) s.segment()) : "";
          System.out.printf(
              "%-22s segment %3d  %-12s %.2f   (%d of %d frames classified, model %s/%s)%s%n",
              s.stream(), s.segment(), s.label(), s.score(), s.framesClassified(), s.framesDecoded(),
              s.model(), s.modelVersion(), expected);
          seen.incrementAndGet();
        }
      }
    }
  }
}
