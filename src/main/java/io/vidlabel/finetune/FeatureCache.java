package io.vidlabel.finetune;

import io.vidlabel.util.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * Outputs of a model's frozen prefix, one file per image, keyed by model name, version, cut and the
 * image's content hash: {@code <root>/<model>/<version>/<cut>/<hash>.f32} (float32, little endian).
 *
 * <p>A version is immutable once written to the model store, so an entry never goes stale; a new
 * version or another cut simply uses other files. Writes go through a temporary file and a rename,
 * so a crash never leaves a truncated entry behind.
 */
public final class FeatureCache {

  private final Path root;

  public FeatureCache(Path root) {
    this.root = root;
  }

  /** The cached prefix output, or null if there is none of the expected size. */
  public float[] get(Key key, int size) {
    Path file = file(key);
    try {
      if (!Files.isRegularFile(file) || Files.size(file) != (long) size * Float.BYTES) {
        return null;
      }
      float[] out = new float[size];
      ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read cached features " + file, e);
    }
  }

  public void put(Key key, float[] values) {
    Path file = file(key);
    try {
      Files.createDirectories(file.getParent());
      ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      bytes.asFloatBuffer().put(values);
      Path tmp = Files.createTempFile(file.getParent(), key.imageHash(), ".tmp");
      Files.write(tmp, bytes.array());
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write cached features " + file, e);
    }
  }

  /**
   * Deletes the cached outputs of every version of {@code model} except {@code keep}: once a
   * version is no longer served no round starts from it, and each version's entries take hundreds
   * of megabytes (a cut's output is about 100 KB per image). A roll back to a pruned version only
   * computes its entries again.
   *
   * @return bytes freed
   */
  public long retainOnly(String model, String keep) {
    Path dir = root.resolve(model);
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    long freed = 0;
    try (Stream<Path> versions = Files.list(dir)) {
      for (Path version : versions.filter(Files::isDirectory).toList()) {
        if (!version.getFileName().toString().equals(keep)) {
          freed += Directories.size(version);
          Directories.delete(version);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prune the feature cache in " + dir + ": " + e.getMessage(), e);
    }
    return freed;
  }

  private Path file(Key key) {
    return root.resolve(key.model())
        .resolve(key.version())
        .resolve(key.cut().replace('/', '_'))
        .resolve(key.imageHash() + ".f32");
  }

  /**
   * @param cut the last frozen unit, for example {@code stage2/block3}
   * @param imageHash hex SHA-256 of the image bytes
   */
  public record Key(String model, String version, String cut, String imageHash) {}
}
