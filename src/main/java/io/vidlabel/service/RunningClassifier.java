package io.vidlabel.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.vidlabel.api.StreamQueries;
import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.kafka.KafkaClients;
import io.vidlabel.kafka.TopicSetup;
import io.vidlabel.lifecycle.ModelFollower;
import io.vidlabel.model.ModelStore;
import io.vidlabel.pipeline.Pipeline;
import io.vidlabel.pipeline.PipelineMetrics;
import io.vidlabel.topology.ClassificationTopology;
import io.vidlabel.topology.CrashGuard;
import io.vidlabel.topology.TopicNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A pipeline and the Kafka Streams instance that feeds it, started together and closed together. */
public final class RunningClassifier implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RunningClassifier.class);

  private final Pipeline pipeline;
  private final KafkaStreams streams;
  private final ModelFollower follower; // null when model updates are not followed
  private final KafkaStreamsMetrics streamsMetrics;
  private final StreamQueries queries;
  private final CrashGuard crashGuard;

  private RunningClassifier(
      Pipeline pipeline,
      KafkaStreams streams,
      ModelFollower follower,
      KafkaStreamsMetrics streamsMetrics,
      StreamQueries queries,
      CrashGuard crashGuard) {
    this.pipeline = pipeline;
    this.streams = streams;
    this.follower = follower;
    this.streamsMetrics = streamsMetrics;
    this.queries = queries;
    this.crashGuard = crashGuard;
  }

  /**
   * Creates missing topics and starts the topology on {@code pipeline}, which the result then
   * owns. {@code streamsOverrides} replace individual Kafka Streams properties (the benchmark uses
   * its own application id). Promoted versions are loaded from {@code store}; the configured
   * model is copied into it if it is not there yet.
   */
  public static RunningClassifier start(
      VidlabelConfig config,
      String bootstrapServers,
      Pipeline pipeline,
      MeterRegistry registry,
      Map<String, Object> streamsOverrides,
      ModelStore store) {
    TopicNames topics = TopicNames.from(config.topics());
    TopicSetup.ensureTopics(
        KafkaClients.common(bootstrapServers, config.kafka().client()),
        topics,
        config.topics().partitions(),
        config.kafka().maxRecordBytes());
    PipelineMetrics metrics = new PipelineMetrics(registry);
    pipeline.attachMetrics(metrics);
    ModelFollower follower = null;
    if (config.model().followUpdates()) {
      // Before the topology starts: a restarted instance serves the latest promoted version.
      store.adopt(Path.of(config.model().path()));
      follower = new ModelFollower(
          KafkaClients.common(bootstrapServers, config.kafka().client()),
          config.topics().modelUpdates(),
          store,
          pipeline,
          registry);
      follower.start();
    }
    Properties props = KafkaClients.streams(config, bootstrapServers);
    props.putAll(streamsOverrides);
    // Beside Kafka Streams' own directory for this application, so its state wipes leave it alone.
    CrashGuard crashGuard = CrashGuard.open(
        Path.of(props.get(StreamsConfig.STATE_DIR_CONFIG).toString())
            .resolve(props.get(StreamsConfig.APPLICATION_ID_CONFIG) + ".crash-guard"),
        config.streams().skipAfterCrashes());
    KafkaStreams streams =
        new KafkaStreams(
            ClassificationTopology.build(
                new ClassificationTopology.Settings(
                    topics,
                    config.kafka().maxRecordBytes(),
                    config.model().topK(),
                    config.review().confidenceThreshold(),
                    config.review().maxPerSegment(),
                    config.dashboard().thumbnailSize(),
                    config.streams().recentClassifications()),
                pipeline.classifier(),
                metrics,
                crashGuard),
            props);
    // The Kafka clients' own metrics (consumer lag: kafka_consumer_fetch_manager_records_lag_max,
    // and the stream threads' rates). Quarkus binds Kafka metrics only for its own Kafka
    // extensions, which this service does not use.
    KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    streams.setUncaughtExceptionHandler(
        e -> {
          // The replacement thread re-processes whatever was not committed; nothing is lost.
          LOG.error("stream thread failed; replacing it", e);
          return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    try {
      streams.start();
    } catch (RuntimeException e) {
      streamsMetrics.close();
      crashGuard.close();
      if (follower != null) {
        follower.close();
      }
      throw e;
    }
    // Other instances forward REST queries for streams this one owns to its application.server.
    Object server = props.get(StreamsConfig.APPLICATION_SERVER_CONFIG);
    HostInfo self =
        server == null || server.toString().isBlank()
            ? HostInfo.unavailable()
            : HostInfo.buildFromEndpoint(server.toString());
    StreamQueries queries =
        new StreamQueries(
            streams, self, config.streams().recentClassifications(), config.streams().forwardTimeout());
    return new RunningClassifier(pipeline, streams, follower, streamsMetrics, queries, crashGuard);
  }

  /** vidlabel.model.store, or the store the configured model directory lives in. */
  public static ModelStore modelStore(VidlabelConfig config) {
    return config.model().store()
        .map(s -> new ModelStore(Path.of(s)))
        .orElseGet(() -> ModelStore.containing(Path.of(config.model().path())));
  }

  public Pipeline pipeline() {
    return pipeline;
  }

  public KafkaStreams streams() {
    return streams;
  }

  /** The REST stream queries, routed across every instance of the group. */
  public StreamQueries queries() {
    return queries;
  }

  /** The model follower, if this classifier follows model updates. */
  public Optional<ModelFollower> follower() {
    return Optional.ofNullable(follower);
  }

  @Override
  public void close() {
    try {
      if (follower != null) {
        follower.close();
      }
      streams.close(Duration.ofSeconds(30));
    } finally {
      crashGuard.close();
      streamsMetrics.close();
      pipeline.close();
    }
  }
}
