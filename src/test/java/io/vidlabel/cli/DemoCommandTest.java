package io.vidlabel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;
import org.junit.jupiter.api.Test;

/**
 * The README's demo, as a user runs it: embedded broker, bundled model (models/colour/1), the
 * generated sample video published through {@code publish}'s code path, labels printed.
 */
@QuarkusMainTest
class DemoCommandTest {

  @Test
  @Launch({"demo", "--exit-after-publish"})
  void printsTheLabelOfEverySampleSegmentInOrder(LaunchResult result) {
    assertThat(result.exitCode()).isZero();
    assertThat(
            result.getOutputStream().stream()
                .filter(line -> line.startsWith("demo-camera"))
                .map(line -> line.replaceAll("\\s+", " ").split(" "))
                .map(f -> f[2] + " " + f[3]))
        .containsExactly("0 red", "1 green", "2 blue", "3 yellow", "4 cyan", "5 magenta");
  }
}
