package io.vidlabel.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ColourModelBuilderTest {

  @TempDir Path store;

  @Test
  void shouldWriteSavedModelAndDescriptorUnderNameAndVersion() {
    Path dir = ColourModelBuilder.build(store, "colour", "1", 32);

    assertThat(dir).isEqualTo(store.resolve("colour").resolve("1"));
    assertThat(dir.resolve("saved_model.pb")).isRegularFile();
    assertThat(dir.resolve("variables")).isDirectory();
    ModelDescriptor descriptor = ModelDescriptor.read(dir);
    assertThat(descriptor.labels()).containsExactly(
        "black", "white", "red", "green", "blue", "yellow", "cyan", "magenta");
    assertThat(descriptor.inputWidth()).isEqualTo(32);
    assertThat(descriptor.inputHeight()).isEqualTo(32);
    assertThat(descriptor.inputTensor()).isEqualTo("images");
    assertThat(descriptor.outputTensor()).isEqualTo("probabilities");
    assertThat(descriptor.checksum()).isEqualTo(ModelChecksum.compute(dir));
  }

  @Test
  void shouldProduceIdenticalFilesOnEveryBuild() {
    Path first = ColourModelBuilder.build(store, "colour", "1");
    Path second = ColourModelBuilder.build(store, "colour", "2");

    assertThat(ModelChecksum.compute(first)).isEqualTo(ModelChecksum.compute(second));
    assertThat(ModelDescriptor.read(first).inputWidth()).isEqualTo(64);
  }

  @Test
  void shouldRefuseToOverwriteExistingVersion() {
    ColourModelBuilder.build(store, "colour", "1", 8);

    assertThatThrownBy(() -> ColourModelBuilder.build(store, "colour", "1", 8))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already exists");
  }
}
