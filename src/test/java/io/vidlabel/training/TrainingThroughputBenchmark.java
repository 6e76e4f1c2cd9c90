package io.vidlabel.training;

import io.vidlabel.training.Trainer.EpochStats;
import io.vidlabel.training.resnet.ResNetSpec;
import io.vidlabel.training.resnet.ResNetSpec.BlockType;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prints training throughput for planning the real run; asserts nothing. Opt in with
 * {@code -Dvidlabel.benchmark=true -Dtest=TrainingThroughputBenchmark}. The second epoch is
 * reported (the first includes graph optimisation and allocation).
 */
@EnabledIfSystemProperty(named = "vidlabel.benchmark", matches = "true")
class TrainingThroughputBenchmark {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"20 bottleneck", "29 bottleneck", "20 basic"})
  void printsTrainingImagesPerSecondOfWidth16AtBatch128(String network, @TempDir Path out) throws Exception {
    String[] parts = network.split(" ");
    BlockType type = parts[1].equals("basic") ? BlockType.BASIC : BlockType.BOTTLENECK;
    TrainConfig config = TrainConfig.builder(ResNetSpec.smallImage(Integer.parseInt(parts[0]), 16, type), out)
        .dataDir(TestData.fashionMnist())
        .limit(Integer.getInteger("vidlabel.benchmark.images", 2048))
        .epochs(2)
        .batchSize(128)
        .build();
    try (Trainer trainer = new Trainer(config)) {
      List<EpochStats> history = trainer.train(System.err).history();
      EpochStats last = history.get(history.size() - 1);
      System.out.printf(Locale.ROOT,
          "BENCHMARK %s (%,d parameters) batch 128: %.0f images/s (%.1f s for %d images; 60k-image epoch ~%.1f min)%n",
          config.spec().architecture(), trainer.trainTower().trainableParameterCount(),
          last.imagesPerSecond(), last.seconds(),
          (int) Math.round(last.imagesPerSecond() * last.seconds()), 60000 / last.imagesPerSecond() / 60);
    }
  }
}
