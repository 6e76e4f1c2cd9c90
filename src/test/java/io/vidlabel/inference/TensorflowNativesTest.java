package io.vidlabel.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorflowNativesTest {

  @TempDir Path tmp;

  private static Path nativesIn(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(TensorflowNatives.JNI_LIBRARY), "not really a library");
    return dir;
  }

  @Test
  void shouldLoadTensorflowEngineFromBuildOutput() {
    TensorflowNatives.configure();
    TensorflowNatives.configure(); // idempotent

    Engine engine = Engine.getEngine("TensorFlow");

    assertThat(engine.getVersion()).isEqualTo("2.16.1");
    assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
    assertThat(TensorflowNatives.libraryDir()).hasValueSatisfying(
        dir -> assertThat(dir.resolve(TensorflowNatives.JNI_LIBRARY)).isRegularFile());
  }

  @Test
  void shouldPreferEnvironmentVariableOverSystemProperty() throws IOException {
    Path fromEnv = nativesIn(tmp.resolve("env"));
    Path fromProp = nativesIn(tmp.resolve("prop"));
    Map<String, String> env = Map.of(TensorflowNatives.LIBRARY_PATH_KEY, fromEnv.toString());
    Map<String, String> props = Map.of(TensorflowNatives.LIBRARY_PATH_KEY, fromProp.toString());

    assertThat(TensorflowNatives.locate(env::get, props::get, tmp, List.of())).isEqualTo(fromEnv);
    assertThat(TensorflowNatives.locate(k -> null, props::get, tmp, List.of())).isEqualTo(fromProp);
  }

  @Test
  void shouldRejectExplicitPathWithoutTheLibrary() {
    Map<String, String> props = Map.of(TensorflowNatives.LIBRARY_PATH_KEY, tmp.toString());

    assertThatThrownBy(() -> TensorflowNatives.locate(k -> null, props::get, tmp, List.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(tmp.toString())
        .hasMessageContaining("./mvnw package");
  }

  @Test
  void shouldFindTargetFolderUnderWorkingDirectory() throws IOException {
    Path natives = nativesIn(tmp.resolve("target/tensorflow-native"));

    assertThat(TensorflowNatives.locate(k -> null, k -> null, tmp, List.of())).isEqualTo(natives);
  }

  @Test
  void shouldFindNativesNextToPackagedQuarkusApp() throws IOException {
    // given `java -jar target/quarkus-app/quarkus-run.jar` started from some other directory
    Path natives = nativesIn(tmp.resolve("app/target/tensorflow-native"));
    Path runJar = tmp.resolve("app/target/quarkus-app/quarkus-run.jar");
    Files.createDirectories(runJar.getParent());
    Files.writeString(runJar, "jar");
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));

    assertThat(TensorflowNatives.locate(k -> null, k -> null, elsewhere, List.of(runJar)))
        .isEqualTo(natives);
  }

  @Test
  void shouldTellUserHowToGetNativesWhenNoneAreFound() {
    assertThatThrownBy(() -> TensorflowNatives.locate(k -> null, k -> null, tmp, List.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("./mvnw package")
        .hasMessageContaining("TENSORFLOW_LIBRARY_PATH");
  }
}
