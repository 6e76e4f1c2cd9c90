package io.vidlabel.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vidlabel.decode.DecodeException.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.ShortBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DecodeLimitsTest {

  private static final byte[] TS = Media.read("jcodec__test.ts");

  private static DecodeException rejection(DecodeLimits limits, byte[] media) {
    return rejection(new VideoDecoder(limits), media);
  }

  private static DecodeException rejection(VideoDecoder decoder, byte[] media) {
    try {
      DecodedVideo video = decoder.decode(media, FrameSampler.all(), new FrameSize(8, 8));
      throw new AssertionError("expected a DecodeException, got " + video.framesDecoded()
          + " frames");
    } catch (DecodeException e) {
      return e;
    }
  }

  @Test
  void defaultsMatchTheServiceBudget() {
    DecodeLimits d = DecodeLimits.defaults();
    assertThat(d.maxInputBytes()).isEqualTo(32L * 1024 * 1024);
    assertThat(d.maxWidth()).isEqualTo(4096);
    assertThat(d.maxHeight()).isEqualTo(4096);
    assertThat(d.maxPixels()).isEqualTo(4096L * 2304);
    assertThat(d.maxFrames()).isEqualTo(2000);
    assertThat(d.maxDuration()).isEqualTo(Duration.ofSeconds(120));
    assertThat(d.maxDecodeTime()).isEqualTo(Duration.ofSeconds(30));
    assertThat(d.allowedFormats())
        .containsExactlyInAnyOrder("mpegts", "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "h264",
            "hevc", "mjpeg", "avi", "jpeg_pipe", "png_pipe", "image2");
  }

  @Test
  void formatAllowListMatchesAnyAliasOfACommaSeparatedDemuxerName() {
    DecodeLimits d = DecodeLimits.defaults();
    assertThat(d.allowsFormat("mov,mp4,m4a,3gp,3g2,mj2")).isTrue();
    assertThat(d.allowsFormat("matroska,webm")).isTrue();
    assertThat(d.allowsFormat("hls")).isFalse();
    assertThat(d.allowsFormat("concat")).isFalse();
    assertThat(d.allowsFormat(null)).isFalse();
    assertThat(d.withAllowedFormats(Set.of("mp4")).allowsFormat("mov,mp4,m4a,3gp,3g2,mj2"))
        .isTrue();
  }

  @Test
  void rejectsNonPositiveLimits() {
    assertThatThrownBy(() -> DecodeLimits.defaults().withMaxFrames(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DecodeLimits.defaults().withMaxDecodeTime(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DecodeLimits.defaults().withAllowedFormats(Set.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsInputOverMaxInputBytesBeforeDecoding() {
    DecodeException e = rejection(DecodeLimits.defaults().withMaxInputBytes(1000), TS);

    assertThat(e.reason()).isEqualTo(Reason.INPUT_TOO_LARGE);
    assertThat(e.getMessage())
        .isEqualTo("input of " + TS.length + " bytes exceeds limit of 1000 bytes");
  }

  @Test
  void rejectsAllowedLookingInputWhoseFormatIsNotOnTheList() {
    DecodeException e = rejection(
        DecodeLimits.defaults().withAllowedFormats(Set.of("mov,mp4,m4a,3gp,3g2,mj2")), TS);

    assertThat(e.reason()).isEqualTo(Reason.FORMAT_NOT_ALLOWED);
    assertThat(e.getMessage()).isEqualTo("container format 'mpegts' is not allowed");
  }

  @Test
  void rejectsTooManyPixelsEvenWithinWidthAndHeight() {
    DecodeException e =
        rejection(DecodeLimits.defaults().withMaxDimensions(4096, 4096, 320 * 240 - 1), TS);

    assertThat(e.reason()).isEqualTo(Reason.DIMENSIONS_EXCEEDED);
    assertThat(e.getMessage()).isEqualTo("frame size 320x240 exceeds limit of 76799 pixels");
  }

  @Test
  void stopsWithTooManyFramesOnceTheLimitIsPassed() {
    DecodeException e = rejection(DecodeLimits.defaults().withMaxFrames(10), TS);

    assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_FRAMES);
    assertThat(e.getMessage()).isEqualTo("input has more than 10 video frames");
    assertThat(e.framesDecoded()).isEqualTo(11);
  }

  @Test
  void acceptsExactlyMaxFrames() throws DecodeException {
    DecodedVideo video = new VideoDecoder(DecodeLimits.defaults().withMaxFrames(420))
        .decode(TS, FrameSampler.everyNth(100), new FrameSize(8, 8));

    assertThat(video.framesDecoded()).isEqualTo(420);
  }

  @Test
  void rejectsDeclaredDurationOverLimitBeforeDecoding() {
    DecodeException e =
        rejection(DecodeLimits.defaults().withMaxDuration(Duration.ofSeconds(1)), TS);

    assertThat(e.reason()).isEqualTo(Reason.DURATION_EXCEEDED);
    assertThat(e.getMessage()).startsWith("declared duration 14.000 s exceeds limit 1.000 s");
    assertThat(e.framesDecoded()).isZero();
  }

  @Test
  void stopsWhenPresentationTimeSpansMoreThanMaxDuration() {
    // Raw MJPEG declares no duration: 30 frames at 25 fps span 1.16 s, found while decoding.
    DecodeException e = rejection(
        DecodeLimits.defaults().withMaxDuration(Duration.ofMillis(500)),
        Media.read("libvpl__cars_320x240.mjpeg"));

    assertThat(e.reason()).isEqualTo(Reason.DURATION_EXCEEDED);
    assertThat(e.framesDecoded()).isEqualTo(14); // pts 520 ms is the first past 500 ms
  }

  @Test
  void stopsWithDecodeTimeoutWhenTheBudgetIsSpent() {
    DecodeException e =
        rejection(DecodeLimits.defaults().withMaxDecodeTime(Duration.ofNanos(1)), TS);

    assertThat(e.reason()).isEqualTo(Reason.DECODE_TIMEOUT);
    assertThat(e.getMessage()).startsWith("decoding took longer than");
  }

  /** A decoder whose clock advances 1 ms per reading, with a budget of {@code readings} ms. */
  private static VideoDecoder decoderWithDeadlineAfter(int readings) {
    AtomicLong now = new AtomicLong();
    return new VideoDecoder(
        DecodeLimits.defaults().withMaxDecodeTime(Duration.ofMillis(readings)),
        () -> now.getAndAdd(1_000_000));
  }

  @ParameterizedTest(name = "deadline after {0} clock readings")
  @ValueSource(ints = {2, 3, 5, 10, 30})
  void deadlineDuringOpeningCutsTheInputStream(int readings) {
    // The reads FFmpeg makes while opening consult the clock too, so it is cut off mid-open.
    DecodeException e = rejection(decoderWithDeadlineAfter(readings), TS);

    assertThat(e.reason()).isEqualTo(Reason.DECODE_TIMEOUT);
    assertThat(e.framesDecoded()).isZero();
  }

  @Test
  void openTimeEndsBeforeTheFirstFrame() throws DecodeException {
    // One clock reading per input read while opening, one per frame afterwards.
    AtomicLong now = new AtomicLong();
    VideoDecoder decoder =
        new VideoDecoder(DecodeLimits.defaults(), () -> now.getAndAdd(1_000_000));

    DecodedVideo video = decoder.decode(TS, FrameSampler.all(), new FrameSize(8, 8));

    assertThat(video.openNanos()).isPositive();
    assertThat(video.openNanos())
        .isLessThanOrEqualTo(now.get() - video.framesDecoded() * 1_000_000L);
  }

  @Test
  void deadlineBetweenFramesStopsDecoding() {
    DecodeException e = rejection(decoderWithDeadlineAfter(400), TS);

    assertThat(e.reason()).isEqualTo(Reason.DECODE_TIMEOUT);
    assertThat(e.framesDecoded()).isBetween(1, 419);
  }

  @Test
  void memoryInputReportsEndOfInputOnceTheDeadlineHasPassed() {
    MemoryInput open = new MemoryInput(new byte[] {1, 2, 3}, System.nanoTime() + 60_000_000_000L);
    MemoryInput late = new MemoryInput(new byte[] {1, 2, 3}, System.nanoTime() - 1);

    assertThat(open.read(new byte[3], 0, 3)).isEqualTo(3);
    assertThat(open.expired()).isFalse();
    assertThat(late.read(new byte[3], 0, 3)).isEqualTo(-1);
    assertThat(late.read()).isEqualTo(-1);
    assertThat(late.skip(2)).isZero();
    assertThat(late.expired()).isTrue();
  }

  @Test
  void rejectsAudioOnlyInputAsHavingNoVideoStream() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(out, 1)) {
      recorder.setFormat("mpegts");
      recorder.setAudioCodec(avcodec.AV_CODEC_ID_MP2);
      recorder.setSampleRate(44_100);
      recorder.start();
      recorder.recordSamples(ShortBuffer.wrap(new short[44_100]));
      recorder.stop();
    }

    DecodeException e = rejection(DecodeLimits.defaults(), out.toByteArray());

    assertThat(e.reason()).isEqualTo(Reason.NO_VIDEO_STREAM);
    assertThat(e.getMessage()).isEqualTo("mpegts input has no video stream");
  }

  @Test
  void decodesConcurrentlyWithOneDecoderInstance() throws Exception {
    VideoDecoder shared = new VideoDecoder(DecodeLimits.defaults());
    List<String> names = List.of("jcodec__test.ts", "torchcodec__nasa_13013.mp4",
        "mp4ff__ed_hevc.mp4", "libvpl__cars_320x240.mjpeg");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> results = pool.invokeAll(names.stream()
          .map(n -> (java.util.concurrent.Callable<Integer>) () -> shared
              .decode(Media.read(n), FrameSampler.everyNth(5), new FrameSize(32, 32))
              .framesDecoded())
          .toList());
      assertThat(results).extracting(Future::get).containsExactly(420, 325, 27, 30);
    } finally {
      pool.shutdownNow();
    }
  }
}
