package io.vidlabel.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.testing.ImageFolders;
import io.vidlabel.training.FashionMnist;
import io.vidlabel.training.ImageFolder;
import io.vidlabel.training.TestData;
import io.vidlabel.training.cli.TrainCommand;
import io.vidlabel.util.ContentHash;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayTest {

  private static final ModelDescriptor BUNDLED = ModelDescriptor.read(Path.of("models/fashion-resnet/1"));

  @Test
  void trainingDataReplaysWhatTheBundledModelWasTrainedOn() {
    Replay replay = Replay.parse("training-data:10", BUNDLED, TestData.fashionMnist(), null);

    assertThat(replay.train()).hasSize(10);
    assertThat(replay.reference()).hasSize(Replay.REFERENCE_IMAGES);
    assertThat(replay.train().get(0).hash()).isEqualTo("fashion-mnist-train-00000");
    assertThat(replay.reference().get(0).hash()).isEqualTo("fashion-mnist-train-55000");
    assertThat(Replay.parse("None", BUNDLED, TestData.fashionMnist(), null).train()).isEmpty();
  }

  @Test
  void theReferenceSetIsWhatTheModelHeldBackFromTraining() {
    ModelDescriptor heldBack = BUNDLED.derive("2", null,
        Map.of("dataset", "fashion-mnist", TrainCommand.HELD_BACK, 10_000), Map.of());
    ModelDescriptor sawEverything = BUNDLED.derive("3", null, Map.of("dataset", "fashion-mnist"), Map.of());
    ByteArrayOutputStream log = new ByteArrayOutputStream();

    Replay replay = Replay.parse("training-data:50000", heldBack, TestData.fashionMnist(), new PrintStream(log, true));

    assertThat(replay.reference()).hasSize(Replay.REFERENCE_IMAGES);
    assertThat(replay.reference().get(0).hash()).isEqualTo("fashion-mnist-train-55000");
    assertThat(log.toString()).contains("reference set: 5000 images held back from the model's training");
    assertThatThrownBy(() -> Replay.parse("fashion-mnist:50001", heldBack, TestData.fashionMnist(), null))
        .hasMessageContaining("N <= 50000");
    log.reset();
    Replay.parse("training-data:10", sawEverything, TestData.fashionMnist(), new PrintStream(log, true));
    assertThat(log.toString()).contains("5000 of the model's own training images").contains("--hold-back");
  }

  @Test
  void aFolderModelReplaysItsTrainingShareAndIsHeldToItsHeldBackImages(@TempDir Path dir) throws Exception {
    Path data = ImageFolders.fashion(dir, FashionMnist.LABELS, 80, 0);
    List<ImageFolder.Image> trainShare = ImageFolder.read(data, 28, 28, null).notInPercent(10);
    String from = trainShare.get(trainShare.size() - 600).hash();
    ModelDescriptor model = BUNDLED.derive("2", null, Map.of("dataset", "image-folder", "data", data.toString(),
        "testPercent", 10, TrainCommand.HELD_BACK, 600, TrainCommand.HELD_BACK_FROM, from), Map.of());

    Replay replay = Replay.parse("training-data:40", model, TestData.fashionMnist(), null);

    assertThat(replay.train()).extracting(FineTuner.Example::hash)
        .containsExactlyElementsOf(trainShare.subList(0, 40).stream().map(ImageFolder.Image::hash).toList());
    assertThat(replay.reference()).extracting(FineTuner.Example::hash)
        .containsExactlyElementsOf(
            trainShare.subList(trainShare.size() - 600, trainShare.size()).stream().map(ImageFolder.Image::hash).toList())
        .allSatisfy(hash -> assertThat(ContentHash.inPercent(hash, 10)).isFalse());
    assertThat(Replay.parse("training-data:0", model, TestData.fashionMnist(), null).reference()).hasSize(600);
    assertThatThrownBy(() -> Replay.parse("training-data:" + (trainShare.size() - 599), model,
        TestData.fashionMnist(), null)).hasMessageContaining("more than the " + (trainShare.size() - 600));
  }

  @Test
  void aFineTunedVersionReplaysWhatItsLineageWasTrainedOn() {
    Map<String, Object> training = new LinkedHashMap<>(Map.of("method", "finetune"));
    training.putAll(Replay.lineageData(BUNDLED));
    ModelDescriptor child = BUNDLED.derive("2", "1", training, Map.of());
    Map<String, Object> folderTrained = new LinkedHashMap<>(Map.of("dataset", "image-folder", "data", "/data/site-a"));
    ModelDescriptor grandchild = BUNDLED.derive("3", "2", folderTrained, Map.of())
        .derive("4", "3", Replay.lineageData(BUNDLED.derive("3", "2", folderTrained, Map.of())), Map.of());

    assertThat(Replay.trainingData(child, 7)).isEqualTo("fashion-mnist:7");
    assertThat(Replay.trainingData(grandchild, 7)).isEqualTo("folder:/data/site-a:7");
  }

  @Test
  void saysWhichFormsThereAreAndWhatIsMissing(@TempDir Path dir) {
    ModelDescriptor colour = ModelDescriptor.read(Path.of("models/colour/1"));
    Path small = ImageFolders.fashion(dir, List.of("Bag", "Dress"), 3, 0);

    assertThatThrownBy(() -> Replay.parse("imagenet:100", BUNDLED, TestData.fashionMnist(), null))
        .hasMessageContaining("'none', 'training-data:N', 'fashion-mnist:N' or 'folder:PATH:N'");
    assertThatThrownBy(() -> Replay.parse("fashion-mnist:many", BUNDLED, TestData.fashionMnist(), null))
        .hasMessageContaining("needs a count");
    assertThatThrownBy(() -> Replay.parse("training-data:10", colour, TestData.fashionMnist(), null))
        .hasMessageContaining("does not say which data it was trained on").hasMessageContaining("folder:PATH:N");
    assertThatThrownBy(() -> Replay.parse("fashion-mnist:10", colour, TestData.fashionMnist(), null))
        .hasMessageContaining("Fashion-MNIST labels");
    assertThatThrownBy(() -> Replay.parse("folder:" + small + ":2", BUNDLED, TestData.fashionMnist(), null))
        .hasMessageContaining("leaves 4 of its 6 images").hasMessageContaining("at least " + Replay.MIN_REFERENCE);
    assertThat(Replay.trainingData(BUNDLED, 7)).isEqualTo("fashion-mnist:7");
  }
}
