package io.vidlabel.training;

/**
 * Builds the input the classifier service feeds an exported model: RGB, NHWC, pixels scaled to [0,
 * 1] and normalised per channel. Gray images become three equal channels, as a gray video frame
 * would.
 */
public final class ServingInput {

  private ServingInput() {}

  /** Images {@code from .. from+n} of {@code data} as [n, rows, cols, 3] floats. */
  public static float[] rgb(ImageSet data, int from, int n, Normalisation normalisation) {
    return rgb(data, from, n, normalisation, new float[n * data.rows() * data.cols() * 3]);
  }

  /** As {@link #rgb(ImageSet, int, int, Normalisation)}, into {@code out}. */
  public static float[] rgb(ImageSet data, int from, int n, Normalisation normalisation, float[] out) {
    float[] scale = normalisation.byteScales(3);
    float[] offset = normalisation.byteOffsets(3);
    boolean gray = data.channels() == 1;
    int k = 0;
    for (int i = from; i < from + n; i++) {
      for (int y = 0; y < data.rows(); y++) {
        for (int x = 0; x < data.cols(); x++) {
          for (int c = 0; c < 3; c++) {
            out[k++] = data.pixel(i, y, x, gray ? 0 : c) * scale[c] + offset[c];
          }
        }
      }
    }
    return out;
  }
}
