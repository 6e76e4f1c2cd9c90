package io.vidlabel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.feedback.Feedback;
import io.vidlabel.kafka.KafkaClients;
import io.vidlabel.model.ColourModelBuilder;
import io.vidlabel.service.ClassifierService;
import io.vidlabel.testing.HeadlessChromium;
import io.vidlabel.testing.TestVideos;
import io.vidlabel.topology.ClassificationTopology;
import io.vidlabel.topology.Messages.ReviewRequest;
import io.vidlabel.topology.RecordHeaders;
import jakarta.inject.Inject;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real headless Chromium against the service on a real broker: a segment
 * produced to {@code video.segments} shows up as its label in the stream's tile, and a click on a
 * review-queue button puts that label, with the frame, on {@code video.feedback}.
 */
@QuarkusTest
@QuarkusTestResource(value = EmbeddedKafkaResource.class, restrictToAnnotatedClass = true)
class DashboardIT {

  private static final String STREAM = "dash-cam";
  private static final Duration PATIENCE = Duration.ofMinutes(3); // a shared 2-core machine

  @Inject VidlabelConfig config;
  @Inject ClassifierService service;

  @TestHTTPResource("/")
  URI page;

  @Test
  void showsALiveLabelAndSendsTheLabelAPersonClicksToFeedback(@TempDir Path profile) throws Exception {
    String servers = config.kafka().bootstrapServers().orElseThrow();
    service.start(servers);

    try (HeadlessChromium browser = HeadlessChromium.start(profile, 1280, 900)) {
      // given the dashboard open and connected
      browser.navigate(page.toString());
      awaitPage(browser, () -> "live".equals(browser.evaluate("document.body.dataset.state").asText()));

      // when a segment of red frames is produced
      produce(servers, 0, TestVideos.solidColours("mpegts", 96, 64, 10, 4, Color.RED));

      // then the stream's tile shows its label, thumbnail, model version and rate
      String tile = ".tile[data-stream='" + STREAM + "']";
      awaitPage(browser, () -> "red".equals(text(browser, tile + " .label")));
      assertThat(browser.evaluate("document.querySelector(\"" + tile + " img.thumb\").naturalWidth").asInt())
          .isPositive();
      assertThat(text(browser, tile + " .version")).isEqualTo("model colour/1");
      assertThat(text(browser, tile + " .fps")).matches("\\d+\\.\\d frames/s");
      assertThat(browser.evaluate("document.querySelectorAll(\"" + tile + " svg polyline\").length").asInt())
          .isEqualTo(1);

      // when a grey segment, which the colour model cannot tell, is produced
      produce(servers, 1, TestVideos.solidColours("mpegts", 96, 64, 10, 4, Color.GRAY));

      // then one of its frames waits in the review queue, with a button per label of the model
      String item = ".review[data-stream='" + STREAM + "']";
      awaitPage(browser, () -> browser.evaluate("document.querySelectorAll(\"" + item + "\").length").asInt() == 1);
      List<String> buttons = new ArrayList<>();
      browser
          .evaluate("[...document.querySelectorAll(\"" + item + " button\")].map(b => b.dataset.label)")
          .forEach(b -> buttons.add(b.asText()));
      assertThat(buttons).containsExactlyElementsOf(ColourModelBuilder.LABELS);
      String itemId = browser.evaluate("document.querySelector(\"" + item + "\").dataset.id").asText();

      // when a person clicks "white"
      browser.click(item + " button[data-label='white']");

      // then the page confirms it, and video.feedback holds the label with the frame under review
      awaitPage(
          browser,
          () -> browser.evaluate("localStorage.getItem('vidlabel.reviewed') || ''").asText().contains(itemId));
      List<ConsumerRecord<String, byte[]>> feedback =
          TopicReads.read(servers, config.topics().feedback(), new ByteArrayDeserializer(), STREAM, 1);
      assertThat(feedback).hasSize(1);
      Feedback sent = Feedback.parse(feedback.get(0).key(), feedback.get(0).value(), feedback.get(0).headers());
      assertThat(sent.label()).isEqualTo("white");
      assertThat(sent.stream()).isEqualTo(STREAM);
      assertThat(sent.source()).isEqualTo("dashboard");

      ReviewRequest request =
          TopicReads.read(
                  servers,
                  config.topics().reviewRequests(),
                  ClassificationTopology.REVIEW_REQUEST_SERDE.deserializer(),
                  STREAM,
                  1)
              .get(0)
              .value();
      assertThat(request.segment()).isEqualTo(1);
      assertThat(sent.image()).isEqualTo(Base64.getDecoder().decode(request.image()));
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(sent.image()));
      assertThat(image.getWidth()).isEqualTo(32); // the colour model's input, as the model saw it
      Color centre = new Color(image.getRGB(16, 16));
      assertThat(centre.getRed()).isBetween(100, 156);
      assertThat(centre.getBlue()).isBetween(100, 156);

      Files.write(Path.of("target", "dashboard-it.png"), browser.screenshot()); // for a person to look at
    }
  }

  private void awaitPage(HeadlessChromium browser, Callable<Boolean> condition) {
    try {
      await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).until(condition);
    } catch (RuntimeException e) {
      throw new AssertionError("page never got there; its console: " + browser.console(), e);
    }
  }

  private static String text(HeadlessChromium browser, String selector) {
    JsonNode value =
        browser.evaluate("(() => { const e = document.querySelector(\"" + selector + "\"); return e && e.textContent; })()");
    return value.isTextual() ? value.asText() : null;
  }

  private void produce(String servers, long seq, byte[] segment) throws Exception {
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(KafkaClients.producer(config, servers), new StringSerializer(), new ByteArraySerializer())) {
      ProducerRecord<String, byte[]> record = new ProducerRecord<>(config.topics().segments(), STREAM, segment);
      record.headers().add(RecordHeaders.SEGMENT_SEQ, Long.toString(seq).getBytes(StandardCharsets.UTF_8));
      producer.send(record).get();
    }
  }
}
