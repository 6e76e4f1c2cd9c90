package io.vidlabel.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The parts of the scale-out check that need no broker (ScaleOutIT runs the check itself). */
class ScaleOutCheckTest {

  @Test
  void instancesOfThePackagedApplicationGetItsJarsAndTheGeneratedConfigClasses() {
    String cp = ScaleOutCheck.classPath("/opt/vidlabel/quarkus-app/quarkus-run.jar");

    assertThat(cp.split(File.pathSeparator))
        .containsExactly(
            "/opt/vidlabel/quarkus-app/app/*",
            "/opt/vidlabel/quarkus-app/lib/boot/*",
            "/opt/vidlabel/quarkus-app/lib/main/*",
            "/opt/vidlabel/quarkus-app/quarkus/generated-bytecode.jar");
  }

  @Test
  void instancesStartedFromAPlainClassPathGetTheSameClassPath() {
    String cp = String.join(File.pathSeparator, "/a/classes", "/b/dep.jar");

    assertThat(ScaleOutCheck.classPath(cp)).isEqualTo(cp);
  }

  @Test
  void refusesFewerThanTwoInstances() {
    assertThatThrownBy(() -> new ScaleOutCheck.Options("x:1", Path.of("m"), 1, 3, 3, Path.of("w"), Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 2 instances");
  }
}
