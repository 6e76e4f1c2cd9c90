package io.vidlabel.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.vidlabel.api.StreamQueries;
import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.feedback.FeedbackSender;
import io.vidlabel.kafka.KafkaClients;
import io.vidlabel.lifecycle.ModelFollower;
import io.vidlabel.model.ModelStore;
import io.vidlabel.pipeline.Pipeline;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.eclipse.microprofile.config.ConfigProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the running classifier: the model pipeline and the Kafka Streams instance around it.
 * Started explicitly by the {@code serve} and {@code demo} commands, so other commands never
 * connect to Kafka.
 */
@ApplicationScoped
public class ClassifierService {

  private static final Logger LOG = LoggerFactory.getLogger(ClassifierService.class);
  private static final int QUARKUS_DEFAULT_HTTP_PORT = 8080;

  private final VidlabelConfig config;
  private final MeterRegistry registry;
  private RunningClassifier running;
  private String bootstrapServers;
  private FeedbackSender feedbackSender; // created on first use

  public ClassifierService(VidlabelConfig config, MeterRegistry registry) {
    this.config = config;
    this.registry = registry;
  }

  /** Loads the model, creates missing topics and starts the topology against the given cluster. */
  public void start(String bootstrapServers) {
    start(bootstrapServers, Map.of());
  }

  /** As {@link #start(String)}, with some Kafka Streams properties replaced (the demo's state dir). */
  public void start(String bootstrapServers, Map<String, Object> streamsOverrides) {
    start(bootstrapServers, streamsOverrides, RunningClassifier.modelStore(config));
  }

  /** As above, following model versions in {@code store} instead of the configured one (the demo's). */
  public synchronized void start(String bootstrapServers, Map<String, Object> streamsOverrides, ModelStore store) {
    if (running != null) {
      throw new IllegalStateException("the classifier is already running");
    }
    Pipeline pipeline = Pipeline.open(config);
    LOG.info(
        "model {} version {} loaded from {} and warmed up",
        pipeline.model().name(),
        pipeline.model().version(),
        config.model().path());
    Map<String, Object> overrides = new HashMap<>(streamsOverrides);
    overrides.putIfAbsent(StreamsConfig.APPLICATION_SERVER_CONFIG, applicationServer());
    try {
      running = RunningClassifier.start(config, bootstrapServers, pipeline, registry, overrides, store);
      this.bootstrapServers = bootstrapServers;
    } catch (RuntimeException e) {
      pipeline.close();
      throw e;
    }
  }

  /**
   * vidlabel.streams.application-server, or this host's name and the HTTP port the server listens
   * on (read now, so a random test port is the real one).
   */
  String applicationServer() {
    return config.streams().applicationServer().orElseGet(() -> {
      int port =
          ConfigProvider.getConfig()
              .getOptionalValue("quarkus.http.port", Integer.class)
              .orElse(QUARKUS_DEFAULT_HTTP_PORT);
      return localHostName() + ":" + port;
    });
  }

  private static String localHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      LOG.warn("cannot resolve this host's name ({}); advertising localhost to other instances", e.getMessage());
      return "localhost";
    }
  }

  /** The REST stream queries of the running classifier, routed across the group. */
  public synchronized Optional<StreamQueries> queries() {
    return Optional.ofNullable(running).map(RunningClassifier::queries);
  }

  public synchronized boolean isRunning() {
    return running != null && running.streams().state().isRunningOrRebalancing();
  }

  public synchronized Optional<KafkaStreams.State> state() {
    return Optional.ofNullable(running).map(r -> r.streams().state());
  }

  public synchronized Optional<Pipeline> pipeline() {
    return Optional.ofNullable(running).map(RunningClassifier::pipeline);
  }

  /** The model follower of the running classifier, if it follows updates. */
  public synchronized Optional<ModelFollower> follower() {
    return Optional.ofNullable(running).flatMap(RunningClassifier::follower);
  }

  /** Client properties of the cluster the classifier runs against. */
  public synchronized Optional<Properties> clientProperties() {
    return Optional.ofNullable(bootstrapServers).map(s -> KafkaClients.common(s, config.kafka().client()));
  }

  /** A producer for feedback records on the classifier's cluster, or empty when it is not running. */
  public synchronized Optional<FeedbackSender> feedbackSender() {
    if (running == null) {
      return Optional.empty();
    }
    if (feedbackSender == null) {
      feedbackSender = new FeedbackSender(KafkaClients.producer(config, bootstrapServers), config.topics().feedback());
    }
    return Optional.of(feedbackSender);
  }

  @PreDestroy
  public synchronized void stop() {
    if (feedbackSender != null) {
      feedbackSender.close();
      feedbackSender = null;
    }
    if (running != null) {
      running.close();
      running = null;
    }
  }
}
