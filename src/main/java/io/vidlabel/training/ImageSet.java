package io.vidlabel.training;

import java.util.Arrays;
import java.util.List;

/**
 * Labelled images in memory, as unsigned bytes: the training and evaluation input of every
 * dataset the project reads (Fashion-MNIST's IDX files, a folder of images per class).
 *
 * <p>Each image is its own array of {@code rows * cols * channels} bytes, row-major, channels
 * interleaved (RGB for three channels). A set therefore has no size limit but the heap's (one
 * array of every pixel would stop at 2 GiB: about 14,000 images of 224x224), and a set made of
 * images already decoded, or of part of another set, shares their arrays instead of copying
 * them. The arrays are not copied on the way in or out: nothing may write to them.
 */
public final class ImageSet {

  /** Most classes a set can hold: labels are stored as unsigned bytes. */
  public static final int MAX_CLASSES = 256;

  private final byte[][] images;
  private final byte[] labels;
  private final int rows;
  private final int cols;
  private final int channels;
  private final List<String> classes;

  /**
   * @param images one array of {@code rows * cols * channels} bytes per image
   * @param labels one class index into {@code classes} per image
   * @param channels 1 (gray) or 3 (RGB)
   * @param classes class names in label order
   */
  public ImageSet(byte[][] images, byte[] labels, int rows, int cols, int channels, List<String> classes) {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("images have 1 or 3 channels, not " + channels);
    }
    int size = rows * cols * channels;
    if (labels.length != images.length || Arrays.stream(images).anyMatch(i -> i.length != size)) {
      throw mismatch(labels.length, rows, cols, channels);
    }
    if (classes.isEmpty() || classes.size() > MAX_CLASSES) {
      throw new IllegalArgumentException("a set has 1-" + MAX_CLASSES + " classes, not " + classes.size());
    }
    this.images = images;
    this.labels = labels;
    this.rows = rows;
    this.cols = cols;
    this.channels = channels;
    this.classes = List.copyOf(classes);
  }

  /** A set from one array holding {@code count} images one after another. */
  public static ImageSet packed(
      byte[] pixels, byte[] labels, int count, int rows, int cols, int channels, List<String> classes) {
    int size = rows * cols * channels;
    if (pixels.length != (long) count * size) {
      throw mismatch(count, rows, cols, channels);
    }
    byte[][] images = new byte[count][];
    for (int i = 0; i < count; i++) {
      images[i] = Arrays.copyOfRange(pixels, i * size, (i + 1) * size);
    }
    return new ImageSet(images, labels, rows, cols, channels, classes);
  }

  /** A gray set from one array holding {@code count} images one after another. */
  public static ImageSet gray(byte[] pixels, byte[] labels, int count, int rows, int cols, List<String> classes) {
    return packed(pixels, labels, count, rows, cols, 1, classes);
  }

  /** The same images mirrored left to right, same labels: how well a model copes with objects facing the other way. */
  public ImageSet mirrored() {
    byte[][] out = new byte[images.length][];
    int row = cols * channels;
    for (int i = 0; i < images.length; i++) {
      byte[] in = images[i];
      byte[] flipped = new byte[in.length];
      for (int start = 0; start < in.length; start += row) {
        for (int x = 0; x < cols; x++) {
          System.arraycopy(in, start + x * channels, flipped, start + (cols - 1 - x) * channels, channels);
        }
      }
      out[i] = flipped;
    }
    return new ImageSet(out, labels, rows, cols, channels, classes);
  }

  /** The first {@code n} images (sharing their pixels with this set). */
  public ImageSet first(int n) {
    if (n < 0 || n > count()) {
      throw new IllegalArgumentException("a set of " + count() + " images has no first " + n);
    }
    return new ImageSet(Arrays.copyOf(images, n), Arrays.copyOf(labels, n), rows, cols, channels, classes);
  }

  public int count() {
    return images.length;
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  public int channels() {
    return channels;
  }

  public List<String> classes() {
    return classes;
  }

  public int label(int index) {
    return labels[index] & 0xFF;
  }

  /** Image {@code index}: {@code rows * cols * channels} bytes, read only. */
  public byte[] image(int index) {
    return images[index];
  }

  /** Pixel of image {@code index} at (y, x), first channel, in [0, 255]. */
  public int pixel(int index, int y, int x) {
    return pixel(index, y, x, 0);
  }

  /** Channel {@code c} of the pixel of image {@code index} at (y, x), in [0, 255]. */
  public int pixel(int index, int y, int x, int c) {
    return images[index][(y * cols + x) * channels + c] & 0xFF;
  }

  private static IllegalArgumentException mismatch(int count, int rows, int cols, int channels) {
    return new IllegalArgumentException(
        "pixels and labels do not match " + count + " images of " + cols + "x" + rows + "x" + channels);
  }
}
