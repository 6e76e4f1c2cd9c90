package io.vidlabel.it;

import static org.awaitility.Awaitility.await;

import io.vidlabel.kafka.KafkaClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reading what the service wrote, as a downstream consumer would: read_committed, from the start. */
final class TopicReads {

  private TopicReads() {}

  /**
   * Records of {@code topic} (with {@code key}, or any key if null) until there are at least
   * {@code expected}, then one more second of polling: a duplicate would show up there.
   */
  static <V> List<ConsumerRecord<String, V>> read(
      String servers, String topic, Deserializer<V> values, String key, int expected) {
    return read(servers, Map.of(), topic, values, key, expected);
  }

  /** As above, with extra client properties (TLS, SASL). */
  static <V> List<ConsumerRecord<String, V>> read(
      String servers, Map<String, String> client, String topic, Deserializer<V> values, String key, int expected) {
    List<ConsumerRecord<String, V>> out = new ArrayList<>();
    try (KafkaConsumer<String, V> consumer =
        new KafkaConsumer<>(readCommitted(servers, client), new StringDeserializer(), values)) {
      consumer.subscribe(List.of(topic));
      await().atMost(Duration.ofMinutes(2)).until(() -> {
        poll(consumer, key, out);
        return out.size() >= expected;
      });
      for (int i = 0; i < 5; i++) {
        poll(consumer, key, out);
      }
    }
    return out;
  }

  private static <V> void poll(KafkaConsumer<String, V> consumer, String key, List<ConsumerRecord<String, V>> out) {
    for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(200))) {
      if (key == null || key.equals(r.key())) {
        out.add(r);
      }
    }
  }

  private static Properties readCommitted(String servers, Map<String, String> client) {
    Properties p = KafkaClients.common(servers, client);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + System.nanoTime());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return p;
  }
}
