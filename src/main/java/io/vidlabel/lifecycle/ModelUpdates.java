package io.vidlabel.lifecycle;

import io.vidlabel.kafka.KafkaClients;
import io.vidlabel.kafka.TopicSetup;
import io.vidlabel.topology.JsonSerde;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishing to and reading from {@code video.model-updates}. */
public final class ModelUpdates {

  public static final JsonSerde<ModelUpdate> SERDE = JsonSerde.of(ModelUpdate.class);
  private static final Duration POLL = Duration.ofMillis(200);

  private ModelUpdates() {}

  /** Creates the compacted topic (one partition: updates are rare and must stay ordered) if missing. */
  public static void ensureTopic(Properties clientProperties, String topic) {
    TopicSetup.ensure(clientProperties, List.of(new NewTopic(topic, 1, (short) -1)
        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))));
  }

  /** Publishes {@code update} keyed by its model name and waits for the broker's acknowledgement. */
  public static void publish(Properties clientProperties, String topic, ModelUpdate update) {
    Properties p = new Properties();
    p.putAll(clientProperties);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaProducer<String, ModelUpdate> producer =
        new KafkaProducer<>(p, new StringSerializer(), SERDE.serializer())) {
      producer.send(new ProducerRecord<>(topic, update.name(), update)).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot publish the model update: " + e.getCause().getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing the model update", e);
    }
  }

  /** The latest update for model {@code name} on the topic, read from the beginning to its end. */
  public static Optional<ModelUpdate> latest(Properties clientProperties, String topic, String name) {
    ModelUpdate latest = null;
    try (KafkaConsumer<String, byte[]> consumer = consumer(clientProperties)) {
      List<TopicPartition> partitions = partitions(consumer, topic);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
          if (name.equals(r.key())) {
            latest = parse(r.value()).orElse(latest);
          }
        }
      }
    }
    return Optional.ofNullable(latest);
  }

  /** The update in a record value; empty for a tombstone or a value that is not an update. */
  public static Optional<ModelUpdate> parse(byte[] value) {
    if (value == null) {
      return Optional.empty();
    }
    try {
      ModelUpdate u = SERDE.deserializer().deserialize(null, value);
      return u == null || u.name() == null || u.version() == null ? Optional.empty() : Optional.of(u);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  static KafkaConsumer<String, byte[]> consumer(Properties clientProperties) {
    Properties p = new Properties();
    p.putAll(clientProperties);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // Only ensureTopic creates the topic, compacted. A consumer asking for it a moment after its
    // creation can reach a broker whose metadata does not show it yet: allowed to auto-create, the
    // broker tries again and logs TOPIC_ALREADY_EXISTS; had nobody created it, it would make it
    // with the default (deleting) cleanup policy. Without, the consumer waits for the metadata.
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
    return KafkaClients.partitions(consumer, topic);
  }
}
