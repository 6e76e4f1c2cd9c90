package io.vidlabel.testing;

import io.vidlabel.training.FashionMnist;
import io.vidlabel.training.ImageFolder;
import io.vidlabel.training.ImageSet;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Folders of labelled images as a team would have them: Fashion-MNIST test images, each tinted
 * with its own random colour (so the three channels differ), written as PNG and JPEG files into
 * one directory per class.
 */
public final class ImageFolders {

  private ImageFolders() {}

  /**
   * Writes {@code perClass} images of each of {@code labels} (Fashion-MNIST label names) into
   * {@code dir/<label as a directory name>/}, every third one as JPEG.
   *
   * @param skip test images to pass over first, so two folders can hold different images
   */
  public static Path fashion(Path dir, List<String> labels, int perClass, int skip) {
    ImageSet test = FashionImages.test();
    try {
      for (String label : labels) {
        Path classDir = Files.createDirectories(dir.resolve(ImageFolder.directoryName(label)));
        int want = FashionMnist.LABELS.indexOf(label);
        int written = 0;
        int seen = 0;
        for (int i = 0; i < test.count() && written < perClass; i++) {
          if (test.label(i) != want || seen++ < skip) {
            continue;
          }
          boolean jpeg = written % 3 == 2;
          Files.write(classDir.resolve(String.format(Locale.ROOT, "%05d.%s", i, jpeg ? "jpg" : "png")),
              tinted(test, i, jpeg ? "jpg" : "png"));
          written++;
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Image {@code index} of {@code data} as RGB in a random tint (the same for the same index),
   * encoded as {@code format}.
   */
  public static byte[] tinted(ImageSet data, int index, String format) throws IOException {
    Random random = new Random(index * 31L + 7);
    float[] tint = {0.5f + random.nextFloat() / 2, 0.5f + random.nextFloat() / 2, 0.5f + random.nextFloat() / 2};
    BufferedImage image = new BufferedImage(data.cols(), data.rows(), BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < data.rows(); y++) {
      for (int x = 0; x < data.cols(); x++) {
        int v = data.pixel(index, y, x);
        int r = Math.round(v * tint[0]);
        int g = Math.round(v * tint[1]);
        int b = Math.round(v * tint[2]);
        image.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, format, out);
    return out.toByteArray();
  }

  /** A solid-colour PNG. */
  public static byte[] solid(int width, int height, int rgb) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, rgb);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }
}
