package io.vidlabel.training;

import java.util.Random;

/**
 * Turns dataset images into one normalised float batch, augmenting on the way: random crop from
 * the image zero-padded by {@code pad} pixels on each side, horizontal flip, and random erasing
 * (Zhong et al. 2017). Writes into caller-owned arrays so a training run allocates its batch
 * buffers once. The dataset is grey; a network with several input channels gets the grey value in
 * each of them, as the service's frames of a grey image would have.
 */
public final class BatchAugmenter {

  private final int pad;
  private final boolean flip;
  private final float erasing;
  private final Normalisation normalisation;

  /**
   * @param pad crop padding in pixels; 0 turns cropping off
   * @param flip mirror half of the images left to right
   * @param erasing probability of erasing one random rectangle per image; 0 turns it off
   * @param normalisation per-channel mean and std of pixels scaled to [0, 1]
   */
  public BatchAugmenter(int pad, boolean flip, float erasing, Normalisation normalisation) {
    this.pad = pad;
    this.flip = flip;
    this.erasing = erasing;
    this.normalisation = normalisation;
  }

  /** One mean and std for every channel. */
  public BatchAugmenter(int pad, boolean flip, float erasing, float mean, float std) {
    this(pad, flip, erasing, new Normalisation(new float[] {mean}, new float[] {std}));
  }

  /** Normalisation only, for evaluation. */
  public static BatchAugmenter plain(Normalisation normalisation) {
    return new BatchAugmenter(0, false, 0f, normalisation);
  }

  /** Normalisation only, one mean and std for every channel. */
  public static BatchAugmenter plain(float mean, float std) {
    return new BatchAugmenter(0, false, 0f, mean, std);
  }

  /**
   * Fills {@code images} (NHWC) and {@code oneHot} for the images {@code order[from .. from+n)}.
   *
   * @param channels input channels of the network: the set's own (RGB into three), or any number
   *     for a gray set (its value written into each)
   * @param random drives every augmentation decision; seed it for reproducible batches
   */
  public void fill(
      ImageSet data,
      int[] order,
      int from,
      int n,
      float[] images,
      int channels,
      float[] oneHot,
      int classes,
      Random random) {
    if (data.channels() != 1 && data.channels() != channels) {
      throw new IllegalArgumentException(
          "images with " + data.channels() + " channels cannot feed a network with " + channels);
    }
    int rows = data.rows();
    int cols = data.cols();
    int size = rows * cols * channels;
    boolean gray = data.channels() == 1;
    float[] scale = normalisation.byteScales(channels);
    float[] offset = normalisation.byteOffsets(channels);
    java.util.Arrays.fill(oneHot, 0, n * classes, 0f);
    for (int i = 0; i < n; i++) {
      int index = order[from + i];
      int dy = pad > 0 ? random.nextInt(2 * pad + 1) - pad : 0;
      int dx = pad > 0 ? random.nextInt(2 * pad + 1) - pad : 0;
      boolean mirror = flip && random.nextBoolean();
      int base = i * size;
      for (int y = 0; y < rows; y++) {
        int sy = y + dy;
        for (int x = 0; x < cols; x++) {
          int sx = (mirror ? cols - 1 - x : x) + dx;
          boolean inside = sy >= 0 && sy < rows && sx >= 0 && sx < cols;
          int at = base + (y * cols + x) * channels;
          for (int c = 0; c < channels; c++) {
            int v = inside ? data.pixel(index, sy, sx, gray ? 0 : c) : 0;
            images[at + c] = v * scale[c] + offset[c];
          }
        }
      }
      if (erasing > 0 && random.nextFloat() < erasing) {
        erase(images, base, rows, cols, channels, random);
      }
      oneHot[i * classes + data.label(index)] = 1f;
    }
  }

  /** Random erasing: area 2-40% of the image, aspect ratio 0.3-3.3, filled with the mean (0). */
  private static void erase(float[] images, int base, int rows, int cols, int channels, Random random) {
    for (int attempt = 0; attempt < 10; attempt++) {
      double area = rows * cols * (0.02 + random.nextDouble() * 0.38);
      double ratio = Math.exp(Math.log(0.3) + random.nextDouble() * (Math.log(3.3) - Math.log(0.3)));
      int h = (int) Math.round(Math.sqrt(area * ratio));
      int w = (int) Math.round(Math.sqrt(area / ratio));
      if (h < rows && w < cols && h > 0 && w > 0) {
        int top = random.nextInt(rows - h + 1);
        int left = random.nextInt(cols - w + 1);
        for (int y = top; y < top + h; y++) {
          int row = base + (y * cols + left) * channels;
          java.util.Arrays.fill(images, row, row + w * channels, 0f);
        }
        return;
      }
    }
  }
}
