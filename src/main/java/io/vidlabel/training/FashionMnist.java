package io.vidlabel.training;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads Fashion-MNIST (Xiao et al. 2017) from its IDX files, as shipped by the Debian package
 * {@code dataset-fashion-mnist}: {@code train-images-idx3-ubyte.gz}, {@code
 * train-labels-idx1-ubyte.gz}, {@code t10k-images-idx3-ubyte.gz}, {@code
 * t10k-labels-idx1-ubyte.gz}. Uncompressed files (same names without {@code .gz}) work too.
 */
public final class FashionMnist {

  /** Where the Debian package installs the files. */
  public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** Debian package that provides the files. */
  public static final String DEBIAN_PACKAGE = "dataset-fashion-mnist";

  /** Class names in label order (from the dataset's README). */
  public static final List<String> LABELS =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");

  /** Per-pixel mean and std of the training images scaled to [0, 1]. */
  public static final float MEAN = 0.2860f;

  public static final float STD = 0.3530f;

  private static final int IMAGES_MAGIC = 0x00000803;
  private static final int LABELS_MAGIC = 0x00000801;

  /** Which half of the dataset. */
  public enum Split {
    TRAIN("train"),
    TEST("t10k");

    private final String prefix;

    Split(String prefix) {
      this.prefix = prefix;
    }
  }

  private FashionMnist() {}

  /**
   * Loads a split.
   *
   * @param limit at most this many images (the first ones); 0 or less for all
   * @throws IOException if a file is missing (the message names the Debian package) or malformed
   */
  public static ImageSet load(Path dir, Split split, int limit) throws IOException {
    Path images = find(dir, split.prefix + "-images-idx3-ubyte");
    Path labels = find(dir, split.prefix + "-labels-idx1-ubyte");
    try (DataInputStream in = open(images)) {
      int magic = in.readInt();
      if (magic != IMAGES_MAGIC) {
        throw new IOException(images + ": not an IDX image file (magic " + Integer.toHexString(magic) + ")");
      }
      int n = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      int count = limit > 0 ? Math.min(limit, n) : n;
      byte[][] pixels = new byte[count][rows * cols];
      for (byte[] image : pixels) {
        in.readFully(image);
      }
      byte[] labelBytes = readLabels(labels, count);
      return new ImageSet(pixels, labelBytes, rows, cols, 1, LABELS);
    }
  }

  private static byte[] readLabels(Path file, int count) throws IOException {
    try (DataInputStream in = open(file)) {
      int magic = in.readInt();
      if (magic != LABELS_MAGIC) {
        throw new IOException(file + ": not an IDX label file (magic " + Integer.toHexString(magic) + ")");
      }
      int n = in.readInt();
      if (n < count) {
        throw new IOException(file + ": " + n + " labels for " + count + " images");
      }
      byte[] labels = new byte[count];
      in.readFully(labels);
      for (byte b : labels) {
        if (b < 0 || b >= LABELS.size()) {
          throw new IOException(file + ": label " + b + " out of range");
        }
      }
      return labels;
    }
  }

  /** True if {@code dir} holds the training images' IDX file (compressed or not). */
  public static boolean isIn(Path dir) {
    String base = Split.TRAIN.prefix + "-images-idx3-ubyte";
    return Files.isRegularFile(dir.resolve(base + ".gz")) || Files.isRegularFile(dir.resolve(base));
  }

  private static Path find(Path dir, String base) throws IOException {
    for (Path candidate : new Path[] {dir.resolve(base + ".gz"), dir.resolve(base)}) {
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IOException(
        "Fashion-MNIST file "
            + base
            + "(.gz) not found in "
            + dir
            + "; install the Debian package "
            + DEBIAN_PACKAGE
            + " (apt-get install "
            + DEBIAN_PACKAGE
            + ") or pass the directory that holds the IDX files");
  }

  private static DataInputStream open(Path file) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    return new DataInputStream(file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw);
  }
}
