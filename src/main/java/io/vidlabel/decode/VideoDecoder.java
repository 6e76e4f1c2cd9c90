package io.vidlabel.decode;

import io.vidlabel.decode.DecodeException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVInputFormat;
import org.bytedeco.ffmpeg.avformat.AVProbeData;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

/**
 * Decodes untrusted media held in memory into RGB24 frames, within {@link DecodeLimits}.
 *
 * <p>Order of checks: size of the input; the demuxer FFmpeg's prober picks on the buffer (probed
 * as FFmpeg itself would; only allow-listed demuxers, then forced, so FFmpeg cannot pick another
 * one later); opening with a format whitelist and an empty protocol whitelist; the
 * stream's declared size and duration, before any frame is grabbed; then frame count, presentation
 * span and the wall-clock deadline around every frame (the deadline also cuts the input stream).
 *
 * <p>Thread-safe: each call uses its own grabber.
 */
public final class VideoDecoder {

  private static final System.Logger LOG = System.getLogger(VideoDecoder.class.getName());

  /** FFmpeg probes at most 1 MiB; probing more gives no better answer. */
  private static final int PROBE_BYTES = 1 << 20;
  /** FFmpeg's first probe size; it doubles from there while the answer is not confident. */
  private static final int FIRST_PROBE_BYTES = 2048;
  /** FFmpeg reads this many bytes past the end of a probe buffer; they must be zero. */
  private static final int PROBE_PADDING = avformat.AVPROBE_PADDING_SIZE;
  private static final byte[] ZERO_PADDING = new byte[PROBE_PADDING];
  /** A detection below this score is a guess, not an identification of a foreign format. */
  private static final int CONFIDENT_PROBE_SCORE = avformat.AVPROBE_SCORE_RETRY;
  /** Bytes inspected to tell a text file (playlist, concat script, SDP) from binary media. */
  private static final int TEXT_SNIFF_BYTES = 512;
  /** "#EXTM3U\n" is 8 bytes; anything shorter is just unreadable. */
  private static final int MIN_TEXT_BYTES = 8;
  /** Frame rate used to synthesize timestamps when the stream declares none (FFmpeg's default). */
  private static final double FALLBACK_FPS = 25.0;
  /** JavaCV ends open errors with hints about its own API, not about the input; cut from here. */
  private static final List<String> JAVACV_HINTS = List.of(" (Has setFormat", " (For more details");
  /** A stream index no container has. */
  private static final int NO_AUDIO_STREAM = Integer.MAX_VALUE;
  /** Not a protocol name: no nested URL or file can be opened at all. */
  private static final String NO_PROTOCOLS = "none";

  static {
    // FFmpeg's default level prints a stream dump per input and a line per damaged packet; a
    // service decoding untrusted input wants errors only. Leave any level the application chose.
    if (avutil.av_log_get_level() == avutil.AV_LOG_INFO) {
      avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    }
  }

  private final DecodeLimits limits;
  private final String formatWhitelist;
  private final LongSupplier nanoClock;
  /** FFmpeg decoder threads; 0 keeps JavaCV's default (FFmpeg picks one per core). */
  private final int decoderThreads;

  public VideoDecoder(DecodeLimits limits) {
    this(limits, System::nanoTime, 0);
  }

  /**
   * With a fixed number of FFmpeg decoder threads: 1 decodes on the calling thread only, as
   * {@code ffmpeg -threads 1} does (the decode benchmark compares like with like that way); 0 lets
   * FFmpeg pick.
   */
  public VideoDecoder(DecodeLimits limits, int decoderThreads) {
    this(limits, System::nanoTime, decoderThreads);
  }

  /** With a clock for the decode deadline, so tests can move time deterministically. */
  VideoDecoder(DecodeLimits limits, LongSupplier nanoClock) {
    this(limits, nanoClock, 0);
  }

  private VideoDecoder(DecodeLimits limits, LongSupplier nanoClock, int decoderThreads) {
    if (decoderThreads < 0) {
      throw new IllegalArgumentException("decoderThreads must be >= 0: " + decoderThreads);
    }
    this.limits = Objects.requireNonNull(limits, "limits");
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    this.decoderThreads = decoderThreads;
    this.formatWhitelist =
        limits.allowedFormats().stream().sorted().collect(Collectors.joining(","));
  }

  public DecodeLimits limits() {
    return limits;
  }

  /**
   * Decodes a still image (a JPEG or PNG, with limits such as {@link DecodeLimits#forStillImages})
   * scaled to {@code size}.
   *
   * @throws DecodeException as {@link #decode}, and ({@link Reason#UNREADABLE}) if it yields no frame
   */
  public VideoFrame decodeStill(byte[] image, FrameSize size) throws DecodeException {
    List<VideoFrame> frames = decode(image, FrameSampler.all(), size).frames();
    if (frames.isEmpty()) {
      throw new DecodeException(Reason.UNREADABLE, "decoded to no frame");
    }
    return frames.get(0);
  }

  /**
   * Decodes the default (first) video stream of {@code media}.
   *
   * @throws DecodeException with a {@link Reason} for every input that cannot be decoded within
   *     the limits; no other exception escapes for bad input
   */
  public DecodedVideo decode(byte[] media, FrameSampler sampler, FrameSize size)
      throws DecodeException {
    Objects.requireNonNull(sampler, "sampler");
    Objects.requireNonNull(size, "size");
    if (media == null || media.length == 0) {
      throw new DecodeException(Reason.EMPTY_INPUT, "input is empty");
    }
    if (media.length > limits.maxInputBytes()) {
      throw new DecodeException(
          Reason.INPUT_TOO_LARGE,
          "input of " + media.length + " bytes exceeds limit of " + limits.maxInputBytes()
              + " bytes");
    }
    long called = nanoClock.getAsLong();
    MemoryInput input =
        new MemoryInput(media, called + budgetNanos(limits.maxDecodeTime()), nanoClock);
    try {
      String demuxer = probeDemuxer(media);
      return new Run(input, media.length, demuxer, sampler.start(), size, called).decode();
    } catch (DecodeException e) {
      throw e;
    } catch (RuntimeException e) {
      // Defensive: JavaCV and JavaCPP signal some native failures as unchecked exceptions.
      throw new DecodeException(
          input.expired() ? Reason.DECODE_TIMEOUT : Reason.UNREADABLE,
          "decoding failed: " + oneLine(e), 0, e);
    }
  }

  /**
   * Returns the short name of the demuxer to force, after checking it against the allow-list.
   * Probing ourselves (instead of letting FFmpeg probe while it opens) gives a precise reason and
   * guarantees that the demuxer that runs is the one that was checked.
   */
  private String probeDemuxer(byte[] media) throws DecodeException {
    String name;
    int score;
    try (BytePointer buf = new BytePointer((long) Math.min(media.length, PROBE_BYTES)
            + PROBE_PADDING);
        BytePointer fileName = new BytePointer("");
        IntPointer scoreOut = new IntPointer(1);
        AVProbeData probe = new AVProbeData()) {
      AVInputFormat format = probeGrowing(media, buf, probe.filename(fileName), scoreOut);
      name = format == null || format.name() == null ? null : format.name().getString();
      score = scoreOut.get();
    }
    if (!"mpegts".equals(name) && isWholeTransportStream(media)) {
      // FFmpeg's prober scores MPEG-TS by the number of packets it sees, so a segment of a few
      // packets (two or three small frames) loses to the program-stream prober, whose demuxer
      // then cannot read it. A buffer made only of 188-byte packets with sync bytes is TS.
      name = "mpegts";
      score = CONFIDENT_PROBE_SCORE;
    }
    if (name == null || (score < CONFIDENT_PROBE_SCORE && !limits.allowsFormat(name))) {
      if (looksLikeText(media)) {
        throw new DecodeException(
            Reason.FORMAT_NOT_ALLOWED,
            "input is text (a playlist or stream description?), not a media file: "
                + firstLine(media));
      }
      throw new DecodeException(Reason.UNREADABLE, "input is not in any known media format");
    }
    if (!limits.allowsFormat(name)) {
      throw new DecodeException(
          Reason.FORMAT_NOT_ALLOWED, "container format '" + name + "' is not allowed");
    }
    int comma = name.indexOf(',');
    return comma < 0 ? name : name.substring(0, comma);
  }

  /**
   * Probes in FFmpeg's order ({@code avformat_open_input}): the first 2 KiB, then twice as much
   * while no demuxer scores above {@code AVPROBE_SCORE_RETRY}, up to the first MiB, where the best
   * guess is taken whatever its score. One difference: a confident answer naming a demuxer we do
   * not allow does not stop the search (FFmpeg calls a transport stream behind 20 KB of junk
   * "mpeg" at 64 KiB and "mpegts" on the whole MiB), so an input rejected here was rejected on
   * its whole first MiB. Most media is identified from its first few KiB; running every prober
   * over the whole MiB cost 8 ms on a 345 KB file and 20-30 ms on a 4 MB one, 50 to 100 times
   * this loop on the same files (docs/performance.md, section 1).
   */
  private AVInputFormat probeGrowing(
      byte[] media, BytePointer buf, AVProbeData probe, IntPointer scoreOut) {
    int limit = Math.min(media.length, PROBE_BYTES);
    int copied = 0;
    for (int n = Math.min(FIRST_PROBE_BYTES, limit); ; n = Math.min(2 * n, limit)) {
      buf.position(copied).put(media, copied, n - copied);
      buf.position(n).put(ZERO_PADDING).position(0);
      copied = n;
      probe.buf(buf).buf_size(n);
      AVInputFormat format = avformat.av_probe_input_format3(probe, 1, scoreOut);
      boolean settled = scoreOut.get() > avformat.AVPROBE_SCORE_RETRY
          && format != null && format.name() != null
          && limits.allowsFormat(format.name().getString());
      if (n == limit || settled) {
        return format;
      }
    }
  }

  private static final int TS_PACKET = 188;

  static boolean isWholeTransportStream(byte[] media) {
    if (media.length < 2 * TS_PACKET || media.length % TS_PACKET != 0) {
      return false;
    }
    for (int i = 0; i < media.length; i += TS_PACKET) {
      if (media[i] != 0x47) {
        return false;
      }
    }
    return true;
  }

  /** One decode: owns the grabber and the per-input state. */
  private final class Run {
    private final MemoryInput input;
    private final int inputSize;
    private final String demuxer;
    private final FrameSampler.Session session;
    private final FrameSize size;
    /** The clock's reading when the decode call began. */
    private final long called;
    private int decoded;

    Run(MemoryInput input, int inputSize, String demuxer, FrameSampler.Session session,
        FrameSize size, long called) {
      this.input = input;
      this.inputSize = inputSize;
      this.demuxer = demuxer;
      this.session = session;
      this.size = size;
      this.called = called;
    }

    DecodedVideo decode() throws DecodeException {
      try (Grabber handle = new Grabber(new FFmpegFrameGrabber(input, inputSize))) {
        FFmpegFrameGrabber grabber = handle.grabber;
        grabber.setFormat(demuxer);
        grabber.setOption("format_whitelist", formatWhitelist);
        grabber.setOption("protocol_whitelist", NO_PROTOCOLS);
        grabber.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
        // Select an audio stream that cannot exist, so no audio decoder ever opens on untrusted
        // input (less native code exposed, less work); audio packets are read and dropped.
        grabber.setAudioStream(NO_AUDIO_STREAM);
        // Refuse oversized pictures inside the decoder too: streams without a declared size
        // (raw H.264, MJPEG) or with a size change mid-stream are only measured while decoding.
        grabber.setVideoOption(
            "max_pixels", Long.toString(Math.min(limits.maxPixels(), Integer.MAX_VALUE)));
        if (decoderThreads > 0) {
          grabber.setVideoOption("threads", Integer.toString(decoderThreads));
        }
        checkDeadline();
        try {
          grabber.start();
        } catch (Exception e) {
          checkDeadline();
          // The decoder's max_pixels option refuses to open on an oversized declared size; say so.
          checkDeclaredDimensions(grabber);
          // JavaCV refuses to start without a stream it decodes, and audio is never decoded here.
          checkHasVideoStream(grabber);
          throw new DecodeException(
              Reason.UNREADABLE, "cannot open input as " + demuxer + ": " + oneLine(e), 0, e);
        }
        return decodeStarted(grabber, nanoClock.getAsLong() - called);
      }
    }

    private DecodedVideo decodeStarted(FFmpegFrameGrabber grabber, long openNanos)
        throws DecodeException {
      String format = grabber.getFormat();
      if (!limits.allowsFormat(format)) {
        throw new DecodeException(
            Reason.FORMAT_NOT_ALLOWED, "container format '" + format + "' is not allowed");
      }
      if (!grabber.hasVideo()) {
        throw new DecodeException(Reason.NO_VIDEO_STREAM, format + " input has no video stream");
      }
      // Before any frame is grabbed: the size the container declares for its video streams (a
      // decoder may have refused that size and cleared its own), then the size the stream reports.
      checkDeclaredDimensions(grabber);
      int sourceWidth = grabber.getImageWidth();
      int sourceHeight = grabber.getImageHeight();
      checkDimensions(sourceWidth, sourceHeight);
      long declaredMicros = grabber.getLengthInTime();
      if (declaredMicros > limits.maxDuration().toNanos() / 1000) {
        throw new DecodeException(
            Reason.DURATION_EXCEEDED,
            "declared duration " + seconds(declaredMicros) + " exceeds limit "
                + seconds(limits.maxDuration().toNanos() / 1000));
      }
      String codec = codecName(grabber.getVideoCodec());
      int rotation = clockwiseRotation(grabber.getDisplayRotation());
      double declaredFps = grabber.getFrameRate();
      double frameRate = declaredFps > 0 && declaredFps < 1000 ? declaredFps : 0;
      if (!size.isNative()) {
        // Scale in FFmpeg (cheap, good filter) to the pre-rotation size, then rotate the small
        // buffer in Java.
        boolean quarterTurn = rotation == 90 || rotation == 270;
        grabber.setImageWidth(quarterTurn ? size.height() : size.width());
        grabber.setImageHeight(quarterTurn ? size.width() : size.height());
      }

      Timestamps timestamps = new Timestamps(frameRate > 0 ? frameRate : FALLBACK_FPS);
      long maxSpanMicros = limits.maxDuration().toNanos() / 1000;
      List<VideoFrame> frames = new ArrayList<>();
      while (true) {
        checkDeadline();
        Frame frame;
        try {
          // Decode only: pixel conversion and scaling run below, for kept frames only.
          frame = grabber.grabFrame(false, true, false, false, false);
        } catch (Exception e) {
          checkDeadline();
          if (decoded == 0) {
            throw new DecodeException(
                Reason.UNREADABLE, "cannot decode " + codec + " video: " + oneLine(e), 0, e);
          }
          // Damage after good frames (a truncated segment): keep what decoded.
          LOG.log(System.Logger.Level.DEBUG,
              "stopping after " + decoded + " frames of " + codec + ": " + oneLine(e));
          break;
        }
        if (frame == null) {
          break;
        }
        int index = decoded++;
        if (decoded > limits.maxFrames()) {
          throw new DecodeException(
              Reason.TOO_MANY_FRAMES,
              "input has more than " + limits.maxFrames() + " video frames", decoded, null);
        }
        long pts = timestamps.next(index, frame.timestamp);
        if (pts - timestamps.first() > maxSpanMicros) {
          throw new DecodeException(
              Reason.DURATION_EXCEEDED,
              "video spans more than " + seconds(maxSpanMicros) + " of presentation time",
              decoded, null);
        }
        if (!session.accept(index, pts)) {
          continue;
        }
        try {
          DeferredConversion.convert(grabber);
        } catch (Exception e) {
          throw new DecodeException(
              Reason.UNREADABLE,
              "cannot convert frame " + index + " of " + codec + " video: " + oneLine(e),
              decoded, e);
        }
        if (frame.image == null || frame.imageWidth <= 0 || frame.imageHeight <= 0) {
          throw new DecodeException(
              Reason.UNREADABLE, "frame " + index + " of " + codec + " video has no picture",
              decoded, null);
        }
        if (size.isNative()) {
          checkDimensions(frame.imageWidth, frame.imageHeight);
        }
        frames.add(copyFrame(frame, index, pts, rotation));
      }
      checkDeadline();
      if (decoded == 0) {
        throw new DecodeException(
            Reason.NO_FRAMES, format + " input with " + codec + " video yields no frames");
      }
      return new DecodedVideo(
          format, codec, sourceWidth, sourceHeight, rotation, frameRate, decoded, frames,
          openNanos);
    }

    /** Checks the sizes the container declares for its video streams, if it got that far. */
    private void checkDeclaredDimensions(FFmpegFrameGrabber grabber) throws DecodeException {
      AVFormatContext context = grabber.getFormatContext();
      if (context == null || context.isNull()) {
        return;
      }
      for (int i = 0; i < context.nb_streams(); i++) {
        AVStream stream = context.streams(i);
        AVCodecParameters params = stream == null ? null : stream.codecpar();
        if (params != null && params.codec_type() == avutil.AVMEDIA_TYPE_VIDEO) {
          checkDimensions(params.width(), params.height());
        }
      }
    }

    private void checkHasVideoStream(FFmpegFrameGrabber grabber) throws DecodeException {
      AVFormatContext context = grabber.getFormatContext();
      if (context == null || context.isNull() || context.nb_streams() == 0) {
        return;
      }
      for (int i = 0; i < context.nb_streams(); i++) {
        AVStream stream = context.streams(i);
        if (stream != null && stream.codecpar() != null
            && stream.codecpar().codec_type() == avutil.AVMEDIA_TYPE_VIDEO) {
          return;
        }
      }
      throw new DecodeException(
          Reason.NO_VIDEO_STREAM, grabber.getFormat() + " input has no video stream");
    }

    private void checkDimensions(int width, int height) throws DecodeException {
      if (width > limits.maxWidth() || height > limits.maxHeight()) {
        throw new DecodeException(
            Reason.DIMENSIONS_EXCEEDED,
            "frame size " + width + "x" + height + " exceeds limit " + limits.maxWidth() + "x"
                + limits.maxHeight(), decoded, null);
      }
      if ((long) width * height > limits.maxPixels()) {
        throw new DecodeException(
            Reason.DIMENSIONS_EXCEEDED,
            "frame size " + width + "x" + height + " exceeds limit of " + limits.maxPixels()
                + " pixels", decoded, null);
      }
    }

    private void checkDeadline() throws DecodeException {
      if (input.deadlinePassed()) {
        throw new DecodeException(
            Reason.DECODE_TIMEOUT,
            "decoding took longer than " + limits.maxDecodeTime().toMillis() + " ms", decoded,
            null);
      }
    }
  }

  /** Closes the grabber without letting a failure to close hide the decode result. */
  private static final class Grabber implements AutoCloseable {
    final FFmpegFrameGrabber grabber;

    Grabber(FFmpegFrameGrabber grabber) {
      this.grabber = grabber;
    }

    @Override
    public void close() {
      try {
        grabber.close();
      } catch (Exception e) {
        LOG.log(System.Logger.Level.WARNING, "closing FFmpeg grabber failed: " + oneLine(e));
      }
    }
  }

  /**
   * Makes presentation times usable: strictly increasing and never negative. Streams without
   * timestamps (raw H.264, MJPEG) report the same value for every frame; for them times are
   * synthesized from the index and the frame rate. Duplicates in a timed stream (WebM from
   * MediaRecorder has them) are moved 1 microsecond past the previous frame.
   */
  private static final class Timestamps {
    private final double frameMicros;
    private long firstRaw;
    private boolean rawAdvances;
    private long first;
    private long previous = -1;

    Timestamps(double fps) {
      this.frameMicros = 1_000_000.0 / fps;
    }

    long next(int index, long raw) {
      long pts;
      if (index == 0) {
        firstRaw = raw;
        pts = raw;
      } else {
        rawAdvances |= raw != firstRaw;
        pts = rawAdvances ? raw : firstRaw + Math.round(index * frameMicros);
      }
      pts = Math.max(pts, 0);
      if (previous >= 0 && pts <= previous) {
        pts = previous + 1;
      }
      if (index == 0) {
        first = pts;
      }
      previous = pts;
      return pts;
    }

    long first() {
      return first;
    }
  }

  /** Copies the grabber's (reused, possibly padded) buffer into a packed, rotated array. */
  static VideoFrame copyFrame(Frame frame, int index, long pts, int rotation) {
    int w = frame.imageWidth;
    int h = frame.imageHeight;
    int stride = frame.imageStride;
    ByteBuffer src = (ByteBuffer) frame.image[0];
    byte[] packed = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      src.get(y * stride, packed, y * w * 3, w * 3);
    }
    return rotation == 0
        ? new VideoFrame(index, pts, w, h, packed)
        : rotate(index, pts, w, h, packed, rotation);
  }

  /** Rotates a packed RGB24 image clockwise by 90, 180 or 270 degrees. */
  static VideoFrame rotate(int index, long pts, int w, int h, byte[] src, int rotation) {
    boolean quarterTurn = rotation == 90 || rotation == 270;
    int outW = quarterTurn ? h : w;
    int outH = quarterTurn ? w : h;
    byte[] out = new byte[src.length];
    for (int y = 0; y < outH; y++) {
      for (int x = 0; x < outW; x++) {
        int sx;
        int sy;
        switch (rotation) {
          case 90:
            sx = y;
            sy = h - 1 - x;
            break;
          case 180:
            sx = w - 1 - x;
            sy = h - 1 - y;
            break;
          case 270:
            sx = w - 1 - y;
            sy = x;
            break;
          default:
            throw new IllegalArgumentException("rotation must be 90, 180 or 270: " + rotation);
        }
        int s = (sy * w + sx) * 3;
        int d = (y * outW + x) * 3;
        out[d] = src[s];
        out[d + 1] = src[s + 1];
        out[d + 2] = src[s + 2];
      }
    }
    return new VideoFrame(index, pts, outW, outH, out);
  }

  /**
   * The clockwise turn that displays the picture upright. FFmpeg's display matrix angle is
   * counter-clockwise (a phone portrait video reports -90, and ffmpeg's autorotate turns it 90
   * degrees clockwise), rounded here to the nearest quarter turn.
   */
  static int clockwiseRotation(double displayMatrixDegrees) {
    if (!Double.isFinite(displayMatrixDegrees)) {
      return 0;
    }
    long quarterTurns = Math.round(-displayMatrixDegrees / 90.0);
    return (int) (Math.floorMod(quarterTurns, 4L) * 90);
  }

  private static String codecName(int codecId) {
    BytePointer name = avcodec.avcodec_get_name(codecId);
    return name == null ? "unknown" : name.getString();
  }

  private static long budgetNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 4;
    }
  }

  /**
   * Whether the input starts like a text file (playlists, concat scripts and stream descriptions
   * all begin with ASCII lines). Too short an input is never called text.
   */
  private static boolean looksLikeText(byte[] media) {
    if (media.length < MIN_TEXT_BYTES) {
      return false;
    }
    int n = Math.min(media.length, TEXT_SNIFF_BYTES);
    for (int i = 0; i < n; i++) {
      int b = media[i] & 0xFF;
      boolean text = b == '\t' || b == '\n' || b == '\r' || (b >= 0x20 && b < 0x7F);
      if (!text) {
        return false;
      }
    }
    return true;
  }

  private static String firstLine(byte[] media) {
    String head = new String(media, 0, Math.min(media.length, 80), StandardCharsets.UTF_8);
    int eol = head.indexOf('\n');
    return (eol < 0 ? head : head.substring(0, eol)).strip();
  }

  private static String seconds(long micros) {
    return String.format(java.util.Locale.ROOT, "%.3f s", micros / 1e6);
  }

  /** The first line of an exception message, without JavaCV's generic troubleshooting hints. */
  private static String oneLine(Throwable t) {
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    int eol = m.indexOf('\n');
    String line = eol < 0 ? m : m.substring(0, eol);
    for (String hint : JAVACV_HINTS) {
      int at = line.indexOf(hint);
      if (at >= 0) {
        line = line.substring(0, at);
      }
    }
    return line.strip();
  }
}
