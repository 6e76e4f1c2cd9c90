package io.vidlabel.kafka;

import io.vidlabel.config.VidlabelConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StreamsConfig;

/** Client properties for every Kafka client the service creates, from one place. */
public final class KafkaClients {

  /** Room for headers and batch framing on top of the largest record value. */
  private static final int RECORD_OVERHEAD_BYTES = 64 * 1024;
  private static final Duration METADATA_WAIT = Duration.ofSeconds(30);

  private KafkaClients() {}

  /** Producer linger of the stream threads (Kafka Streams' own default is 100 ms). */
  static final int STREAMS_LINGER_MS = 0;

  /** Bootstrap servers plus the user's extra client settings (security and the like). */
  public static Properties common(String bootstrapServers, Map<String, String> extra) {
    Properties p = new Properties();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.putAll(extra);
    return p;
  }

  public static Properties streams(VidlabelConfig config, String bootstrapServers) {
    VidlabelConfig.Streams s = config.streams();
    int maxRecord = config.kafka().maxRecordBytes();
    Properties p = common(bootstrapServers, config.kafka().client());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, s.applicationId());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, s.processingGuarantee());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, s.threads());
    p.put(StreamsConfig.STATE_DIR_CONFIG, s.stateDir());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, s.commitInterval().toMillis());
    // Classifying one record takes far longer than consuming one: poll few at a time so the
    // work of one poll stays well inside max.poll.interval.ms.
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), s.maxPollRecords());
    p.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
        maxRecord + RECORD_OVERHEAD_BYTES);
    // Kafka Streams lingers 100 ms by default to fill producer batches; a classification is a few
    // hundred bytes produced right after a model batch, so that wait was most of the
    // append-to-append latency (half load, p50: 85 ms with 100 on a loaded machine; on a quiet one
    // 25 ms with 5 and 20 ms with 0; docs/performance.md, section 4).
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), STREAMS_LINGER_MS);
    // One memory budget for every state store of the process instead of a cache and memtables per
    // store and partition (docs/reliability.md, "Memory soak").
    p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);
    p.put(BoundedRocksDbMemory.TOTAL_BYTES_CONFIG, Long.toString(s.rocksdbMemoryBytes()));
    // Dead letters carry the original record, so the producer must fit the largest input.
    p.put(
        StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
        maxRecord + RECORD_OVERHEAD_BYTES);
    return p;
  }

  public static Properties producer(VidlabelConfig config, String bootstrapServers) {
    Properties p = common(bootstrapServers, config.kafka().client());
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, config.kafka().maxRecordBytes() + RECORD_OVERHEAD_BYTES);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return p;
  }

  /** Topic-level settings for topics that hold whole media records. */
  public static Map<String, String> mediaTopicConfig(int maxRecordBytes) {
    return Map.of("max.message.bytes", Integer.toString(maxRecordBytes + RECORD_OVERHEAD_BYTES));
  }

  /**
   * The topic's partitions. A topic created a moment ago may not be in the client's metadata yet,
   * so this asks again for a while before it gives up.
   */
  public static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
    long deadline = System.nanoTime() + METADATA_WAIT.toNanos();
    while (true) {
      List<TopicPartition> out = new ArrayList<>();
      consumer.partitionsFor(topic).forEach(p -> out.add(new TopicPartition(topic, p.partition())));
      if (!out.isEmpty()) {
        return out;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("topic " + topic + " does not exist");
      }
      try {
        Thread.sleep(100); // metadata propagation has no notification to wait on
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for topic " + topic, e);
      }
    }
  }
}
