package io.vidlabel.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import io.vidlabel.decode.DecodeLimits;
import io.vidlabel.decode.DecodedVideo;
import io.vidlabel.decode.FrameSampler;
import io.vidlabel.decode.FrameSize;
import io.vidlabel.decode.VideoDecoder;
import io.vidlabel.ingest.FashionSampleVideo;
import io.vidlabel.kafka.EmbeddedKafka;
import io.vidlabel.topology.RecordHeaders;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged application's {@code publish} command, run as a user would run it, against a real
 * broker: a directory of videos, the JPEG-frames mode and packet copy. The bundled sample (20 s
 * of H.264 at 25 fps, a key frame every 2 s) and files of the shared corpus are the input.
 */
@QuarkusMainTest
class PublishCommandIT {

  private static final String SEGMENTS = "video.segments";
  private static final String FRAMES = "video.frames";

  private static EmbeddedKafka kafka;
  private final VideoDecoder decoder = new VideoDecoder(DecodeLimits.defaults());

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.start(16 * 1024 * 1024);
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  @Test
  void publishesEveryVideoOfADirectoryAsItsOwnStreamAndNamesTheFileItCannotRead(QuarkusMainLauncher launcher)
      throws Exception {
    Path videos = Files.createDirectory(dir.resolve("videos"));
    FashionSampleVideo.copyBundled(videos.resolve("dir-fashion.ts"));
    Files.copy(media("fluent-ffmpeg__testvideo-43.avi"), videos.resolve("dir-testcard.avi"));
    Files.copy(media("exiftool__Pentax.avi"), videos.resolve("dir-frameless.avi"));
    Files.writeString(videos.resolve("notes.txt"), "not a video, not even looked at");

    LaunchResult result = launcher.launch(
        "publish", videos.toString(), "--bootstrap-servers", kafka.bootstrapServers(), "--no-progress");

    // the frameless file fails the run, after the two good ones were published in full
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.getErrorOutput())
        .contains("dir-frameless.avi: no video frames could be read (skipped)")
        .doesNotContain("notes.txt");
    List<ConsumerRecord<String, byte[]>> fashion = read(SEGMENTS, "dir-fashion", 10);
    assertThat(fashion).extracting(PublishCommandIT::seq)
        .containsExactlyElementsOf(LongStream.range(0, 10).boxed().toList());
    assertThat(framesDecoded(fashion)).isEqualTo(500);
    // 10 frames of 1024x768, downscaled to the default --max-height 720
    List<ConsumerRecord<String, byte[]>> testcard = read(SEGMENTS, "dir-testcard", 1);
    assertThat(testcard).hasSize(1);
    DecodedVideo card = decoder.decode(testcard.get(0).value(), FrameSampler.all(), FrameSize.NATIVE);
    assertThat(card.framesDecoded()).isEqualTo(10);
    assertThat(card.sourceHeight()).isEqualTo(720);
  }

  @Test
  void jpegModePublishesOnePictureASecondToTheFramesTopic(QuarkusMainLauncher launcher) throws Exception {
    LaunchResult result = launcher.launch(
        "publish", "classpath:" + FashionSampleVideo.VIDEO_RESOURCE, "--stream", "jpeg-cam",
        "--frames-fps", "1", "--bootstrap-servers", kafka.bootstrapServers(), "--no-progress");

    assertThat(result.exitCode()).isZero();
    List<ConsumerRecord<String, byte[]>> images = read(FRAMES, "jpeg-cam", 20);
    assertThat(images).extracting(PublishCommandIT::seq)
        .containsExactlyElementsOf(LongStream.range(0, 20).boxed().toList());
    for (ConsumerRecord<String, byte[]> r : images) {
      assertThat(r.value()).startsWith(0xFF, 0xD8); // JPEG start-of-image marker
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(r.value()));
      assertThat(image.getWidth()).isEqualTo(112);
      assertThat(image.getHeight()).isEqualTo(112);
    }
  }

  @Test
  void copyModeCutsAtTheSourcesKeyFramesWithoutReencoding(QuarkusMainLauncher launcher) throws Exception {
    Path video = dir.resolve("sample.ts");
    FashionSampleVideo.copyBundled(video);

    LaunchResult result = launcher.launch(
        "publish", video.toString(), "--stream", "copy-cam", "--codec", "copy",
        "--bootstrap-servers", kafka.bootstrapServers(), "--no-progress");

    assertThat(result.exitCode()).isZero();
    List<ConsumerRecord<String, byte[]>> segments = read(SEGMENTS, "copy-cam", 10);
    assertThat(segments).extracting(PublishCommandIT::seq)
        .containsExactlyElementsOf(LongStream.range(0, 10).boxed().toList());
    // one key frame every 50 frames: every segment holds exactly one 2-s item
    for (ConsumerRecord<String, byte[]> r : segments) {
      assertThat(decoder.decode(r.value(), FrameSampler.all(), FrameSize.NATIVE).framesDecoded()).isEqualTo(50);
    }
  }

  @Test
  void publishesALiveUrlAcrossReconnectsUntilTheDurationIsOver(QuarkusMainLauncher launcher) throws Exception {
    byte[] sample;
    try (var in = getClass().getClassLoader().getResourceAsStream(FashionSampleVideo.VIDEO_RESOURCE)) {
      sample = in.readAllBytes();
    }
    // a camera whose stream keeps ending: every connection plays the 20-s sample and closes
    try (FlakyVideoServer server = new FlakyVideoServer(sample, List.of(FlakyVideoServer.Behaviour.serveAll()))) {
      LaunchResult result = launcher.launch(
          "publish", server.url(), "--stream", "url-cam", "--duration", "8", "--max-backoff", "0.5",
          "--timeout", "5", "--bootstrap-servers", kafka.bootstrapServers());

      assertThat(result.exitCode()).isZero();
      assertThat(result.getErrorOutput()).contains("connection lost (end of stream); reconnecting in 0.5 s");
      assertThat(server.connections()).isGreaterThanOrEqualTo(2);
      Matcher summary = Pattern.compile("publish: (\\d+) segments, .* as stream 'url-cam' over (\\d+) connection")
          .matcher(result.getErrorOutput());
      assertThat(summary.find()).as(result.getErrorOutput()).isTrue();
      int published = Integer.parseInt(summary.group(1));
      assertThat(Integer.parseInt(summary.group(2))).isGreaterThanOrEqualTo(2);
      assertThat(published).isGreaterThan(10); // more than one connection's worth
      assertThat(read(SEGMENTS, "url-cam", published)).extracting(PublishCommandIT::seq)
          .containsExactlyElementsOf(LongStream.range(0, published).boxed().toList());
    }
  }

  @Test
  void realtimePublishesAtPlayingSpeedAndDurationStopsIt(QuarkusMainLauncher launcher) {
    LaunchResult result = launcher.launch(
        "publish", "classpath:" + FashionSampleVideo.VIDEO_RESOURCE, "--stream", "realtime-cam",
        "--realtime", "--loop", "--duration", "5", "--no-progress", "--bootstrap-servers", kafka.bootstrapServers());

    // 2-s segments at playing speed: in 5 s at most the segments ending at 2 and 4 s, the one
    // waiting when time ran out, and the part cut after it; as fast as possible it would be 10+
    assertThat(result.exitCode()).isZero();
    Matcher sent = Pattern.compile("(\\d+) segments to video.segments as stream 'realtime-cam'")
        .matcher(result.getErrorOutput());
    assertThat(sent.find()).as(result.getErrorOutput()).isTrue();
    assertThat(Integer.parseInt(sent.group(1))).isBetween(0, 4);
  }

  @Test
  void refusesAUrlWithoutAStreamIdAndAnUnknownCodec(QuarkusMainLauncher launcher) {
    LaunchResult noStream = launcher.launch(
        "publish", "rtsp://127.0.0.1:1/cam", "--bootstrap-servers", kafka.bootstrapServers());
    LaunchResult badCodec = launcher.launch(
        "publish", "x.ts", "--codec", "vp9", "--bootstrap-servers", kafka.bootstrapServers());

    assertThat(noStream.exitCode()).isEqualTo(2);
    assertThat(noStream.getErrorOutput()).contains("a URL source needs --stream ID");
    assertThat(badCodec.exitCode()).isEqualTo(2);
    assertThat(badCodec.getErrorOutput()).contains("--codec must be h264 or copy, not vp9");
  }

  private int framesDecoded(List<ConsumerRecord<String, byte[]>> records) throws Exception {
    int frames = 0;
    for (ConsumerRecord<String, byte[]> r : records) {
      frames += decoder.decode(r.value(), FrameSampler.all(), FrameSize.NATIVE).framesDecoded();
    }
    return frames;
  }

  private static List<ConsumerRecord<String, byte[]>> read(String topic, String key, int expected) {
    return TopicReads.read(kafka.bootstrapServers(), topic, new ByteArrayDeserializer(), key, expected);
  }

  private static long seq(ConsumerRecord<String, byte[]> r) {
    return Long.parseLong(new String(r.headers().lastHeader(RecordHeaders.SEGMENT_SEQ).value(), StandardCharsets.UTF_8));
  }

  private static Path media(String name) {
    return Path.of(System.getProperty("test.media.dir", "../shared/media")).resolve(name);
  }
}
