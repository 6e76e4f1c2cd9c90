package io.vidlabel.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vidlabel.testing.TestVideos;
import java.awt.Color;
import org.junit.jupiter.api.Test;

class ScalingAndRotationTest {

  private final VideoDecoder decoder = new VideoDecoder(DecodeLimits.defaults());

  @Test
  void scalesEveryFrameToExactlyTheRequestedSize() throws DecodeException {
    DecodedVideo video =
        decoder.decode(Media.read("jcodec__test.ts"), FrameSampler.everyNth(100),
            new FrameSize(224, 224));

    assertThat(video.sourceWidth()).isEqualTo(320);
    assertThat(video.sourceHeight()).isEqualTo(240);
    assertThat(video.frames())
        .hasSize(5)
        .allSatisfy(
            f -> {
              assertThat(f.width()).isEqualTo(224);
              assertThat(f.height()).isEqualTo(224);
              assertThat(f.rgb()).hasSize(224 * 224 * 3);
            });
  }

  @Test
  void scalesRotatedVideoToRequestedSizeAfterRotation() throws DecodeException {
    // 1280x720 stored, displayed as 720x1280 portrait; ask for a portrait 90x160 output.
    DecodedVideo video =
        decoder.decode(Media.read("jcodec__orientation.mp4"), FrameSampler.all(),
            new FrameSize(90, 160));

    assertThat(video.rotationDegrees()).isEqualTo(90);
    assertThat(video.frames()).allSatisfy(f -> {
      assertThat(f.width()).isEqualTo(90);
      assertThat(f.height()).isEqualTo(160);
    });
  }

  @Test
  void rotatedScaledFrameMatchesRotatedNativeFrame() throws DecodeException {
    byte[] media = Media.read("jcodec__orientation.mp4");
    VideoFrame nativeFrame =
        decoder.decode(media, FrameSampler.all(), FrameSize.NATIVE).frames().get(0);
    VideoFrame scaled =
        decoder.decode(media, FrameSampler.all(), new FrameSize(72, 128)).frames().get(0);

    // Compare the top-left quarter of both: same picture content, so similar mean colour.
    double[] nativeMean = quadrantMean(nativeFrame);
    double[] scaledMean = quadrantMean(scaled);
    for (int c = 0; c < 3; c++) {
      assertThat(scaledMean[c]).isCloseTo(nativeMean[c], org.assertj.core.data.Offset.offset(8.0));
    }
  }

  @Test
  void rotationTurnsPixelsClockwise() {
    // 2x1 image: red, green. Clockwise 90: 1x2 with red on top, green below.
    byte[] src = {(byte) 255, 0, 0, 0, (byte) 255, 0};
    VideoFrame turned = VideoDecoder.rotate(0, 0, 2, 1, src, 90);
    assertThat(turned.width()).isEqualTo(1);
    assertThat(turned.height()).isEqualTo(2);
    assertThat(turned.rgb()).containsExactly(255, 0, 0, 0, 255, 0);

    VideoFrame half = VideoDecoder.rotate(0, 0, 2, 1, src, 180);
    assertThat(half.rgb()).containsExactly(0, 255, 0, 255, 0, 0);

    VideoFrame counter = VideoDecoder.rotate(0, 0, 2, 1, src, 270);
    assertThat(counter.height()).isEqualTo(2);
    assertThat(counter.rgb()).containsExactly(0, 255, 0, 255, 0, 0);
  }

  @Test
  void displayMatrixAngleMapsToClockwiseQuarterTurns() {
    assertThat(VideoDecoder.clockwiseRotation(-90)).isEqualTo(90);
    assertThat(VideoDecoder.clockwiseRotation(90)).isEqualTo(270);
    assertThat(VideoDecoder.clockwiseRotation(180)).isEqualTo(180);
    assertThat(VideoDecoder.clockwiseRotation(-180)).isEqualTo(180);
    assertThat(VideoDecoder.clockwiseRotation(0)).isEqualTo(0);
    assertThat(VideoDecoder.clockwiseRotation(-89.6)).isEqualTo(90);
    assertThat(VideoDecoder.clockwiseRotation(Double.NaN)).isEqualTo(0);
  }

  @Test
  void decodesOddSizedVideoAtItsCodedSize() throws DecodeException {
    // 4:2:0 needs even sizes, so the recorder pads 33x17 to 34x18; the decoder keeps that size.
    byte[] media = TestVideos.solidColours("matroska", 33, 17, 10, 2, Color.RED);
    DecodedVideo video = decoder.decode(media, FrameSampler.all(), FrameSize.NATIVE);

    assertThat(video.frames()).allSatisfy(f -> {
      assertThat(f.width()).isEqualTo(video.sourceWidth());
      assertThat(f.rgb()).hasSize(f.width() * f.height() * 3);
    });
  }

  @Test
  void frameSizeRejectsHalfNativeOrNegativeSizes() {
    assertThat(FrameSize.NATIVE.isNative()).isTrue();
    assertThat(new FrameSize(1, 1).isNative()).isFalse();
    assertThatThrownBy(() -> new FrameSize(0, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FrameSize(-1, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  private static double[] quadrantMean(VideoFrame f) {
    double[] sum = new double[3];
    int qw = f.width() / 2;
    int qh = f.height() / 2;
    for (int y = 0; y < qh; y++) {
      for (int x = 0; x < qw; x++) {
        int o = (y * f.width() + x) * 3;
        for (int c = 0; c < 3; c++) {
          sum[c] += f.rgb()[o + c] & 0xFF;
        }
      }
    }
    for (int c = 0; c < 3; c++) {
      sum[c] /= (double) qw * qh;
    }
    return sum;
  }
}
