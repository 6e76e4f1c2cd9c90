package io.vidlabel.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.vidlabel.testing.TestVideos;
import java.awt.Color;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The demuxer probe starts small and grows as FFmpeg's does; these inputs need it to grow, and to
 * look past a confident answer that names a demuxer we do not allow.
 */
class ProbeTest {

  private final VideoDecoder decoder = new VideoDecoder(DecodeLimits.defaults());

  /**
   * Zeros before a transport stream (88 KB): at 2 KiB nothing is recognised, so the probe must
   * grow; behind 20 KB of them FFmpeg's own probe settles on "mpeg" (program stream, not allowed)
   * at 32 KiB, while the whole input says "mpegts".
   */
  @ParameterizedTest
  @ValueSource(ints = {3_000, 20_000})
  void findsTransportStreamBehindLeadingZeros(int zeros) throws DecodeException {
    byte[] ts = TestVideos.solidColours("mpegts", 320, 240, 25, 250, Color.RED);
    byte[] media = new byte[zeros + ts.length];
    System.arraycopy(ts, 0, media, zeros, ts.length);

    DecodedVideo video = decoder.decode(media, FrameSampler.all(), new FrameSize(32, 32));

    assertThat(video.format()).isEqualTo("mpegts");
    assertThat(video.framesDecoded()).isEqualTo(250);
  }
}
