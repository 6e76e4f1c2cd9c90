package io.vidlabel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.kafka.KafkaClients;
import io.vidlabel.service.ClassifierService;
import io.vidlabel.testing.TestVideos;
import io.vidlabel.topology.ClassificationTopology;
import io.vidlabel.topology.Messages.SegmentLabel;
import io.vidlabel.topology.RecordHeaders;
import jakarta.inject.Inject;
import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The classifier against a broker that only accepts SASL_SSL with SCRAM-SHA-512, configured with
 * nothing but the documented {@code vidlabel.kafka.client."<property>"} keys; wrong credentials
 * and a client that does not trust the broker fail with a clear error.
 */
@QuarkusTest
@QuarkusTestResource(value = SaslKafkaResource.class, restrictToAnnotatedClass = true)
class SaslPipelineIT {

  @Inject VidlabelConfig config;
  @Inject ClassifierService service;

  @Test
  void classifiesSegmentsOverSaslSslWithOnlyTheDocumentedClientSettings() throws Exception {
    String servers = config.kafka().bootstrapServers().orElseThrow();
    assertThat(config.kafka().client()).containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    service.start(servers);

    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
        KafkaClients.producer(config, servers), new StringSerializer(), new ByteArraySerializer())) {
      Color[] colours = {Color.RED, Color.BLUE};
      for (int seq = 0; seq < colours.length; seq++) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(config.topics().segments(), "cam-tls",
            TestVideos.solidColours("mpegts", 96, 64, 10, 3, colours[seq]));
        r.headers().add(RecordHeaders.SEGMENT_SEQ, Integer.toString(seq).getBytes(StandardCharsets.UTF_8));
        producer.send(r).get();
      }
    }

    List<ConsumerRecord<String, SegmentLabel>> labels = TopicReads.read(servers, config.kafka().client(),
        config.topics().segmentLabels(), ClassificationTopology.SEGMENT_LABEL_SERDE.deserializer(), "cam-tls", 2);
    assertThat(labels).extracting(r -> r.value().segment() + ":" + r.value().label())
        .containsExactly("0:red", "1:blue");
  }

  @Test
  void wrongPasswordFailsWithAnAuthenticationError() {
    String servers = config.kafka().bootstrapServers().orElseThrow();
    Map<String, String> wrong = SaslKafkaResource.kafka.clientProperties(SaslKafkaResource.USER, "not-the-password");

    Throwable t = catchThrowable(() -> describeCluster(servers, wrong));

    assertThat(t).hasRootCauseInstanceOf(SaslAuthenticationException.class);
    assertThat(rootCause(t).getMessage()).contains("invalid credentials").contains("SCRAM-SHA-512");
  }

  @Test
  void clientThatDoesNotTrustTheBrokerFailsWithATlsError() {
    String servers = config.kafka().bootstrapServers().orElseThrow();
    Map<String, String> untrusting = new java.util.HashMap<>(
        SaslKafkaResource.kafka.clientProperties(SaslKafkaResource.USER, SaslKafkaResource.PASSWORD));
    untrusting.remove("ssl.truststore.location");
    untrusting.remove("ssl.truststore.password");
    untrusting.remove("ssl.truststore.type");

    Throwable t = catchThrowable(() -> describeCluster(servers, untrusting));

    assertThat(t).hasCauseInstanceOf(SslAuthenticationException.class);
    assertThat(rootCause(t).getMessage()).contains("unable to find valid certification path");
  }

  private static void describeCluster(String servers, Map<String, String> client) throws Exception {
    Properties p = KafkaClients.common(servers, client);
    p.put("default.api.timeout.ms", "15000");
    p.put("request.timeout.ms", "10000");
    try (Admin admin = Admin.create(p)) {
      admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
    }
  }

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
