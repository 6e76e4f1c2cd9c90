package io.vidlabel.training;

import io.vidlabel.model.ModelDescriptor;
import java.util.Arrays;
import java.util.List;

/**
 * How pixels scaled to [0, 1] are normalised before they reach a network: {@code (v - mean[c]) /
 * std[c]} per channel. The exported {@code model.json} carries the same numbers, so the service
 * normalises frames exactly as training did.
 */
public final class Normalisation {

  /** Fashion-MNIST's per-pixel statistics, one gray channel. */
  public static final Normalisation FASHION_MNIST = new Normalisation(new float[] {FashionMnist.MEAN},
      new float[] {FashionMnist.STD});

  private final float[] mean;
  private final float[] std;

  public Normalisation(float[] mean, float[] std) {
    if (mean.length == 0 || mean.length != std.length) {
      throw new IllegalArgumentException("one mean and one std per channel");
    }
    for (float s : std) {
      if (!(s > 0)) {
        throw new IllegalArgumentException("std must be positive: " + Arrays.toString(std));
      }
    }
    this.mean = mean.clone();
    this.std = std.clone();
  }

  /** The per-channel mean and standard deviation of the images themselves. */
  public static Normalisation of(ImageSet images) {
    int channels = images.channels();
    double perChannel = Math.max(1, (double) images.count() * images.rows() * images.cols());
    double[] sum = new double[channels];
    for (int n = 0; n < images.count(); n++) {
      byte[] pixels = images.image(n);
      for (int i = 0; i < pixels.length; i++) {
        sum[i % channels] += pixels[i] & 0xFF;
      }
    }
    float[] mean = new float[channels];
    for (int c = 0; c < channels; c++) {
      mean[c] = (float) (sum[c] / perChannel / 255.0);
    }
    double[] squares = new double[channels];
    for (int n = 0; n < images.count(); n++) {
      byte[] pixels = images.image(n);
      for (int i = 0; i < pixels.length; i++) {
        double d = (pixels[i] & 0xFF) / 255.0 - mean[i % channels];
        squares[i % channels] += d * d;
      }
    }
    float[] std = new float[channels];
    for (int c = 0; c < channels; c++) {
      std[c] = (float) Math.max(1e-3, Math.sqrt(squares[c] / perChannel));
    }
    return new Normalisation(mean, std);
  }

  /** The statistics a model's {@code model.json} normalises its RGB input with. */
  public static Normalisation of(ModelDescriptor model) {
    float[] mean = new float[3];
    float[] std = new float[3];
    for (int c = 0; c < 3; c++) {
      mean[c] = model.mean().get(c).floatValue();
      std[c] = model.std().get(c).floatValue();
    }
    return new Normalisation(mean, std);
  }

  public int channels() {
    return mean.length;
  }

  /** Mean of channel {@code c}; a one-channel normalisation has the same for every channel. */
  public float mean(int c) {
    return mean[mean.length == 1 ? 0 : c];
  }

  /** Std of channel {@code c}; a one-channel normalisation has the same for every channel. */
  public float std(int c) {
    return std[std.length == 1 ? 0 : c];
  }

  /**
   * For each of {@code channels} channels, the factor that with {@link #byteOffsets} takes a
   * 0-255 pixel value straight to its normalised value: {@code v * scale[c] + offset[c]}.
   */
  public float[] byteScales(int channels) {
    float[] scale = new float[channels];
    for (int c = 0; c < channels; c++) {
      scale[c] = 1f / (255f * std(c));
    }
    return scale;
  }

  /** The offsets that go with {@link #byteScales}. */
  public float[] byteOffsets(int channels) {
    float[] offset = new float[channels];
    for (int c = 0; c < channels; c++) {
      offset[c] = -mean(c) / std(c);
    }
    return offset;
  }

  /** The three per-channel means of RGB serving input, as model.json lists them. */
  public List<Double> rgbMeans() {
    return List.of((double) mean(0), (double) mean(1), (double) mean(2));
  }

  /** The three per-channel stds of RGB serving input, as model.json lists them. */
  public List<Double> rgbStds() {
    return List.of((double) std(0), (double) std(1), (double) std(2));
  }

  @Override
  public String toString() {
    return "mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std);
  }
}
