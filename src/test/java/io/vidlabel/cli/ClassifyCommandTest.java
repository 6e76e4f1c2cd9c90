package io.vidlabel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import io.vidlabel.model.ColourModelBuilder;
import io.vidlabel.testing.TestVideos;
import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged application's {@code classify} command, run as a user would run it. */
@QuarkusMainTest
class ClassifyCommandTest {

  @TempDir Path dir;

  @Test
  void printsOneJsonLinePerFrameWithTheFramesLabel(QuarkusMainLauncher launcher) throws Exception {
    Path model = ColourModelBuilder.build(dir.resolve("models"), "colour", "1", 32);
    Path video = dir.resolve("green.mp4");
    Files.write(video, TestVideos.solidColours("mp4", 64, 48, 10, 3, Color.GREEN));

    LaunchResult result =
        launcher.launch("classify", video.toString(), "--model", model.toString(), "--sample", "all");

    assertThat(result.exitCode()).isZero();
    assertThat(jsonLines(result))
        .hasSize(3)
        .allSatisfy(line -> assertThat(line).contains("\"labels\":[{\"name\":\"green\""));
  }

  @Test
  void failsWithAOneLineReasonOnInputThatIsNotVideo(QuarkusMainLauncher launcher) throws Exception {
    Path model = ColourModelBuilder.build(dir.resolve("models"), "colour", "1", 32);
    Path notVideo = dir.resolve("notes.txt");
    Files.writeString(notVideo, "meeting notes, definitely not a video", StandardCharsets.UTF_8);

    LaunchResult result = launcher.launch("classify", notVideo.toString(), "--model", model.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(jsonLines(result)).isEmpty();
    assertThat(result.getErrorOutput()).contains("classify: " + notVideo);
  }

  @Test
  void classifiesEveryDecodableFileOfTheSharedCorpusAndRejectsTheFramelessOne(QuarkusMainLauncher launcher)
      throws Exception {
    Path model = ColourModelBuilder.build(dir.resolve("models"), "colour", "1", 32);
    Path media = Path.of(System.getProperty("test.media.dir"));
    try (var files = Files.list(media)) {
      for (Path file : files.filter(f -> !f.getFileName().toString().endsWith(".md")).sorted().toList()) {
        LaunchResult result = launcher.launch("classify", file.toString(), "--model", model.toString());
        if (file.getFileName().toString().equals("exiftool__Pentax.avi")) {
          assertThat(result.exitCode()).as(file.toString()).isEqualTo(1);
          assertThat(result.getErrorOutput()).as(file.toString()).contains("NO_FRAMES");
        } else {
          assertThat(result.exitCode()).as(file + ": " + result.getErrorOutput()).isZero();
          assertThat(jsonLines(result)).as(file.toString()).isNotEmpty();
        }
      }
    }
  }

  /** The launcher captures log lines with stdout; the command's own output is the JSON lines. */
  private static List<String> jsonLines(LaunchResult result) {
    return result.getOutputStream().stream().filter(line -> line.startsWith("{")).toList();
  }
}
