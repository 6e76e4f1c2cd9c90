package io.vidlabel.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vidlabel.testing.TestVideos;
import java.awt.Color;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Colours survive encode (TestVideos) and decode: RGB order, range and frame order are right. */
class ColourRoundTripTest {

  private static final List<Color> COLOURS =
      List.of(Color.RED, Color.GREEN, Color.BLUE, new Color(200, 150, 50));
  private static final double TOLERANCE = 20;

  private final VideoDecoder decoder = new VideoDecoder(DecodeLimits.defaults());

  @ParameterizedTest
  @ValueSource(strings = {"mpegts", "mp4", "matroska"})
  void decodedFramesKeepTheEncodedColoursInOrder(String container) throws DecodeException {
    byte[] media =
        TestVideos.solidColours(container, 64, 48, 10, 3, COLOURS.toArray(new Color[0]));

    DecodedVideo video = decoder.decode(media, FrameSampler.all(), FrameSize.NATIVE);

    String expectedCodec = TestVideos.h264Encoder().equals("mpeg4") ? "mpeg4" : "h264";
    assertThat(video.codec()).isEqualTo(expectedCodec);
    assertThat(video.framesDecoded()).isEqualTo(12);
    for (int i = 0; i < 12; i++) {
      assertColour(video.frames().get(i), COLOURS.get(i / 3));
    }
    assertThat(video.frames().get(1).ptsMicros() - video.frames().get(0).ptsMicros())
        .isEqualTo(100_000);
  }

  @Test
  void colourSurvivesScaling() throws DecodeException {
    byte[] media = TestVideos.solidColours("mp4", 128, 96, 10, 2, Color.MAGENTA);

    DecodedVideo video = decoder.decode(media, FrameSampler.all(), new FrameSize(17, 13));

    assertThat(video.frames()).hasSize(2).allSatisfy(f -> assertColour(f, Color.MAGENTA));
  }

  @Test
  void decodesSingleJpegImageAsOneFrame() throws DecodeException {
    DecodedVideo video =
        decoder.decode(TestVideos.jpeg(40, 30, Color.ORANGE), FrameSampler.all(), FrameSize.NATIVE);

    assertThat(video.format()).isEqualTo("jpeg_pipe");
    assertThat(video.framesDecoded()).isEqualTo(1);
    VideoFrame frame = video.frames().get(0);
    assertThat(frame.width()).isEqualTo(40);
    assertThat(frame.height()).isEqualTo(30);
    assertThat(frame.ptsMicros()).isZero();
    assertColour(frame, Color.ORANGE);
  }

  @Test
  void decodesSinglePngImageAsOneExactFrame() throws DecodeException {
    Color colour = new Color(12, 34, 56);
    DecodedVideo video =
        decoder.decode(TestVideos.png(31, 7, colour), FrameSampler.all(), FrameSize.NATIVE);

    assertThat(video.format()).isEqualTo("png_pipe");
    assertThat(video.frames()).hasSize(1);
    VideoFrame frame = video.frames().get(0);
    assertThat(frame.width()).isEqualTo(31);
    assertThat(frame.height()).isEqualTo(7);
    // Lossless: exact bytes.
    for (int i = 0; i < frame.rgb().length; i += 3) {
      assertThat(new int[] {frame.rgb()[i], frame.rgb()[i + 1], frame.rgb()[i + 2]})
          .containsExactly(12, 34, 56);
    }
  }

  private static void assertColour(VideoFrame frame, Color expected) {
    double[] mean = Media.meanRgb(frame);
    assertThat(mean[0]).as("red").isCloseTo(expected.getRed(), offset(TOLERANCE));
    assertThat(mean[1]).as("green").isCloseTo(expected.getGreen(), offset(TOLERANCE));
    assertThat(mean[2]).as("blue").isCloseTo(expected.getBlue(), offset(TOLERANCE));
  }
}
