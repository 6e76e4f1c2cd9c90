package io.vidlabel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vidlabel.api.StreamQueries;
import io.vidlabel.api.StreamQueryServer;
import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.kafka.KafkaClients;
import io.vidlabel.model.ModelStore;
import io.vidlabel.pipeline.Pipeline;
import io.vidlabel.service.ClassifierService;
import io.vidlabel.service.RunningClassifier;
import io.vidlabel.testing.TestVideos;
import io.vidlabel.topology.RecordHeaders;
import jakarta.inject.Inject;
import java.awt.Color;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two classifier instances in one group on a real broker: the Quarkus service (its REST resource)
 * and a second instance in this JVM behind {@link StreamQueryServer}. Each owns one of the two
 * partitions; each answers every stream, forwarding to the other for the streams it does not own.
 */
@QuarkusTest
@QuarkusTestResource(value = EmbeddedKafkaResource.class, restrictToAnnotatedClass = true)
class StreamRoutingIT {

  private static final int PARTITIONS = 2; // EmbeddedKafkaResource's vidlabel.topics.partitions
  private static final int FRAMES = 4;
  private static final List<Color> COLOURS = List.of(Color.RED, Color.GREEN, Color.BLUE, Color.YELLOW);
  private static final List<String> NAMES = List.of("red", "green", "blue", "yellow");
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject VidlabelConfig config;
  @Inject ClassifierService service;

  @TestHTTPResource("/")
  URI quarkus;

  @Test
  void bothInstancesAnswerEveryStreamByForwardingToTheOwner(@TempDir Path otherState) throws Exception {
    String servers = config.kafka().bootstrapServers().orElseThrow();
    // given four streams, two on each partition, each sending one segment of its own colour
    Map<String, String> colourOf = new LinkedHashMap<>();
    for (int i = 0, onPartition0 = 0, onPartition1 = 0; colourOf.size() < COLOURS.size(); i++) {
      String stream = "route-cam-" + i;
      boolean first = Utils.toPositive(Utils.murmur2(stream.getBytes(StandardCharsets.UTF_8))) % PARTITIONS == 0;
      if (first ? onPartition0++ < 2 : onPartition1++ < 2) {
        colourOf.put(stream, NAMES.get(colourOf.size()));
      }
    }
    // and two instances of one group
    service.start(servers);
    int otherPort = freePort();
    try (RunningClassifier other =
            RunningClassifier.start(
                config,
                servers,
                Pipeline.open(config),
                new SimpleMeterRegistry(),
                Map.of(
                    StreamsConfig.APPLICATION_SERVER_CONFIG, "127.0.0.1:" + otherPort,
                    StreamsConfig.STATE_DIR_CONFIG, otherState.toString()),
                ModelStore.containing(Path.of(config.model().path())));
        StreamQueryServer otherServer = StreamQueryServer.start(otherPort, other.queries())) {
      URI otherBase = URI.create("http://127.0.0.1:" + otherPort + "/");

      // when every stream's segment is classified
      try (KafkaProducer<String, byte[]> producer =
          new KafkaProducer<>(KafkaClients.producer(config, servers), new StringSerializer(), new ByteArraySerializer())) {
        int i = 0;
        for (String stream : colourOf.keySet()) {
          ProducerRecord<String, byte[]> r =
              new ProducerRecord<>(
                  config.topics().segments(),
                  stream,
                  TestVideos.solidColours("mpegts", 96, 64, 10, FRAMES, COLOURS.get(i++)));
          r.headers().add(RecordHeaders.SEGMENT_SEQ, "7".getBytes(StandardCharsets.UTF_8));
          producer.send(r).get();
        }
      }
      // and the group has settled with one partition per instance
      Set<String> ownA = new HashSet<>();
      Set<String> ownB = new HashSet<>();
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250)).until(() -> {
        ownA.clear();
        ownB.clear();
        ownA.addAll(localStreams(quarkus));
        ownB.addAll(localStreams(otherBase));
        Set<String> union = new HashSet<>(ownA);
        union.addAll(ownB);
        return ownA.size() == 2 && ownB.size() == 2 && union.equals(colourOf.keySet());
      });

      // then each instance answers the latest label and recent classifications of every stream
      for (URI instance : List.of(quarkus, otherBase)) {
        for (Map.Entry<String, String> e : colourOf.entrySet()) {
          HttpResponse<String> latest = get(instance, StreamQueries.path(e.getKey()), null);
          assertThat(latest.statusCode()).as(instance + " " + e.getKey()).isEqualTo(200);
          JsonNode label = JSON.readTree(latest.body());
          assertThat(label.path("label").asText()).isEqualTo(e.getValue());
          assertThat(label.path("segment").asLong()).isEqualTo(7);

          HttpResponse<String> recent =
              get(instance, StreamQueries.path(e.getKey()) + "/classifications?limit=3", null);
          assertThat(recent.statusCode()).isEqualTo(200);
          List<Integer> frames = new ArrayList<>();
          JSON.readTree(recent.body()).forEach(c -> {
            frames.add(c.path("frame").asInt());
            assertThat(c.path("labels").path(0).path("name").asText()).isEqualTo(e.getValue());
          });
          assertThat(frames).containsExactly(3, 2, 1); // newest first
        }
        // and the list of every stream is gathered from both instances
        List<String> all = new ArrayList<>();
        JSON.readTree(get(instance, StreamQueries.BASE_PATH, null).body()).forEach(l -> all.add(l.path("stream").asText()));
        assertThat(all).containsExactlyInAnyOrderElementsOf(colourOf.keySet());
      }

      // and a forwarded query for a stream the instance does not own is refused, not forwarded again
      String notOwnedByA = ownB.iterator().next();
      HttpResponse<String> refused = get(quarkus, StreamQueries.path(notOwnedByA), "test");
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(JSON.readTree(refused.body()).path("reason").asText()).contains("does not forward a forwarded query");
      // and a bad limit is a clear 400
      assertThat(get(quarkus, StreamQueries.path(notOwnedByA) + "/classifications?limit=0", null).statusCode())
          .isEqualTo(400);
      // and an unknown stream is a 404 from its would-be owner
      assertThat(get(quarkus, StreamQueries.path("no such camera"), null).statusCode()).isEqualTo(404);
    } finally {
      service.stop();
    }
  }

  /** The streams whose labels the instance holds itself (a forwarded query is answered locally). */
  private static Set<String> localStreams(URI instance) throws Exception {
    HttpResponse<String> r = get(instance, StreamQueries.BASE_PATH, "test");
    Set<String> out = new HashSet<>();
    if (r.statusCode() == 200) {
      JSON.readTree(r.body()).forEach(l -> out.add(l.path("stream").asText()));
    }
    return out;
  }

  private static HttpResponse<String> get(URI base, String path, String forwardedBy) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
    if (forwardedBy != null) {
      b.header(StreamQueries.FORWARDED_HEADER, forwardedBy);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
