package io.vidlabel.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelStoreTest {

  @TempDir Path root;

  private void version(String name, String version) throws IOException {
    Path dir = root.resolve(name).resolve(version);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(ModelDescriptor.FILE_NAME), "{}");
  }

  @Test
  void listsVersionsInNumericOrderAndIgnoresHalfWrittenOnes() throws IOException {
    for (String v : new String[] {"10", "2", "1", "canary"}) {
      version("m", v);
    }
    Files.createDirectories(root.resolve("m/.staging-123"));
    Files.writeString(root.resolve("m/.staging-123").resolve(ModelDescriptor.FILE_NAME), "{}");

    ModelStore store = new ModelStore(root);

    assertThat(store.versions("m")).containsExactly("1", "2", "10", "canary");
    assertThat(store.nextVersion("m")).isEqualTo("11");
    assertThat(store.versions("other")).isEmpty();
    assertThat(store.nextVersion("other")).isEqualTo("1");
  }

  /** A version of the default model's descriptor with this lineage (no SavedModel: retire never loads one). */
  private void lineage(String version, String parent) {
    ModelDescriptor.read(Path.of("models/fashion-resnet/1")).derive(version, parent, null, null)
        .write(root.resolve("fashion-resnet").resolve(version));
  }

  @Test
  void retiresVersionsOlderThanTheServedLineageItKeeps() throws IOException {
    lineage("1", null);
    for (int v = 2; v <= 9; v++) {
      lineage(Integer.toString(v), Integer.toString(v - 1));
    }
    lineage("10", "7"); // 8 and 9 were rolled back from: 10 was fine-tuned from 7
    lineage("11", "10"); // not promoted yet: newer than the served version
    lineage("canary", "1"); // uploaded under another name: sorts after every number
    Files.writeString(root.resolve("fashion-resnet/3").resolve(ModelDescriptor.FILE_NAME), "not json");
    Files.createDirectories(root.resolve("fashion-resnet/.retired-12/variables")); // an interrupted deletion
    ModelStore store = new ModelStore(root);
    assertThat(store.retire("fashion-resnet", "99", 3)).as("the served version is not in the store").isEmpty();

    List<String> retired = store.retire("fashion-resnet", "10", 3);

    assertThat(retired).containsExactly("2", "4", "5", "8", "9");
    // the root, what cannot be read, the served version and its two nearest ancestors, what is newer
    assertThat(store.versions("fashion-resnet")).containsExactly("1", "3", "6", "7", "10", "11", "canary");
    try (var left = Files.list(root.resolve("fashion-resnet"))) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
    }
    assertThat(store.retire("fashion-resnet", "10", 3)).isEmpty();
    assertThat(store.retire("fashion-resnet", "10", 0)).isEmpty();
    assertThat(store.retire("other", "1", 3)).isEmpty();
  }

  @Test
  void installsAStagedVersionAtomicallyAndNeverOverwrites() throws IOException {
    ModelStore store = new ModelStore(root);
    Path staging = store.staging("m");
    Files.writeString(staging.resolve(ModelDescriptor.FILE_NAME), "{}");

    Path installed = store.install(staging, "m", "1");

    assertThat(installed).isEqualTo(root.resolve("m/1"));
    assertThat(store.versions("m")).containsExactly("1");
    Path again = store.staging("m");
    assertThatThrownBy(() -> store.install(again, "m", "1")).isInstanceOf(ModelException.class).hasMessageContaining("already exists");
  }

  @Test
  void adoptsABundledModelIntoAnEmptyStoreOnce() throws IOException {
    ModelStore store = new ModelStore(root.resolve("shared"));

    Path adopted = store.adopt(Path.of("models/fashion-resnet/1"));

    assertThat(adopted).isEqualTo(store.directory("fashion-resnet", "1"));
    assertThat(ModelChecksum.compute(adopted)).isEqualTo(ModelDescriptor.read(adopted).checksum());
    Files.writeString(adopted.resolve("marker"), "kept");
    assertThat(store.adopt(Path.of("models/fashion-resnet/1"))).isEqualTo(adopted);
    assertThat(adopted.resolve("marker")).exists();
  }

  @Test
  void findsTheStoreOfAModelDirectory() {
    assertThat(ModelStore.containing(root.resolve("fashion/3")).root()).isEqualTo(root.toAbsolutePath().normalize());
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", ".", "../etc", "/etc", "a/b", "a\\b", "..%2Fetc", "%2e%2e", "a..b", ".hidden",
      "", " 1", "1\u0000", "C:", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
  void refusesNamesAndVersionsThatCouldLeaveTheStore(String bad) {
    ModelStore store = new ModelStore(root);

    assertThatThrownBy(() -> store.directory(bad, "1")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model name");
    assertThatThrownBy(() -> store.directory("m", bad)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version");
    assertThatThrownBy(() -> store.versions(bad)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.staging(bad)).isInstanceOf(IllegalArgumentException.class);
    assertThat(ModelStore.isSafeName(bad)).isFalse();
  }

  @Test
  void acceptsOrdinaryNamesAndVersions() {
    ModelStore store = new ModelStore(root);

    assertThat(store.directory("fashion-resnet", "1")).isEqualTo(root.resolve("fashion-resnet/1"));
    assertThat(store.directory("resnet50_keras", "2.1-canary")).isEqualTo(root.resolve("resnet50_keras/2.1-canary"));
  }
}
