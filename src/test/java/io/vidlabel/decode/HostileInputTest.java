package io.vidlabel.decode;

import static io.vidlabel.faults.MediaHeaders.patchAviSize;
import static io.vidlabel.faults.MediaHeaders.patchJpegSizes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.vidlabel.decode.DecodeException.Reason;
import io.vidlabel.testing.TestVideos;
import java.awt.Color;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Untrusted input: every case ends in a {@link DecodeException} with a reason (or, for damaged but
 * partly decodable media, in the frames that did decode), never in another exception or a hang.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileInputTest {

  private static final List<String> CORPUS = MediaCorpusTest.CORPUS;

  private final VideoDecoder decoder = new VideoDecoder(DecodeLimits.defaults());

  @TempDir Path tmp;

  /** A listening socket nothing should ever connect to: stands in for an internal HTTP service. */
  private ServerSocketChannel trap;

  @BeforeEach
  void openTrap() throws IOException {
    trap = ServerSocketChannel.open();
    trap.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    trap.configureBlocking(false);
  }

  @AfterEach
  void closeTrap() throws IOException {
    trap.close();
  }

  private String trapUrl() throws IOException {
    return "http://127.0.0.1:" + ((InetSocketAddress) trap.getLocalAddress()).getPort() + "/x.ts";
  }

  /** A connection attempt completes in the kernel backlog, so a pending accept means contact. */
  private void assertTrapNeverContacted() throws IOException {
    assertThat(trap.accept()).as("connection to the trap socket").isNull();
  }

  /**
   * A named pipe as the playlist target: opening it for reading blocks until a writer appears, so
   * a decoder that tried to open it would hang (and hit the timeout) instead of finishing.
   */
  private Path fifo() throws IOException, InterruptedException {
    Path fifo = tmp.resolve("secret.fifo");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assumeThat(mkfifo.waitFor()).as("mkfifo available").isZero();
    return fifo;
  }

  private static DecodeException rejection(ThrowingDecode decode) {
    try {
      DecodedVideo video = decode.run();
      throw new AssertionError("expected a DecodeException, got " + video.framesDecoded()
          + " frames of " + video.format());
    } catch (DecodeException e) {
      return e;
    }
  }

  @FunctionalInterface
  private interface ThrowingDecode {
    DecodedVideo run() throws DecodeException;
  }

  @Test
  void rejectsZeroBytesAsEmptyInput() {
    assertThat(rejection(() -> decoder.decode(new byte[0], FrameSampler.all(), FrameSize.NATIVE))
            .reason())
        .isEqualTo(Reason.EMPTY_INPUT);
    assertThat(rejection(() -> decoder.decode(null, FrameSampler.all(), FrameSize.NATIVE))
            .reason())
        .isEqualTo(Reason.EMPTY_INPUT);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 188, 4096, 100_000, 1_500_000})
  void rejectsSeededRandomBytesAsUnreadable(int length) {
    byte[] noise = new byte[length];
    new Random(length).nextBytes(noise);

    DecodeException e =
        rejection(() -> decoder.decode(noise, FrameSampler.all(), FrameSize.NATIVE));

    assertThat(e.reason()).isEqualTo(Reason.UNREADABLE);
    assertThat(e.getMessage()).doesNotContain("\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"jcodec__test.ts", "torchcodec__nasa_13013.mp4", "ts-ebml__chrome57.webm",
      "fluent-ffmpeg__testvideo-43.avi", "jcodec__seq_reorder.264"})
  void survivesRandomBytesAfterARealHeader(String name) {
    byte[] media = Media.read(name);
    byte[] damaged = Arrays.copyOf(media, media.length);
    Random random = new Random(42);
    for (int i = 2048; i < damaged.length; i++) {
      damaged[i] = (byte) random.nextInt(256);
    }

    assertDecodesPartlyOrRejectsCleanly(damaged, Integer.MAX_VALUE);
  }

  static Stream<Arguments> mutations() {
    return CORPUS.stream()
        .flatMap(name -> Stream.of(0, 1, 2, 3).map(seed -> Arguments.of(name, seed)));
  }

  @ParameterizedTest(name = "{0} mutation {1}")
  @MethodSource("mutations")
  void mutatedCorpusFileDecodesOrIsRejectedWithAReason(String name, int seed) {
    byte[] media = Media.read(name);
    Random random = new Random(seed * 31L + name.hashCode());
    // Even seeds damage the headers (first 4 KiB), odd seeds anywhere.
    int range = seed % 2 == 0 ? Math.min(media.length, 4096) : media.length;
    for (int i = 0, n = 1 + random.nextInt(50); i < n; i++) {
      media[random.nextInt(range)] = (byte) random.nextInt(256);
    }

    try {
      DecodedVideo video = decoder.decode(media, FrameSampler.everyNth(7), new FrameSize(16, 16));
      assertThat(video.framesDecoded()).isPositive();
    } catch (DecodeException e) {
      assertThat(e.reason()).isNotNull();
      assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
    }
  }

  static Stream<Arguments> truncations() {
    return CORPUS.stream()
        .filter(name -> !name.equals("exiftool__Pentax.avi")) // has no frames to lose
        .flatMap(name -> Stream.of(Arguments.of(name, 10), Arguments.of(name, 50)));
  }

  @ParameterizedTest(name = "{0} cut at {1}%")
  @MethodSource("truncations")
  void truncatedFileDecodesFewerFramesOrIsRejectedCleanly(String name, int percent)
      throws DecodeException {
    byte[] media = Media.read(name);
    int full = decoder.decode(media, FrameSampler.all(), new FrameSize(16, 16)).framesDecoded();
    byte[] cut = Arrays.copyOf(media, media.length * percent / 100);

    assertDecodesPartlyOrRejectsCleanly(cut, full);
  }

  private void assertDecodesPartlyOrRejectsCleanly(byte[] media, int maxFrames) {
    try {
      DecodedVideo video = decoder.decode(media, FrameSampler.all(), new FrameSize(16, 16));
      assertThat(video.framesDecoded()).isBetween(1, maxFrames);
      MediaCorpusTest.assertStrictlyIncreasingPts(video);
    } catch (DecodeException e) {
      assertThat(e.reason()).isIn(Reason.UNREADABLE, Reason.NO_FRAMES);
    }
  }

  @Test
  void explainsAnUnopenableContainerInOneLine() {
    // A valid MPEG-TS sync pattern for the prober, but nothing behind it.
    byte[] ts = new byte[188 * 20];
    for (int i = 0; i < ts.length; i += 188) {
      ts[i] = 0x47;
      ts[i + 1] = 0x1F;
      ts[i + 2] = (byte) 0xFF;
      ts[i + 3] = 0x10;
    }

    DecodeException e = rejection(() -> decoder.decode(ts, FrameSampler.all(), FrameSize.NATIVE));

    assertThat(e.reason()).isIn(Reason.UNREADABLE, Reason.NO_VIDEO_STREAM, Reason.NO_FRAMES);
    assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("FFmpegLogCallback");
  }

  @Test
  void rejectsHlsPlaylistWithoutOpeningTheLocalFileOrTheUrl() throws Exception {
    Path target = fifo();
    String playlist = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n"
        + "#EXTINF:10.0,\nfile://" + target + "\n"
        + "#EXTINF:10.0,\nfile:///etc/passwd\n"
        + "#EXTINF:10.0,\n" + trapUrl() + "\n"
        + "#EXTINF:10.0,\nhttp://127.0.0.1:1/x\n#EXT-X-ENDLIST\n";

    DecodeException e = rejection(() -> decoder.decode(
        playlist.getBytes(StandardCharsets.UTF_8), FrameSampler.all(), FrameSize.NATIVE));

    assertThat(e.reason()).isEqualTo(Reason.FORMAT_NOT_ALLOWED);
    assertThat(e.getMessage()).contains("#EXTM3U");
    assertTrapNeverContacted();
  }

  @Test
  void rejectsConcatScriptWithoutOpeningItsEntries() throws Exception {
    Path target = fifo();
    String script = "ffconcat version 1.0\nfile '" + target + "'\nfile '" + trapUrl() + "'\n";

    DecodeException e = rejection(() -> decoder.decode(
        script.getBytes(StandardCharsets.UTF_8), FrameSampler.all(), FrameSize.NATIVE));

    assertThat(e.reason()).isEqualTo(Reason.FORMAT_NOT_ALLOWED);
    assertThat(e.getMessage()).contains("'concat' is not allowed");
    assertTrapNeverContacted();
  }

  @Test
  void protocolWhitelistStopsConcatEvenWhenAMisconfiguredAllowListAdmitsIt() throws Exception {
    // Defence in depth: with "concat" wrongly allowed, FFmpeg's empty protocol whitelist still
    // refuses to open the entries (a pipe that would block, a file, a URL).
    Path target = fifo();
    Path plainFile = tmp.resolve("real.ts");
    Files.write(plainFile, Media.read("jcodec__test.ts"));
    Set<String> formats = new HashSet<>(DecodeLimits.DEFAULT_FORMATS);
    formats.add("concat");
    VideoDecoder careless = new VideoDecoder(DecodeLimits.defaults().withAllowedFormats(formats));
    String script = "ffconcat version 1.0\nfile 'file:" + target + "'\nfile 'file:" + plainFile
        + "'\nfile '" + trapUrl() + "'\n";

    DecodeException e = rejection(() -> careless.decode(
        script.getBytes(StandardCharsets.UTF_8), FrameSampler.all(), FrameSize.NATIVE));

    assertThat(e.reason()).isIn(Reason.UNREADABLE, Reason.NO_FRAMES);
    assertTrapNeverContacted();
  }

  @Test
  void rejectsSdpDescriptionThatWouldOpenNetworkStreams() {
    String sdp = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        + "m=video 5004 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n";

    DecodeException e = rejection(() -> decoder.decode(
        sdp.getBytes(StandardCharsets.US_ASCII), FrameSampler.all(), FrameSize.NATIVE));

    assertThat(e.reason()).isEqualTo(Reason.FORMAT_NOT_ALLOWED);
  }

  @Test
  void rejectsDeclaredSizeOverLimitBeforeGrabbingAFrame() {
    // The Pentax AVI header with its declared size patched from 1280x720 to 8192x8192: FFmpeg
    // accepts that size, our limit (4096x4096) does not.
    byte[] avi = Media.read("exiftool__Pentax.avi");
    patchAviSize(avi, 8192, 8192);

    DecodeException e =
        rejection(() -> decoder.decode(avi, FrameSampler.all(), FrameSize.NATIVE));

    assertThat(e.reason()).isEqualTo(Reason.DIMENSIONS_EXCEEDED);
    assertThat(e.getMessage()).isEqualTo("frame size 8192x8192 exceeds limit 4096x4096");
    assertThat(e.framesDecoded()).isZero();
  }

  @Test
  void rejectsAviHeaderClaiming16384SquareWithoutDecoding() {
    // FFmpeg's own image-size check (w*h < INT_MAX/8) already refuses 16384x16384 while opening
    // the codec and clears the size, so no frame can be decoded: the input yields no frames.
    byte[] avi = Media.read("exiftool__Pentax.avi");
    patchAviSize(avi, 16384, 16384);

    DecodeException e =
        rejection(() -> decoder.decode(avi, FrameSampler.all(), FrameSize.NATIVE));

    assertThat(e.reason()).isIn(Reason.DIMENSIONS_EXCEEDED, Reason.NO_FRAMES);
    assertThat(e.framesDecoded()).isZero();
  }

  @Test
  void rejectsRealFileOverALoweredSizeLimitBeforeGrabbingAFrame() {
    VideoDecoder strict = new VideoDecoder(
        DecodeLimits.defaults().withMaxDimensions(300, 4096, 4096L * 4096));

    DecodeException e = rejection(() -> strict.decode(
        Media.read("jcodec__test.ts"), FrameSampler.all(), FrameSize.NATIVE));

    assertThat(e.reason()).isEqualTo(Reason.DIMENSIONS_EXCEEDED);
    assertThat(e.getMessage()).isEqualTo("frame size 320x240 exceeds limit 300x4096");
    assertThat(e.framesDecoded()).isZero();
  }

  @Test
  void rejectsJpegClaiming16384SquareCleanly() {
    byte[] jpeg = TestVideos.jpeg(16, 16, Color.GRAY);
    patchJpegSizes(jpeg, 16384, 16384);

    DecodeException e =
        rejection(() -> decoder.decode(jpeg, FrameSampler.all(), FrameSize.NATIVE));

    // FFmpeg's own image-size check refuses the picture while probing; nothing is allocated.
    assertThat(e.reason()).isIn(Reason.DIMENSIONS_EXCEEDED, Reason.NO_FRAMES, Reason.UNREADABLE);
  }
}
