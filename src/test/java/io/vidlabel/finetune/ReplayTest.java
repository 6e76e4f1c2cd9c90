package io.vidlabel.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.testing.ImageFolders;
import io.vidlabel.training.TestData;
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
        .hasMessageContaining("leaves 4 of its 6 images").hasMessageContaining("at least " + Replay.MIN_FOLDER_REFERENCE);
    assertThat(Replay.trainingData(BUNDLED, 7)).isEqualTo("fashion-mnist:7");
  }
}
