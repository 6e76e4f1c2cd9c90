package io.vidlabel.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.vidlabel.training.FashionMnist.Split;
import io.vidlabel.training.Trainer.EpochStats;
import io.vidlabel.training.Trainer.TrainResult;
import io.vidlabel.training.resnet.ResNetSpec;
import io.vidlabel.training.resnet.ResNetSpec.BlockType;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A few hundred real images, two epochs of a small bottleneck ResNet: learning must start. */
class TrainingSmokeTest {

  @Test
  void smallBottleneckResNetLearnsFashionMnistWithinTwoEpochs(@TempDir Path out) throws Exception {
    Path data = TestData.fashionMnist();
    TrainConfig config = TrainConfig.builder(ResNetSpec.smallImage(11, 8, BlockType.BOTTLENECK), out)
        .dataDir(data)
        .limit(512)
        .epochs(2)
        .batchSize(32)
        .learningRate(0.05f)
        .warmupEpochs(0.25f)
        .seed(3)
        .build();

    TrainResult result;
    try (Trainer trainer = new Trainer(config)) {
      result = trainer.train(System.err);
      Evaluation test = trainer.evaluate(FashionMnist.load(data, Split.TEST, 500));
      System.err.print(test.confusionText());
    }

    List<EpochStats> history = result.history();
    assertThat(history).hasSize(2);
    assertThat(history.get(1).loss()).isLessThan(history.get(0).loss());
    assertThat(history.get(1).accuracy()).isGreaterThan(0.2);
    assertThat(out.resolve("checkpoints").resolve("ckpt.index")).exists();
  }
}
