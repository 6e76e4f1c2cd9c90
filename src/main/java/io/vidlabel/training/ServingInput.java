package io.vidlabel.training;

import io.vidlabel.training.FashionMnist.Dataset;

/**
 * Builds the input the classifier service feeds an exported model: RGB, NHWC, pixels scaled to [0,
 * 1] and normalised per channel. Grayscale images become three equal channels, as a gray video
 * frame would.
 */
public final class ServingInput {

  private ServingInput() {}

  /** Images {@code from .. from+n} of {@code data} as [n, rows, cols, 3] floats. */
  public static float[] rgbFromGray(Dataset data, int from, int n, float mean, float std) {
    return rgbFromGray(data, from, n, mean, std, new float[n * data.rows() * data.cols() * 3]);
  }

  /** As {@link #rgbFromGray(Dataset, int, int, float, float)}, into {@code out}. */
  public static float[] rgbFromGray(Dataset data, int from, int n, float mean, float std, float[] out) {
    int k = 0;
    for (int i = from; i < from + n; i++) {
      for (int y = 0; y < data.rows(); y++) {
        for (int x = 0; x < data.cols(); x++) {
          float v = (data.pixel(i, y, x) / 255f - mean) / std;
          out[k++] = v;
          out[k++] = v;
          out[k++] = v;
        }
      }
    }
    return out;
  }
}
