package io.vidlabel.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaRestartTest {

  @Test
  void aRestartedBrokerAnswersOnTheSameAddressWithTheRecordsItHadAndTakesNewOnes() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(1024 * 1024)) {
      String servers = kafka.bootstrapServers();
      Properties p = KafkaClients.common(servers, Map.of());
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>("restart-test", "k", "before")).get();
      }

      kafka.stopServer();
      assertThat(kafka.isRunning()).isFalse();
      kafka.startServer();

      assertThat(kafka.isRunning()).isTrue();
      assertThat(kafka.bootstrapServers()).isEqualTo(servers);
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>("restart-test", "k", "after")).get();
      }
      assertThat(readAll(servers, "restart-test", 2)).containsExactly("before", "after");
    }
  }

  private static List<String> readAll(String servers, String topic, int expected) {
    Properties p = KafkaClients.common(servers, Map.of());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (values.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
          values.add(r.value());
        }
      }
    }
    return values;
  }
}
