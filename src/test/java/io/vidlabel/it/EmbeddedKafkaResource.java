package io.vidlabel.it;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vidlabel.kafka.EmbeddedKafka;
import io.vidlabel.model.ColourModelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A real KRaft broker and the colour model for {@code @QuarkusTest}s. */
public class EmbeddedKafkaResource implements QuarkusTestResourceLifecycleManager {

  private EmbeddedKafka kafka;

  @Override
  public Map<String, String> start() {
    kafka = EmbeddedKafka.start(16 * 1024 * 1024);
    try {
      Path store = Files.createTempDirectory("vidlabel-it-models");
      Path model = ColourModelBuilder.build(store, "colour", "1", 32);
      return Map.of(
          "vidlabel.kafka.bootstrap-servers", kafka.bootstrapServers(),
          "vidlabel.model.path", model.toString(),
          "vidlabel.sampling.frames", "all",
          "vidlabel.streams.state-dir", Files.createTempDirectory("vidlabel-it-state").toString(),
          "vidlabel.topics.partitions", "2");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }
}
