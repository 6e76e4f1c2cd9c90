package io.vidlabel.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameSamplerTest {

  /** Offers {@code count} frames at a steady {@code frameMicros} cadence; returns kept indices. */
  private static List<Integer> kept(FrameSampler sampler, int count, long frameMicros) {
    FrameSampler.Session session = sampler.start();
    List<Integer> kept = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      if (session.accept(i, 1_000_000L + i * frameMicros)) {
        kept.add(i);
      }
    }
    return kept;
  }

  @Test
  void allKeepsEveryFrame() {
    assertThat(kept(FrameSampler.all(), 5, 40_000)).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void everyNthKeepsMultiplesOfN() {
    assertThat(kept(FrameSampler.everyNth(3), 10, 40_000)).containsExactly(0, 3, 6, 9);
  }

  @Test
  void targetFpsKeepsFirstFrameThenOnePerInterval() {
    // 30 fps source (33 333 us, rounded like real timestamps) sampled at 10 fps: every third.
    FrameSampler.Session session = FrameSampler.targetFps(10).start();
    List<Integer> kept = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      long pts = Math.round(i * 1_000_000.0 / 30);
      if (session.accept(i, pts)) {
        kept.add(i);
      }
    }
    assertThat(kept).containsExactly(0, 3, 6, 9, 12, 15, 18, 21, 24, 27);
  }

  @Test
  void targetFpsAboveSourceRateKeepsEveryFrame() {
    assertThat(kept(FrameSampler.targetFps(50), 10, 40_000))
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
  }

  @Test
  void targetFpsFollowsTimestampsAcrossGaps() {
    FrameSampler.Session session = FrameSampler.targetFps(1).start();
    // Irregular frames: the first, the first at or after 1 s, the first at or after 2 s...
    long[] pts = {0, 300_000, 999_800, 1_100_000, 1_900_000, 3_500_000, 3_600_000, 4_000_000};
    List<Long> kept = new ArrayList<>();
    for (int i = 0; i < pts.length; i++) {
      if (session.accept(i, pts[i])) {
        kept.add(pts[i]);
      }
    }
    assertThat(kept).containsExactly(0L, 999_800L, 3_500_000L, 4_000_000L);
  }

  @Test
  void sessionsOfOneSamplerAreIndependent() {
    FrameSampler sampler = FrameSampler.targetFps(1);
    FrameSampler.Session first = sampler.start();
    first.accept(0, 0);
    first.accept(1, 5_000_000);

    FrameSampler.Session second = sampler.start();
    assertThat(second.accept(0, 10_000_000)).isTrue();
    assertThat(second.accept(1, 10_500_000)).isFalse();
  }

  @Test
  void parsesTheThreeConfigurationForms() {
    assertThat(kept(FrameSampler.parse("all"), 3, 40_000)).containsExactly(0, 1, 2);
    assertThat(kept(FrameSampler.parse("every:2"), 5, 40_000)).containsExactly(0, 2, 4);
    assertThat(kept(FrameSampler.parse(" fps:12.5 "), 5, 40_000)).containsExactly(0, 2, 4);
    assertThat(FrameSampler.parse("every:4")).hasToString("every:4");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "some", "every", "every:", "every:0", "every:-2", "every:x", "fps:0",
          "fps:-1", "fps:NaN", "fps:Infinity", "fps:abc", "rate:5"})
  void rejectsMalformedSpecWithMessageNamingTheAcceptedForms(String spec) {
    assertThatThrownBy(() -> FrameSampler.parse(spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + spec + "'")
        .hasMessageContaining("'all', 'every:N' (N >= 1) or 'fps:F' (F > 0)");
  }

  @Test
  void rejectsNullSpec() {
    assertThatThrownBy(() -> FrameSampler.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void factoriesRejectNonPositiveArguments() {
    assertThatThrownBy(() -> FrameSampler.everyNth(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FrameSampler.targetFps(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void decoderAppliesSamplerToDecodedFrameIndices() throws DecodeException {
    VideoDecoder decoder = new VideoDecoder(DecodeLimits.defaults());
    byte[] ts = Media.read("jcodec__test.ts");

    DecodedVideo every10 = decoder.decode(ts, FrameSampler.everyNth(10), new FrameSize(32, 24));
    DecodedVideo fps1 = decoder.decode(ts, FrameSampler.targetFps(1), new FrameSize(32, 24));

    assertThat(every10.framesDecoded()).isEqualTo(420);
    assertThat(every10.frames()).hasSize(42);
    assertThat(every10.frames()).extracting(VideoFrame::index).startsWith(0, 10, 20);
    // 14 s at 30 fps, one per second of pts.
    assertThat(fps1.frames()).hasSize(14);
    assertThat(fps1.frames()).extracting(VideoFrame::index).startsWith(0, 30, 60);
  }
}
