package io.vidlabel.testing;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.SeekableByteArrayOutputStream;

/** Media fixtures made by code: encoded in memory with this build's FFmpeg, or with ImageIO. */
public final class TestVideos {

  /** H.264 encoders in order of preference; MPEG-4 Part 2 is the fallback every build has. */
  private static final List<String> ENCODER_PREFERENCE = List.of("libopenh264", "libx264");

  private static final String FALLBACK_ENCODER = "mpeg4";
  private static final int NOISE_AMPLITUDE = 2;
  private static final long NOISE_SEED = 0x5EED;

  private static volatile String encoder;

  private TestVideos() {}

  /**
   * Encodes solid-colour frames (each colour {@code framesPerColour} frames, in order) into an
   * in-memory video. Every frame carries light deterministic noise (+-2 per channel), which keeps
   * rate control of every encoder well-behaved without moving the mean colour.
   *
   * @param container {@code "mpegts"}, {@code "mp4"} or {@code "matroska"}
   * @param width even width (4:2:0 chroma; odd sizes are rounded up by the recorder)
   * @param height even height
   */
  public static byte[] solidColours(
      String container, int width, int height, int fps, int framesPerColour, Color... colours) {
    Objects.requireNonNull(container, "container");
    if (!List.of("mpegts", "mp4", "matroska").contains(container)) {
      throw new IllegalArgumentException("container must be mpegts, mp4 or matroska: " + container);
    }
    return encode(container, h264Encoder(), width, height, fps, framesPerColour, colours);
  }

  /**
   * Like {@link #solidColours} with a chosen FFmpeg encoder and any muxer FFmpeg has, for example
   * {@code ("avi", "mjpeg")} for Motion-JPEG in AVI.
   */
  public static byte[] solidColoursWith(
      String container, String encoderName, int width, int height, int fps, int framesPerColour,
      Color... colours) {
    Objects.requireNonNull(container, "container");
    Objects.requireNonNull(encoderName, "encoderName");
    return encode(container, encoderName, width, height, fps, framesPerColour, colours);
  }

  private static byte[] encode(
      String container, String encoderName, int width, int height, int fps, int framesPerColour,
      Color... colours) {
    if (width <= 0 || height <= 0 || fps <= 0 || framesPerColour <= 0 || colours.length == 0) {
      throw new IllegalArgumentException("sizes, fps, framesPerColour and colours must be given");
    }
    // mp4, mov and avi write their index at the end and seek back; the others stream.
    boolean seeks = List.of("mp4", "mov", "avi").contains(container);
    SeekableByteArrayOutputStream seekable = new SeekableByteArrayOutputStream();
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    OutputStream out = seeks ? seekable : plain;
    SplittableRandom noise = new SplittableRandom(NOISE_SEED);
    try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(out, width, height, 0);
        Frame frame = new Frame(width, height, Frame.DEPTH_UBYTE, 3)) {
      recorder.setFormat(container);
      recorder.setVideoCodecName(encoderName);
      // MJPEG wants full-range 4:2:0; every other encoder here takes plain yuv420p.
      recorder.setPixelFormat(
          encoderName.equals("mjpeg") ? avutil.AV_PIX_FMT_YUVJ420P : avutil.AV_PIX_FMT_YUV420P);
      recorder.setFrameRate(fps);
      recorder.setGopSize(fps);
      recorder.setVideoBitrate(Math.max(200_000, width * height * fps / 4));
      recorder.start();
      ByteBuffer pixels = (ByteBuffer) frame.image[0];
      int stride = frame.imageStride;
      for (Color colour : colours) {
        for (int i = 0; i < framesPerColour; i++) {
          fill(pixels, stride, width, height, colour, noise);
          recorder.record(frame, avutil.AV_PIX_FMT_RGB24);
        }
      }
      recorder.stop();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return seeks ? seekable.toByteArray() : plain.toByteArray();
  }

  /** A baseline JPEG of one colour, written by ImageIO. */
  public static byte[] jpeg(int width, int height, Color colour) {
    return image("jpeg", width, height, colour);
  }

  /** A PNG of one colour, written by ImageIO. */
  public static byte[] png(int width, int height, Color colour) {
    return image("png", width, height, colour);
  }

  /** The encoder {@link #solidColours} uses: libopenh264 or libx264 if built in, else mpeg4. */
  public static String h264Encoder() {
    String chosen = encoder;
    if (chosen == null) {
      chosen = FALLBACK_ENCODER;
      for (String name : ENCODER_PREFERENCE) {
        if (avcodec.avcodec_find_encoder_by_name(name) != null) {
          chosen = name;
          break;
        }
      }
      encoder = chosen;
    }
    return chosen;
  }

  private static void fill(
      ByteBuffer pixels, int stride, int width, int height, Color colour, SplittableRandom noise) {
    int[] rgb = {colour.getRed(), colour.getGreen(), colour.getBlue()};
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int offset = y * stride + x * 3;
        for (int c = 0; c < 3; c++) {
          int v = rgb[c] + noise.nextInt(-NOISE_AMPLITUDE, NOISE_AMPLITUDE + 1);
          pixels.put(offset + c, (byte) Math.max(0, Math.min(255, v)));
        }
      }
    }
  }

  private static byte[] image(String format, int width, int height, Color colour) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setColor(colour);
      g.fillRect(0, 0, width, height);
    } finally {
      g.dispose();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, format, out)) {
        throw new IllegalStateException("no ImageIO writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
