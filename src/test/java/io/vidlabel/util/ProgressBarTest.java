package io.vidlabel.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

  @Test
  void drawsABarWithAPercentageWhenTheTotalIsKnown() {
    ProgressBar bar = new ProgressBar(new PrintStream(new ByteArrayOutputStream()), "publish a.ts", 200);

    assertThat(bar.line(50, "3 segments")).isEqualTo(
        "publish a.ts [########......................]  25% 3 segments");
    assertThat(bar.line(400, "")).contains("[" + "#".repeat(30) + "] 100%");
  }

  @Test
  void showsOnlyTheCountWhenTheTotalIsUnknown() {
    ProgressBar bar = new ProgressBar(new PrintStream(new ByteArrayOutputStream()), "publish cam", 0);

    assertThat(bar.line(5, "5 segments")).isEqualTo("publish cam 5 segments");
  }

  @Test
  void redrawsInPlaceAndEndsTheLineWhenFinished() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ProgressBar bar = new ProgressBar(new PrintStream(out, true, StandardCharsets.UTF_8), "p", 0);

    bar.update(1, "a longer detail");
    bar.finish(2, "short");

    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).startsWith("\rp a longer detail").endsWith("\rp short          " + System.lineSeparator());
  }
}
