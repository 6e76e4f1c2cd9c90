package io.vidlabel.faults;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vidlabel.api.StreamQueryServer;
import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.model.ModelStore;
import io.vidlabel.pipeline.Pipeline;
import io.vidlabel.service.RunningClassifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;

/**
 * One classifier instance of the scale-out check, run as its own process so that it can be killed
 * abruptly (SIGKILL): no shutdown hook, no last commit, an open transaction left behind, exactly
 * what a crashed pod leaves. It runs the same {@link RunningClassifier} and {@link
 * io.vidlabel.api.StreamQueries} as the {@code serve} command; only its HTTP layer differs (the
 * JDK's server instead of Quarkus REST, see {@link StreamQueryServer}).
 *
 * <p>Configured by {@code vidlabel.*} system properties, read with SmallRye Config as Quarkus
 * would; {@code vidlabel.streams.application-server} is required (its port is the HTTP port).
 */
public final class ScaleOutInstance {

  /** The group notices a killed member after this long without heartbeats (the broker's minimum is 6 s). */
  static final int SESSION_TIMEOUT_MS = 10_000;

  private static final int QUARKUS_CONVERTER_PRIORITY = 200;

  private ScaleOutInstance() {}

  public static void main(String[] args) throws Exception {
    // Quarkus registers its "10ms"-style duration converter itself; outside Quarkus it is added here.
    SmallRyeConfig smallRye =
        new SmallRyeConfigBuilder()
            .addDefaultSources()
            .withConverter(Duration.class, QUARKUS_CONVERTER_PRIORITY, new DurationConverter())
            .withMapping(VidlabelConfig.class)
            .build();
    VidlabelConfig config = smallRye.getConfigMapping(VidlabelConfig.class);
    String servers = config.kafka().bootstrapServers().orElseThrow(
        () -> new IllegalArgumentException("vidlabel.kafka.bootstrap-servers is not set"));
    String endpoint = config.streams().applicationServer().orElseThrow(
        () -> new IllegalArgumentException("vidlabel.streams.application-server is not set"));
    HostInfo self = HostInfo.buildFromEndpoint(endpoint);

    Pipeline pipeline = Pipeline.open(config);
    RunningClassifier classifier =
        RunningClassifier.start(
            config,
            servers,
            pipeline,
            new SimpleMeterRegistry(),
            Map.of(
                StreamsConfig.APPLICATION_SERVER_CONFIG, endpoint,
                StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), SESSION_TIMEOUT_MS),
            ModelStore.containing(Path.of(config.model().path())));
    StreamQueryServer server = StreamQueryServer.start(self.port(), classifier.queries());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // SIGTERM: the orderly stop of the surviving instances at the end of the check.
      server.close();
      classifier.close();
      stopped.countDown();
    }));
    System.out.println("scale-out instance " + endpoint + " serving");
    stopped.await();
  }
}
