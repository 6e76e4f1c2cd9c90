package io.vidlabel.pipeline;

import io.vidlabel.decode.VideoFrame;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;

/**
 * Encodes decoded frames as images for people: a lossless PNG of exactly what the model saw (a
 * review request, so the label a person gives trains on the same pixels), and a small JPEG
 * thumbnail for the dashboard.
 */
public final class FrameImages {

  private FrameImages() {}

  /** The frame as a PNG, pixel for pixel. */
  public static byte[] png(VideoFrame frame) {
    return encode(toImage(frame), "png");
  }

  /** The frame as a JPEG whose longer side is at most {@code maxSide} pixels (never enlarged). */
  public static byte[] jpegThumbnail(VideoFrame frame, int maxSide) {
    BufferedImage image = toImage(frame);
    int longer = Math.max(frame.width(), frame.height());
    if (longer > maxSide) {
      int w = Math.max(1, Math.round(frame.width() * (float) maxSide / longer));
      int h = Math.max(1, Math.round(frame.height() * (float) maxSide / longer));
      BufferedImage scaled = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
      var g = scaled.createGraphics();
      try {
        g.setRenderingHint(
            RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, w, h, null);
      } finally {
        g.dispose();
      }
      image = scaled;
    }
    return encode(image, "jpeg");
  }

  /** Base64 (standard alphabet), as the JSON records carry images. */
  public static String base64(byte[] image) {
    return Base64.getEncoder().encodeToString(image);
  }

  private static BufferedImage toImage(VideoFrame frame) {
    int w = frame.width();
    int h = frame.height();
    byte[] rgb = frame.rgb();
    int[] pixels = new int[w * h];
    for (int i = 0, j = 0; i < pixels.length; i++, j += 3) {
      pixels[i] = (rgb[j] & 0xff) << 16 | (rgb[j + 1] & 0xff) << 8 | (rgb[j + 2] & 0xff);
    }
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    image.setRGB(0, 0, w, h, pixels, 0, w);
    return image;
  }

  private static byte[] encode(BufferedImage image, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, format, out)) {
        throw new IllegalStateException("no ImageIO writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to memory does not fail
    }
    return out.toByteArray();
  }
}
