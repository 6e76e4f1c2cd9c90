package io.vidlabel.faults;

import io.vidlabel.kafka.KafkaClients;
import io.vidlabel.topology.JsonSerde;
import io.vidlabel.topology.Messages.FrameClassification;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads {@code video.classifications} from the beginning, without a consumer group, and keeps the
 * records of one run's streams in the order each stream's partition holds them. With {@code
 * read_committed} it sees what a downstream consumer sees; with {@code read_uncommitted} it also
 * sees the writes of transactions still open, which tells the fault suite the classifier is in
 * the middle of work.
 */
final class ClassificationTally implements AutoCloseable {

  private final KafkaConsumer<String, byte[]> consumer;
  private final List<TopicPartition> partitions;
  private final String streamPrefix;
  private final Map<String, List<FrameClassification>> byStream = new LinkedHashMap<>();
  private final JsonSerde<FrameClassification> serde = JsonSerde.of(FrameClassification.class);
  private int total;

  ClassificationTally(Properties common, String topic, boolean committedOnly, String streamPrefix) {
    Properties p = new Properties();
    p.putAll(common);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committedOnly ? "read_committed" : "read_uncommitted");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    this.partitions = KafkaClients.partitions(consumer, topic);
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    this.streamPrefix = streamPrefix;
  }

  /** Polls once; returns how many records of the run's streams arrived. */
  int poll(Duration timeout) {
    int added = 0;
    for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) {
      if (r.key() == null || !r.key().startsWith(streamPrefix)) {
        continue;
      }
      FrameClassification c = serde.deserializer().deserialize(r.topic(), r.value());
      byStream.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(c);
      added++;
    }
    total += added;
    return added;
  }

  /** Whether this reader has reached the end of every partition (for read_committed: the last stable offset). */
  boolean caughtUp(Duration timeout) {
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
    for (TopicPartition tp : partitions) {
      if (consumer.position(tp, timeout) < end.get(tp)) {
        return false;
      }
    }
    return true;
  }

  int total() {
    return total;
  }

  /** Records per stream, in partition order. */
  Map<String, List<FrameClassification>> byStream() {
    return byStream;
  }

  @Override
  public void close() {
    consumer.close();
  }
}
