package io.vidlabel.feedback;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vidlabel.util.ContentHash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The labelled images accepted from {@code video.feedback}, on disk:
 *
 * <pre>
 * &lt;dir&gt;/images/&lt;sha256&gt;   the image bytes as received
 * &lt;dir&gt;/index.json        label and split per image, and the next offset per topic partition
 * </pre>
 *
 * <p>Images are deduplicated by the SHA-256 of their bytes; the same image labelled again keeps
 * the latest label (a correction). The split is a function of the hash alone ({@link
 * #isHoldout}), so it is deterministic, stable as the dataset grows, and the same after a rebuild
 * from the topic. Image files are written before the index that names them, and the index
 * (with the consumed offsets) is replaced atomically, so a crash loses no accepted record: the
 * records after the last saved offsets are simply read again.
 */
public final class FeedbackDataset {

  /** Train or holdout. */
  public enum Split {
    TRAIN,
    HOLDOUT
  }

  /**
   * @param label class name
   * @param split fixed by the hash
   * @param offset position on the feedback topic, as {@code topic-partition@offset}
   */
  public record Entry(String hash, String label, Split split, String offset) {}

  /** What {@link #add} did with a record. */
  public enum Outcome {
    ADDED,
    DUPLICATE,
    RELABELLED
  }

  private static final String INDEX = "index.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path dir;
  private final int holdoutPercent;
  private final Map<String, Entry> entries = new TreeMap<>();
  private final Map<String, Long> offsets = new TreeMap<>();

  private FeedbackDataset(Path dir, int holdoutPercent) {
    this.dir = dir;
    this.holdoutPercent = holdoutPercent;
  }

  /**
   * Opens (or creates) the dataset in {@code dir}.
   *
   * @param holdoutPercent share of images held out for evaluation, 1..99; an existing dataset keeps
   *     the value it was created with
   */
  public static FeedbackDataset open(Path dir, int holdoutPercent) {
    if (holdoutPercent < 1 || holdoutPercent > 99) {
      throw new IllegalArgumentException("holdout percent must be 1..99, not " + holdoutPercent);
    }
    try {
      Files.createDirectories(dir.resolve("images"));
      Path index = dir.resolve(INDEX);
      if (!Files.exists(index)) {
        return new FeedbackDataset(dir, holdoutPercent);
      }
      Stored stored = JSON.readValue(index.toFile(), Stored.class);
      FeedbackDataset d = new FeedbackDataset(dir, stored.holdoutPercent());
      stored.entries().forEach(e -> d.entries.put(e.hash(), e));
      d.offsets.putAll(stored.offsets());
      return d;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the feedback dataset in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** True if an image with this hash belongs to the holdout split. */
  public boolean isHoldout(String hash) {
    return ContentHash.inPercent(hash, holdoutPercent);
  }

  /**
   * Adds a validated image. Call {@link #commit} to make additions and offsets durable.
   *
   * @param offset where it came from, for the record
   */
  public Outcome add(String hash, String label, byte[] image, String offset) {
    Entry existing = entries.get(hash);
    if (existing != null && existing.label().equals(label)) {
      return Outcome.DUPLICATE;
    }
    Path file = image(hash);
    try {
      if (!Files.exists(file)) {
        Path tmp = Files.createTempFile(file.getParent(), hash, ".tmp");
        Files.write(tmp, image);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store feedback image " + file, e);
    }
    entries.put(hash, new Entry(hash, label, isHoldout(hash) ? Split.HOLDOUT : Split.TRAIN, offset));
    return existing == null ? Outcome.ADDED : Outcome.RELABELLED;
  }

  /** Next offset to read per {@code topic-partition}, as last committed. */
  public Map<String, Long> offsets() {
    return Map.copyOf(offsets);
  }

  /** Records that everything before {@code next} on {@code topicPartition} has been handled. */
  public void advance(String topicPartition, long next) {
    offsets.merge(topicPartition, next, Math::max);
  }

  /** Writes the index (entries and offsets) atomically. */
  public void commit() {
    try {
      Path tmp = Files.createTempFile(dir, INDEX, ".tmp");
      JSON.writeValue(tmp.toFile(), new Stored(holdoutPercent, List.copyOf(entries.values()), offsets));
      Files.move(tmp, dir.resolve(INDEX), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the feedback dataset index in " + dir, e);
    }
  }

  public List<Entry> entries(Split split) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries.values()) {
      if (e.split() == split) {
        out.add(e);
      }
    }
    return out;
  }

  public int size() {
    return entries.size();
  }

  /** The stored bytes of an image. */
  public byte[] read(Entry entry) {
    try {
      return Files.readAllBytes(image(entry.hash()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read feedback image " + entry.hash(), e);
    }
  }

  public Path directory() {
    return dir;
  }

  private Path image(String hash) {
    return dir.resolve("images").resolve(hash);
  }

  /** The JSON form of {@code index.json}. */
  private record Stored(int holdoutPercent, List<Entry> entries, Map<String, Long> offsets) {}
}
