package io.vidlabel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;
import io.vidlabel.ingest.FashionSampleVideo;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The README's demo, as a user runs it: embedded broker, the default model
 * (models/fashion-resnet/1), the bundled Fashion-MNIST sample published through {@code publish}'s
 * code path, labels printed.
 */
@QuarkusMainTest
class DemoCommandTest {

  /**
   * Segments whose label must be the item's true label. The default model gets all 10 of the
   * sample's items right; measured with a broken model.json instead, it gets 0 (pixels not scaled
   * to [0, 1]) or 3 (mean and std not applied), and the colour model names colours.
   */
  private static final int MIN_CORRECT = 8;

  private static final Pattern LINE =
      Pattern.compile(
          "demo-camera\\s+segment\\s+(\\d+)\\s+(.+?)\\s+(\\d\\.\\d\\d)\\s+"
              + "\\((\\d+) of (\\d+) frames classified, model (\\S+)\\)\\s+true label: (.+)");

  @Test
  @Launch({"demo", "--exit-after-publish"})
  void labelsTheBundledSampleWithTheDefaultModelMostlyRight(LaunchResult result) throws Exception {
    List<String> truth = FashionSampleVideo.bundledSidecar().labels();

    assertThat(result.exitCode()).isZero();
    String output = String.join("\n", result.getOutputStream());
    List<Matcher> lines =
        result.getOutputStream().stream()
            .filter(line -> line.startsWith("demo-camera"))
            .map(LINE::matcher)
            .toList();
    assertThat(lines).as(output).allMatch(Matcher::matches);
    // one label per item, in order, each from the default model over 10 of the 50 frames (fps:5)
    assertThat(lines)
        .extracting(m -> Integer.parseInt(m.group(1)))
        .containsExactlyElementsOf(IntStream.range(0, truth.size()).boxed().toList());
    assertThat(lines).extracting(m -> m.group(6)).containsOnly("fashion-resnet/1");
    assertThat(lines).extracting(m -> m.group(4) + " of " + m.group(5)).containsOnly("10 of 50");
    assertThat(lines).extracting(m -> m.group(7)).containsExactlyElementsOf(truth);
    long correct =
        lines.stream().filter(m -> m.group(2).equals(truth.get(Integer.parseInt(m.group(1))))).count();
    assertThat(correct).as(output).isGreaterThanOrEqualTo(MIN_CORRECT);
    // and the demo names the dashboard it serves
    assertThat(String.join("\n", result.getErrorStream())).contains("demo: live dashboard at http://localhost:");
  }
}
