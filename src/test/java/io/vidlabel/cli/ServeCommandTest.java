package io.vidlabel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;
import org.junit.jupiter.api.Test;

@QuarkusMainTest
class ServeCommandTest {

  @Test
  @Launch(value = {"serve"}, exitCode = 2)
  void refusesToStartWithoutAClusterAndSaysHowToGetOne(LaunchResult result) {
    assertThat(result.getErrorOutput())
        .contains("vidlabel.kafka.bootstrap-servers is not set")
        .contains("demo");
  }

  @Test
  @Launch(value = {"publish", "no-such-file.mp4", "--stream", "cam", "--bootstrap-servers", "127.0.0.1:1"}, exitCode = 1)
  void publishRejectsAMissingFileBeforeConnecting(LaunchResult result) {
    assertThat(result.getErrorOutput()).contains("no-such-file.mp4: not a readable file");
  }
}
