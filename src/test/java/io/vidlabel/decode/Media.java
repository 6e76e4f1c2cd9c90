package io.vidlabel.decode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The third-party corpus in ../shared/media (see its README for what each file exercises). */
final class Media {

  private Media() {}

  static Path dir() {
    return Path.of(System.getProperty("test.media.dir", "../shared/media"));
  }

  static byte[] read(String name) {
    try {
      return Files.readAllBytes(dir().resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Mean red, green and blue of a frame. */
  static double[] meanRgb(VideoFrame frame) {
    double[] sum = new double[3];
    byte[] rgb = frame.rgb();
    for (int i = 0; i < rgb.length; i += 3) {
      sum[0] += rgb[i] & 0xFF;
      sum[1] += rgb[i + 1] & 0xFF;
      sum[2] += rgb[i + 2] & 0xFF;
    }
    int pixels = rgb.length / 3;
    return new double[] {sum[0] / pixels, sum[1] / pixels, sum[2] / pixels};
  }
}
