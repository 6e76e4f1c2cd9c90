package io.vidlabel.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelChecksumTest {

  @TempDir Path dir;

  @BeforeEach
  void savedModel() throws IOException {
    Files.writeString(dir.resolve("saved_model.pb"), "graph");
    Files.createDirectories(dir.resolve("variables"));
    Files.writeString(dir.resolve("variables/variables.index"), "index");
    Files.writeString(dir.resolve("variables/variables.data-00000-of-00001"), "weights");
  }

  @Test
  void shouldBeStableForSameFiles() {
    String first = ModelChecksum.compute(dir);

    assertThat(first).matches("[0-9a-f]{64}").isEqualTo(ModelChecksum.compute(dir));
  }

  @Test
  void shouldIgnoreDescriptorAndOtherFiles() throws IOException {
    String before = ModelChecksum.compute(dir);
    Files.writeString(dir.resolve("model.json"), "{}");
    Files.writeString(dir.resolve("README.txt"), "notes");

    assertThat(ModelChecksum.compute(dir)).isEqualTo(before);
  }

  @Test
  void shouldChangeWhenVariablesChange() throws IOException {
    String before = ModelChecksum.compute(dir);
    Files.writeString(dir.resolve("variables/variables.data-00000-of-00001"), "weightz");

    assertThat(ModelChecksum.compute(dir)).isNotEqualTo(before);
  }

  @Test
  void shouldChangeWhenFileIsRenamed() throws IOException {
    String before = ModelChecksum.compute(dir);
    Files.move(dir.resolve("variables/variables.index"), dir.resolve("variables/variables.idx"));

    assertThat(ModelChecksum.compute(dir)).isNotEqualTo(before);
  }

  @Test
  void shouldRefuseDirectoryWithoutSavedModel() throws IOException {
    Files.delete(dir.resolve("saved_model.pb"));

    assertThatThrownBy(() -> ModelChecksum.compute(dir))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("saved_model.pb");
  }
}
