package io.vidlabel.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.vidlabel.testing.TestVideos;
import java.awt.Color;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShortSegmentTest {

  private final VideoDecoder decoder = new VideoDecoder(DecodeLimits.defaults());

  /** FFmpeg's prober calls a TS of 7-10 packets "mpeg" (program stream), which cannot read it. */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4})
  void decodesTransportStreamsOfVeryFewFramesAsMpegTs(int frames) throws DecodeException {
    byte[] ts = TestVideos.solidColours("mpegts", 64, 48, 10, frames, Color.RED);

    DecodedVideo video = decoder.decode(ts, FrameSampler.all(), FrameSize.NATIVE);

    assertThat(video.format()).isEqualTo("mpegts");
    assertThat(video.framesDecoded()).isEqualTo(frames);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 187, 188, 377})
  void onlyWholePacketRunsCountAsTransportStream(int length) {
    byte[] data = new byte[length];
    for (int i = 0; i < length; i += 188) {
      data[i] = 0x47;
    }
    assertThat(VideoDecoder.isWholeTransportStream(data)).isFalse();
  }
}
