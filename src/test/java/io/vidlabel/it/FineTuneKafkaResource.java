package io.vidlabel.it;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vidlabel.kafka.EmbeddedKafka;
import io.vidlabel.util.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A real KRaft broker and a model store holding a copy of the bundled fashion-resnet/1, with
 * fine-tuning settings small enough for a test (few epochs, a small replay set).
 */
public class FineTuneKafkaResource implements QuarkusTestResourceLifecycleManager {

  static final String ADMIN_TOKEN = "test-admin-token";

  private EmbeddedKafka kafka;
  private Path work;

  @Override
  public Map<String, String> start() {
    kafka = EmbeddedKafka.start(16 * 1024 * 1024);
    try {
      work = Files.createTempDirectory("vidlabel-finetune-it");
      Path model = work.resolve("store/fashion-resnet/1");
      Directories.copy(Path.of("models/fashion-resnet/1"), model);
      Map<String, String> config = new HashMap<>();
      config.put("vidlabel.kafka.bootstrap-servers", kafka.bootstrapServers());
      config.put("vidlabel.model.path", model.toString());
      config.put("vidlabel.sampling.frames", "all");
      config.put("vidlabel.streams.state-dir", work.resolve("state").toString());
      config.put("vidlabel.topics.partitions", "2");
      config.put("vidlabel.finetune.dataset", work.resolve("dataset").toString());
      config.put("vidlabel.finetune.cache", work.resolve("cache").toString());
      config.put("vidlabel.finetune.epochs", "6");
      config.put("vidlabel.finetune.replay", "training-data:1000");
      config.put("vidlabel.finetune.max-reference-drop", "0.03");
      config.put("vidlabel.admin.token", ADMIN_TOKEN);
      return config;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }


  @Override
  public void stop() {
    if (kafka != null) {
      kafka.close();
    }
    if (work != null) {
      Directories.deleteQuietly(work);
    }
  }
}
