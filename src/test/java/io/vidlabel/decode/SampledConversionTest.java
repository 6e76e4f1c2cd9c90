package io.vidlabel.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The decoder converts and scales only the frames its sampler keeps. A kept frame must be exactly
 * the frame a convert-everything decode gives at that index: the deferred conversion must act on
 * the picture just decoded, not on a stale one, also when the codec reorders frames (B-frames),
 * the picture is scaled, the pixels are 10-bit, or the frame rate is variable.
 */
class SampledConversionTest {

  private final VideoDecoder decoder = new VideoDecoder(DecodeLimits.defaults());

  @ParameterizedTest(name = "{0} every:{1} at {2}x{3}")
  @CsvSource({
    "jcodec__seq_reorder.264, 3, 0, 0",
    "jcodec__seq_reorder.264, 7, 64, 48",
    "torchcodec__h265_10bits.mp4, 4, 0, 0",
    "ts-ebml__chrome57.webm, 5, 224, 224",
    "libvpl__cars_320x240.mjpeg, 2, 96, 96",
    "torchcodec__nasa_13013.mp4, 10, 0, 0",
  })
  void keptFramesEqualTheSameIndicesOfAFullDecode(String file, int every, int width, int height)
      throws DecodeException {
    byte[] media = Media.read(file);
    FrameSize size = width == 0 ? FrameSize.NATIVE : new FrameSize(width, height);

    DecodedVideo all = decoder.decode(media, FrameSampler.all(), size);
    DecodedVideo sampled = decoder.decode(media, FrameSampler.everyNth(every), size);

    assertThat(sampled.framesDecoded()).isEqualTo(all.framesDecoded());
    List<VideoFrame> expected =
        all.frames().stream().filter(f -> f.index() % every == 0).collect(Collectors.toList());
    assertThat(sampled.frames()).hasSize(expected.size()).hasSizeGreaterThan(1);
    for (int i = 0; i < expected.size(); i++) {
      VideoFrame want = expected.get(i);
      VideoFrame got = sampled.frames().get(i);
      assertThat(got.index()).isEqualTo(want.index());
      assertThat(got.ptsMicros()).isEqualTo(want.ptsMicros());
      assertThat(got.width()).isEqualTo(want.width());
      assertThat(got.height()).isEqualTo(want.height());
      assertThat(got.rgb()).as("pixels of frame %d", want.index()).isEqualTo(want.rgb());
    }
  }
}
