package io.vidlabel.finetune;

import io.vidlabel.training.ImageSet;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.IntUnaryOperator;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameRecorder;

/**
 * Fashion-MNIST images as an H.264 video with a different look: one image per frame, each pixel
 * mapped by a {@link Look}, upscaled by pixel repetition. What a camera with another exposure would
 * send; the scenario benchmark feeds it to the classifier's own decoder.
 */
public final class ShiftedVideo {

  /** How the shifted images differ from the ones the model was trained on. */
  public enum Look {
    /** Unchanged. */
    NONE(p -> p),
    /** Washed out: 0..255 squeezed into 100..160, as an over-exposed low-contrast camera shows it. */
    LOW_CONTRAST(p -> 100 + p * 60 / 255),
    /** Negative. */
    INVERTED(p -> 255 - p);

    private final IntUnaryOperator map;

    Look(IntUnaryOperator map) {
      this.map = map;
    }

    public int apply(int pixel) {
      return map.applyAsInt(pixel);
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** Frames per second of every video written here. */
  public static final int FPS = 25;

  private ShiftedVideo() {}

  /**
   * Writes images {@code from .. to-1} of {@code data} as MPEG-TS at 25 frames per second, one
   * frame per image, each image {@code scale} times its size.
   */
  public static void write(Path out, ImageSet data, int from, int to, Look look, int scale)
      throws FrameRecorder.Exception {
    write(out, data, IntStream.range(from, to).toArray(), look, scale, 1);
  }

  /**
   * Writes the images at {@code indices}, each shown for {@code framesPerImage} frames (a key
   * frame where each image starts) at 25 frames per second, {@code scale} times their size.
   */
  public static void write(Path out, ImageSet data, int[] indices, Look look, int scale, int framesPerImage)
      throws FrameRecorder.Exception {
    int width = data.cols() * scale;
    int height = data.rows() * scale;
    try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(out.toFile(), width, height, 0)) {
      recorder.setFormat("mpegts");
      recorder.setVideoCodec(avcodec.AV_CODEC_ID_H264);
      recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
      recorder.setFrameRate(FPS);
      recorder.setGopSize(framesPerImage > 1 ? framesPerImage : FPS);
      recorder.setVideoBitrate(2_000_000);
      recorder.start();
      try (Frame frame = new Frame(width, height, Frame.DEPTH_UBYTE, 1)) {
        ByteBuffer buf = (ByteBuffer) frame.image[0];
        int stride = frame.imageStride;
        for (int i : indices) {
          for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
              buf.put(y * stride + x, (byte) look.apply(data.pixel(i, y / scale, x / scale)));
            }
          }
          for (int f = 0; f < framesPerImage; f++) {
            recorder.record(frame, avutil.AV_PIX_FMT_GRAY8);
          }
        }
      }
      recorder.stop();
    }
  }

  /** Image {@code index} of {@code data} as a grayscale PNG with the look, {@code scale} times its size. */
  public static byte[] png(ImageSet data, int index, Look look, int scale) {
    BufferedImage image = new BufferedImage(data.cols() * scale, data.rows() * scale, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        image.getRaster().setSample(x, y, 0, look.apply(data.pixel(index, y / scale, x / scale)));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
