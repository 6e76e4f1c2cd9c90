package io.vidlabel.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** One test per file of ../shared/media, asserting the outcome its README row implies. */
class MediaCorpusTest {

  static final List<String> CORPUS =
      List.of(
          "jcodec__orientation.mp4",
          "torchcodec__nasa_13013.mp4",
          "jcodec__seq_reorder.264",
          "jcodec__test.ts",
          "mp4ff__ed_hevc.mp4",
          "torchcodec__h265_10bits.mp4",
          "ts-ebml__chrome57.webm",
          "libvpl__cars_320x240.mjpeg",
          "exiftool__Pentax.avi",
          "fluent-ffmpeg__testvideo-43.avi",
          "torchcodec__av1_video.mkv");

  private final VideoDecoder decoder = new VideoDecoder(DecodeLimits.defaults());

  private DecodedVideo decodeAll(String name) throws DecodeException {
    return decoder.decode(Media.read(name), FrameSampler.all(), FrameSize.NATIVE);
  }

  @Test
  void everyCorpusFileHasATestHere() throws IOException {
    try (Stream<Path> files = Files.list(Media.dir())) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".md")))
          .containsExactlyInAnyOrderElementsOf(CORPUS);
    }
  }

  @Test
  void rotatesPortraitPhoneVideoUpright() throws DecodeException {
    DecodedVideo video = decodeAll("jcodec__orientation.mp4");

    assertThat(video.format()).isEqualTo("mov,mp4,m4a,3gp,3g2,mj2");
    assertThat(video.codec()).isEqualTo("h264");
    assertThat(video.sourceWidth()).isEqualTo(1280);
    assertThat(video.sourceHeight()).isEqualTo(720);
    assertThat(video.rotationDegrees()).isEqualTo(90);
    assertThat(video.framesDecoded()).isEqualTo(2);
    assertThat(video.frames())
        .allSatisfy(f -> assertThat(List.of(f.width(), f.height())).containsExactly(720, 1280));
    assertStrictlyIncreasingPts(video);
  }

  @Test
  void decodesFirstVideoTrackOfMultiTrackMp4WithBFramesInPresentationOrder()
      throws DecodeException {
    DecodedVideo video = decodeAll("torchcodec__nasa_13013.mp4");

    // The grabber's default video stream is the first one: stream 0, 320x180 at 25 fps with 325
    // frames. Stream 3 (480x270, 29.97 fps, 390 frames), the audio and subtitle tracks are ignored.
    assertThat(video.codec()).isEqualTo("h264");
    assertThat(video.sourceWidth()).isEqualTo(320);
    assertThat(video.sourceHeight()).isEqualTo(180);
    assertThat(video.frameRate()).isEqualTo(25.0);
    assertThat(video.framesDecoded()).isEqualTo(325);
    assertThat(video.frames()).hasSize(325);
    assertThat(video.frames().get(0).width()).isEqualTo(320);
    assertThat(video.frames().get(0).height()).isEqualTo(180);
    assertStrictlyIncreasingPts(video);
    // B-frames reordered: a steady 40 ms cadence in presentation order.
    assertThat(video.frames().get(1).ptsMicros() - video.frames().get(0).ptsMicros())
        .isEqualTo(40_000);
  }

  @Test
  void synthesizesTimestampsForRawAnnexBH264() throws DecodeException {
    DecodedVideo video = decodeAll("jcodec__seq_reorder.264");

    assertThat(video.format()).isEqualTo("h264");
    assertThat(video.framesDecoded()).isEqualTo(30);
    assertThat(video.frames().get(0).width()).isEqualTo(640);
    assertThat(video.frames().get(0).height()).isEqualTo(360);
    // No timestamps in the stream: index / 25 fps (the demuxer's default rate).
    assertThat(video.frames()).extracting(VideoFrame::ptsMicros).startsWith(0L, 40_000L, 80_000L);
    assertThat(video.frames().get(29).ptsMicros()).isEqualTo(29 * 40_000L);
  }

  @Test
  void decodesH264FromMpegTransportStreamKeepingItsTimestamps() throws DecodeException {
    DecodedVideo video = decodeAll("jcodec__test.ts");

    assertThat(video.format()).isEqualTo("mpegts");
    assertThat(video.codec()).isEqualTo("h264");
    assertThat(video.framesDecoded()).isEqualTo(420);
    assertThat(video.frames().get(0).width()).isEqualTo(320);
    assertThat(video.frames().get(0).height()).isEqualTo(240);
    // The transport stream starts at 3600 s; that presentation time is kept.
    assertThat(video.frames().get(0).ptsMicros()).isEqualTo(3_600_000_000L);
    assertStrictlyIncreasingPts(video);
  }

  @Test
  void decodesHevcInMp4() throws DecodeException {
    DecodedVideo video = decodeAll("mp4ff__ed_hevc.mp4");

    assertThat(video.codec()).isEqualTo("hevc");
    assertThat(video.framesDecoded()).isEqualTo(27);
    assertThat(video.frames().get(0).width()).isEqualTo(640);
    assertThat(video.frames().get(0).height()).isEqualTo(360);
    assertStrictlyIncreasingPts(video);
  }

  @Test
  void convertsTenBitHevcToEightBitRgb() throws DecodeException {
    DecodedVideo video = decodeAll("torchcodec__h265_10bits.mp4");

    assertThat(video.codec()).isEqualTo("hevc");
    assertThat(video.framesDecoded()).isEqualTo(30);
    VideoFrame first = video.frames().get(0);
    assertThat(first.width()).isEqualTo(200);
    assertThat(first.height()).isEqualTo(200);
    assertThat(first.rgb()).hasSize(200 * 200 * 3);
    // ffmpeg's testsrc pattern: colourful, so the channels are neither all black nor all equal.
    double[] mean = Media.meanRgb(first);
    assertThat(mean[0] + mean[1] + mean[2]).isGreaterThan(100);
    assertStrictlyIncreasingPts(video);
  }

  @Test
  void decodesVariableFrameRateVp8WebmWithDuplicateTimestamps() throws DecodeException {
    DecodedVideo video = decodeAll("ts-ebml__chrome57.webm");

    assertThat(video.format()).isEqualTo("matroska,webm");
    assertThat(video.codec()).isEqualTo("vp8");
    assertThat(video.framesDecoded()).isEqualTo(185);
    assertThat(video.frames().get(0).width()).isEqualTo(640);
    assertThat(video.frames().get(0).height()).isEqualTo(480);
    // 58 duplicate timestamps in the file; ours are still strictly increasing, ending near 7.55 s.
    assertStrictlyIncreasingPts(video);
    assertThat(video.frames().get(184).ptsMicros()).isBetween(7_500_000L, 7_600_000L);
  }

  @Test
  void decodesContainerlessMjpegWithSynthesizedTimestamps() throws DecodeException {
    DecodedVideo video = decodeAll("libvpl__cars_320x240.mjpeg");

    assertThat(video.format()).isEqualTo("mjpeg");
    assertThat(video.codec()).isEqualTo("mjpeg");
    assertThat(video.framesDecoded()).isEqualTo(30);
    assertThat(video.frames().get(0).width()).isEqualTo(320);
    assertThat(video.frames().get(0).height()).isEqualTo(240);
    assertThat(video.frames().get(29).ptsMicros()).isEqualTo(29 * 40_000L);
    assertStrictlyIncreasingPts(video);
  }

  @Test
  void rejectsAviWhoseHeaderPromisesFramesItDoesNotHave() {
    assertThatThrownBy(() -> decodeAll("exiftool__Pentax.avi"))
        .isInstanceOfSatisfying(
            DecodeException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(DecodeException.Reason.NO_FRAMES);
              assertThat(e.getMessage()).contains("avi").contains("no frames");
            });
  }

  @Test
  void decodesMpeg4Part2InAviAtFiveFps() throws DecodeException {
    DecodedVideo video = decodeAll("fluent-ffmpeg__testvideo-43.avi");

    assertThat(video.format()).isEqualTo("avi");
    assertThat(video.codec()).isEqualTo("mpeg4");
    assertThat(video.frameRate()).isEqualTo(5.0);
    assertThat(video.framesDecoded()).isEqualTo(10);
    assertThat(video.frames().get(0).width()).isEqualTo(1024);
    assertThat(video.frames().get(0).height()).isEqualTo(768);
    assertThat(video.frames())
        .extracting(VideoFrame::ptsMicros)
        .containsExactly(0L, 200_000L, 400_000L, 600_000L, 800_000L, 1_000_000L, 1_200_000L,
            1_400_000L, 1_600_000L, 1_800_000L);
  }

  @Test
  void decodesAv1InMatroskaWithLibaom() throws DecodeException {
    // This FFmpeg build (JavaCV 1.5.11, FFmpeg 7.1) includes the libaom-av1 decoder.
    DecodedVideo video = decodeAll("torchcodec__av1_video.mkv");

    assertThat(video.codec()).isEqualTo("av1");
    assertThat(video.framesDecoded()).isEqualTo(125);
    assertThat(video.frames().get(0).width()).isEqualTo(640);
    assertThat(video.frames().get(0).height()).isEqualTo(360);
    assertStrictlyIncreasingPts(video);
  }

  static void assertStrictlyIncreasingPts(DecodedVideo video) {
    List<Long> pts = video.frames().stream().map(VideoFrame::ptsMicros).toList();
    assertThat(pts.get(0)).isNotNegative();
    assertThat(pts).isSorted().doesNotHaveDuplicates();
  }
}
