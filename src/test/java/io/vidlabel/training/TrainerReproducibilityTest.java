package io.vidlabel.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vidlabel.training.resnet.ResNetSpec;
import io.vidlabel.training.resnet.ResNetSpec.BlockType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerReproducibilityTest {

  private static double firstEpochLoss(Path out, long seed) throws Exception {
    TrainConfig config = TrainConfig.builder(ResNetSpec.smallImage(11, 4, BlockType.BOTTLENECK), out)
        .dataDir(TestData.fashionMnist()).limit(96).epochs(1).batchSize(32).erasing(0.5f).seed(seed).build();
    try (Trainer trainer = new Trainer(config)) {
      return trainer.train(System.err).history().get(0).loss();
    }
  }

  @Test
  void sameSeedRepeatsTheRunAndAnotherSeedDoesNot(@TempDir Path tmp) throws Exception {
    double a = firstEpochLoss(tmp.resolve("a"), 11);
    double b = firstEpochLoss(tmp.resolve("b"), 11);
    double c = firstEpochLoss(tmp.resolve("c"), 12);
    // Multithreaded kernels may differ in the last bits, nothing more.
    assertThat(b).isCloseTo(a, within(1e-4));
    assertThat(Math.abs(c - a)).isGreaterThan(1e-4);
  }
}
