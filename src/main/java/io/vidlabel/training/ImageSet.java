package io.vidlabel.training;

import java.util.Arrays;
import java.util.List;

/**
 * Labelled images in memory, as unsigned bytes: the training and evaluation input of every
 * dataset the project reads (Fashion-MNIST's IDX files, a folder of images per class).
 *
 * @param pixels {@code count * rows * cols * channels} bytes, row-major, channels interleaved (RGB
 *     for three channels)
 * @param labels {@code count} class indices into {@code classes}
 * @param channels 1 (gray) or 3 (RGB)
 * @param classes class names in label order
 */
public record ImageSet(byte[] pixels, byte[] labels, int count, int rows, int cols, int channels, List<String> classes) {

  /** Most classes a set can hold: labels are stored as unsigned bytes. */
  public static final int MAX_CLASSES = 256;

  public ImageSet {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("images have 1 or 3 channels, not " + channels);
    }
    if (pixels.length != (long) count * rows * cols * channels || labels.length != count) {
      throw new IllegalArgumentException("pixels and labels do not match " + count + " images of "
          + cols + "x" + rows + "x" + channels);
    }
    if (classes.isEmpty() || classes.size() > MAX_CLASSES) {
      throw new IllegalArgumentException("a set has 1-" + MAX_CLASSES + " classes, not " + classes.size());
    }
    classes = List.copyOf(classes);
  }

  /** A gray set. */
  public static ImageSet gray(byte[] pixels, byte[] labels, int count, int rows, int cols, List<String> classes) {
    return new ImageSet(pixels, labels, count, rows, cols, 1, classes);
  }

  /** The same images mirrored left to right, same labels: how well a model copes with objects facing the other way. */
  public ImageSet mirrored() {
    byte[] out = new byte[pixels.length];
    int row = cols * channels;
    for (int start = 0; start < pixels.length; start += row) {
      for (int x = 0; x < cols; x++) {
        System.arraycopy(pixels, start + x * channels, out, start + (cols - 1 - x) * channels, channels);
      }
    }
    return new ImageSet(out, labels, count, rows, cols, channels, classes);
  }

  /** The first {@code n} images. */
  public ImageSet first(int n) {
    if (n < 0 || n > count) {
      throw new IllegalArgumentException("a set of " + count + " images has no first " + n);
    }
    int size = rows * cols * channels;
    return new ImageSet(Arrays.copyOf(pixels, n * size), Arrays.copyOf(labels, n), n, rows, cols,
        channels, classes);
  }

  public int label(int index) {
    return labels[index] & 0xFF;
  }

  /** Pixel of image {@code index} at (y, x), first channel, in [0, 255]. */
  public int pixel(int index, int y, int x) {
    return pixel(index, y, x, 0);
  }

  /** Channel {@code c} of the pixel of image {@code index} at (y, x), in [0, 255]. */
  public int pixel(int index, int y, int x, int c) {
    return pixels[((index * rows + y) * cols + x) * channels + c] & 0xFF;
  }
}
