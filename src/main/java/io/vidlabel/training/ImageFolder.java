package io.vidlabel.training;

import io.vidlabel.decode.DecodeException;
import io.vidlabel.decode.DecodeLimits;
import io.vidlabel.decode.FrameSize;
import io.vidlabel.decode.VideoDecoder;
import io.vidlabel.util.ContentHash;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A team's own labelled images: one sub-directory per class, named after it, holding JPEG or PNG
 * files ({@code .jpg}, {@code .jpeg}, {@code .png}; other files are ignored). Sub-directories of a
 * class directory are read too.
 *
 * <pre>
 * data/
 *   forklift/   0001.jpg 0002.jpg ...
 *   pallet/     a.png b.png ...
 *   person/     ...
 * </pre>
 *
 * <p>Every image is decoded by FFmpeg and scaled to the network's input size by the same decoder
 * and scaler the classifier uses for video frames, so a network trained on the folder sees its
 * images as it will see frames. An image is identified by the SHA-256 of its bytes: a copy in
 * a second file of the same class is read once, a copy under another class leaves both out (the
 * label is in doubt), and a train/test split by hash puts an image in the same split
 * whatever else the folder holds. A file that does not decode is skipped and reported, not fatal:
 * one bad file among a hundred thousand should not stop a run.
 *
 * <p>A class directory's name is the label, or the label with the characters a file name cannot
 * hold ({@code /} and {@code \}) written as {@code _}: {@code T-shirt_top} for {@code
 * T-shirt/top}.
 */
public final class ImageFolder {

  /** File name endings read as images. */
  public static final Set<String> EXTENSIONS = Set.of(".jpg", ".jpeg", ".png");

  /** Largest image file read (bytes). */
  public static final long MAX_IMAGE_BYTES = 32L * 1024 * 1024;

  private static final int MAX_REPORTED = 5;

  /** Images decoded at once, in parallel, between checks of how many are still wanted. */
  private static final int DECODE_CHUNK = 256;

  /**
   * One decoded image.
   *
   * @param file where it was read
   * @param hash hex SHA-256 of the file's bytes
   * @param label class index
   * @param rgb packed RGB at the requested size (null while only hashed)
   */
  public record Image(Path file, String hash, int label, byte[] rgb) {}

  /**
   * What a folder held.
   *
   * @param classes class names in label order
   * @param images decoded images, sorted by hash (an order that does not depend on file names)
   * @param skipped files that did not decode, with the reason, at most a few
   * @param skippedCount all files that did not decode
   * @param duplicates files whose bytes another file of the same class already had (the same bytes
   *     under two classes are skipped, both files, since the label is in doubt)
   * @param distinct images found (files less duplicates); more than were decoded if a read asked
   *     for at most a number
   */
  public record Contents(
      Path dir, List<String> classes, int width, int height, List<Image> images, List<String> skipped,
      int skippedCount, int duplicates, int distinct) {

    /** Images whose hash puts them among {@code percent} of all hashes (see {@link ContentHash}). */
    public List<Image> inPercent(int percent) {
      return images.stream().filter(i -> ContentHash.inPercent(i.hash(), percent)).toList();
    }

    /** The other images. */
    public List<Image> notInPercent(int percent) {
      return images.stream().filter(Predicate.not(i -> ContentHash.inPercent(i.hash(), percent))).toList();
    }

    /** {@code images} as one RGB set with this folder's classes, sharing their pixels (not a copy). */
    public ImageSet toSet(List<Image> images) {
      byte[][] pixels = new byte[images.size()][];
      byte[] labels = new byte[images.size()];
      for (int i = 0; i < images.size(); i++) {
        pixels[i] = images.get(i).rgb();
        labels[i] = (byte) images.get(i).label();
      }
      return new ImageSet(pixels, labels, height, width, 3, classes);
    }

    /** One line for a log: counts, classes, skipped and duplicate files. */
    public String summary() {
      StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s: %,d images in %d classes %s",
          dir, images.size(), classes.size(), classes));
      if (images.size() + skippedCount < distinct) {
        s.append(String.format(Locale.ROOT, " (the first by content hash of %,d)", distinct));
      }
      if (duplicates > 0) {
        s.append(String.format(Locale.ROOT, "; %,d duplicate files read once", duplicates));
      }
      if (skippedCount > 0) {
        s.append(String.format(Locale.ROOT, "; %,d files skipped, for example: %s", skippedCount,
            String.join("; ", skipped)));
      }
      return s.toString();
    }
  }

  private ImageFolder() {}

  /**
   * Reads a folder whose class directories name the classes (sorted by name).
   *
   * @throws IOException if the folder is missing, has fewer than two classes or no image
   */
  public static Contents read(Path dir, int width, int height, PrintStream progress) throws IOException {
    List<String> classes = classDirectories(dir).stream().map(p -> p.getFileName().toString()).toList();
    if (classes.size() < 2) {
      throw new IOException(dir + " needs one directory per class, at least two; found " + classes);
    }
    if (classes.size() > ImageSet.MAX_CLASSES) {
      throw new IOException(dir + " has " + classes.size() + " class directories; at most "
          + ImageSet.MAX_CLASSES + " are supported");
    }
    return read(dir, classes, width, height, 0, progress);
  }

  /**
   * Reads a folder for a model that already has labels (to evaluate it, or to replay its training
   * images): every class directory must name one of {@code labels}; labels without a directory
   * simply have no images.
   *
   * @param most decode at most this many images, the first in hash order; 0 for all. Every file
   *     is still read and hashed (cheap next to decoding), so the images chosen do not depend on
   *     the file names.
   * @throws IOException if the folder is missing, a directory names no label, or there is no image
   */
  public static Contents read(Path dir, List<String> labels, int width, int height, int most, PrintStream progress)
      throws IOException {
    return read(dir, labels, width, height, hash -> true, most, progress);
  }

  /**
   * Reads the images of a folder whose content hashes pass {@code hashes}, as {@link #read(Path,
   * List, int, int, int, PrintStream)} reads all of them: a part of the folder chosen by hash (a
   * test or held-back share) without decoding the rest.
   */
  public static Contents read(
      Path dir, List<String> labels, int width, int height, Predicate<String> hashes, int most, PrintStream progress)
      throws IOException {
    return scan(dir, labels).decode(width, height, hashes, most, progress);
  }

  /**
   * A folder's image files, read and hashed but not decoded, sorted by hash: what {@link
   * #decode} chooses from. Several parts of one folder decoded from one scan (a replay share and a
   * reference share) read every file once.
   *
   * @param files one entry per distinct image ({@link Image#rgb} null)
   * @param skipped files left out while scanning (too large, filed under two classes), at most a few
   * @param skippedCount all files left out while scanning
   * @param duplicates files whose bytes another file of the same class already had
   */
  public record Scan(
      Path dir, List<String> labels, List<Image> files, List<String> skipped, int skippedCount, int duplicates) {

    /**
     * Decodes the files whose hashes pass {@code hashes}, the first {@code most} in hash order (0:
     * all).
     *
     * @throws IOException if none decodes
     */
    public Contents decode(int width, int height, Predicate<String> hashes, int most, PrintStream progress)
        throws IOException {
      Problems problems = new Problems(skipped, skippedCount);
      List<Image> candidates = files.stream().filter(i -> hashes.test(i.hash())).toList();
      List<Image> images = ImageFolder.decode(candidates, width, height, most > 0 ? most : Integer.MAX_VALUE,
          problems, dir, progress);
      if (images.isEmpty()) {
        throw new IOException("no readable JPEG or PNG image under " + dir);
      }
      return new Contents(dir, labels, width, height, List.copyOf(images), List.copyOf(problems.examples),
          problems.count, duplicates, candidates.size());
    }
  }

  /**
   * Lists and hashes the image files of a folder whose class directories name {@code labels}.
   *
   * @throws IOException if the folder is missing or a directory names no label
   */
  public static Scan scan(Path dir, List<String> labels) throws IOException {
    Map<String, Integer> byDirectoryName = new HashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      byDirectoryName.put(directoryName(labels.get(i)), i);
      byDirectoryName.putIfAbsent(labels.get(i), i);
    }
    Problems problems = new Problems();
    Map<String, Image> byHash = new HashMap<>();
    Set<String> twoLabels = new HashSet<>();
    int duplicates = 0;
    for (Path classDir : classDirectories(dir)) {
      Integer label = byDirectoryName.get(classDir.getFileName().toString());
      if (label == null) {
        throw new IOException("directory " + classDir + " is not a label; the labels are " + labels);
      }
      for (Path file : imageFiles(classDir)) {
        if (Files.size(file) > MAX_IMAGE_BYTES) {
          problems.add(file, "larger than " + MAX_IMAGE_BYTES + " bytes");
          continue;
        }
        String hash = ContentHash.sha256(Files.readAllBytes(file));
        Image first = byHash.get(hash);
        if (twoLabels.contains(hash)) {
          problems.add(file, "an image filed under two classes");
        } else if (first == null) {
          byHash.put(hash, new Image(file, hash, label, null));
        } else if (first.label() == label) {
          duplicates++;
        } else {
          // which label is right is for a person to say: train on neither
          byHash.remove(hash);
          twoLabels.add(hash);
          problems.add(first.file(), "the same image as " + file + ", filed under another class");
          problems.add(file, "the same image as " + first.file() + ", filed under another class");
        }
      }
    }
    List<Image> files = new ArrayList<>(byHash.values());
    files.sort(Comparator.comparing(Image::hash));
    return new Scan(dir, List.copyOf(labels), List.copyOf(files), List.copyOf(problems.examples), problems.count,
        duplicates);
  }

  /**
   * Decodes {@code candidates} in order, on every core, until {@code most} decoded; files that do
   * not decode go to {@code problems}.
   */
  private static List<Image> decode(
      List<Image> candidates, int width, int height, int most, Problems problems, Path dir, PrintStream progress) {
    // one FFmpeg thread per still image: a tiny image decodes faster than threads start
    VideoDecoder decoder = new VideoDecoder(DecodeLimits.defaults().forStillImages(MAX_IMAGE_BYTES), 1);
    FrameSize size = new FrameSize(width, height);
    List<Image> images = new ArrayList<>();
    long lastReport = System.nanoTime();
    for (int from = 0; from < candidates.size() && images.size() < most; from += DECODE_CHUNK) {
      List<Image> chunk = candidates.subList(from, Math.min(candidates.size(), from + DECODE_CHUNK));
      List<Object> decoded = chunk.parallelStream().map(c -> decodeOne(decoder, c, size)).toList();
      for (int i = 0; i < chunk.size() && images.size() < most; i++) {
        if (decoded.get(i) instanceof Image image) {
          images.add(image);
        } else {
          problems.add(chunk.get(i).file(), (String) decoded.get(i));
        }
      }
      if (progress != null && System.nanoTime() - lastReport > 10_000_000_000L) {
        lastReport = System.nanoTime();
        progress.printf(Locale.ROOT, "reading %s: %,d images%n", dir, images.size());
      }
    }
    return images;
  }

  /** The decoded image, or why it did not decode. */
  private static Object decodeOne(VideoDecoder decoder, Image candidate, FrameSize size) {
    try {
      byte[] rgb = decoder.decodeStill(Files.readAllBytes(candidate.file()), size).rgb();
      return new Image(candidate.file(), candidate.hash(), candidate.label(), rgb);
    } catch (DecodeException e) {
      return e.getMessage();
    } catch (IOException e) {
      return "cannot read: " + e.getMessage();
    }
  }

  /** Files skipped: how many, and the first few with their reasons. */
  private static final class Problems {
    final List<String> examples;
    int count;

    Problems() {
      this(List.of(), 0);
    }

    /** Continues a list begun elsewhere (a scan's). */
    Problems(List<String> examples, int count) {
      this.examples = new ArrayList<>(examples);
      this.count = count;
    }

    void add(Path file, String reason) {
      if (count++ < MAX_REPORTED) {
        examples.add(file + " (" + reason + ")");
      }
    }
  }

  /** A label as a directory name: {@code /} and {@code \} become {@code _}. */
  public static String directoryName(String label) {
    return label.replace('/', '_').replace('\\', '_');
  }

  /** True if {@code dir} holds directories but no Fashion-MNIST IDX files: a folder of classes. */
  public static boolean looksLikeImageFolder(Path dir) throws IOException {
    return Files.isDirectory(dir) && !classDirectories(dir).isEmpty() && !FashionMnist.isIn(dir);
  }

  private static List<Path> classDirectories(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("image folder " + dir + " does not exist");
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isDirectory)
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted()
          .toList();
    }
  }

  private static List<Path> imageFiles(Path classDir) throws IOException {
    try (Stream<Path> s = Files.walk(classDir)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> EXTENSIONS.contains(extension(p)))
          .sorted()
          .toList();
    }
  }

  private static String extension(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot);
  }
}
