package io.vidlabel.model;

import io.vidlabel.util.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Model versions on a file system shared by the fine-tuning job and the classifiers: {@code
 * <root>/<name>/<version>/} holds a SavedModel and its {@code model.json}. Versions are immutable
 * once installed; a new one appears atomically (written next to its final place, then renamed),
 * so a reader never sees half a model.
 */
public final class ModelStore {

  /**
   * What a model name or version may look like. Names and versions arrive from REST paths, query
   * parameters and {@code video.model-updates} records and become directory names, so anything
   * that could leave the store ({@code ..}, separators, encoded or not, absolute paths, NUL) is
   * refused here, in the one place that maps them to paths.
   */
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private final Path root;

  public ModelStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /** The store that holds {@code modelDir} (a {@code <root>/<name>/<version>} directory). */
  public static ModelStore containing(Path modelDir) {
    Path dir = modelDir.toAbsolutePath().normalize();
    if (dir.getParent() == null || dir.getParent().getParent() == null) {
      throw new IllegalArgumentException(modelDir + " is not a <store>/<name>/<version> directory");
    }
    return new ModelStore(dir.getParent().getParent());
  }

  public Path root() {
    return root;
  }

  /**
   * The directory of one version.
   *
   * @throws IllegalArgumentException if {@code name} or {@code version} is not a safe name (see
   *     {@link #checkName})
   */
  public Path directory(String name, String version) {
    Path dir = root.resolve(checkName("model name", name)).resolve(checkName("version", version));
    if (!dir.normalize().startsWith(root)) {
      throw new IllegalArgumentException("model directory " + dir + " is outside the store " + root);
    }
    return dir;
  }

  /** Whether {@code s} may be a model name or version: 1-64 of [A-Za-z0-9._-], no "..". */
  public static boolean isSafeName(String s) {
    return s != null && SAFE_NAME.matcher(s).matches() && !s.contains("..");
  }

  /**
   * Returns {@code s} if it may name a model or version.
   *
   * @throws IllegalArgumentException naming {@code what} otherwise
   */
  public static String checkName(String what, String s) {
    if (!isSafeName(s)) {
      throw new IllegalArgumentException(
          what + " '" + s + "' is not allowed: use 1-64 letters, digits, '.', '_' or '-',"
              + " starting with a letter or digit, without '..'");
    }
    return s;
  }

  /** Installed versions of {@code name}, oldest first (numeric versions by number). */
  public List<String> versions(String name) {
    Path dir = root.resolve(checkName("model name", name));
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> isSafeName(p.getFileName().toString())) // not a staging or retired directory
          .filter(p -> Files.isRegularFile(p.resolve(ModelDescriptor.FILE_NAME)))
          .map(p -> p.getFileName().toString())
          .forEach(out::add);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list model versions in " + dir, e);
    }
    out.sort(VERSION_ORDER);
    return out;
  }

  /** One more than the highest numeric version of {@code name}, as a string. */
  public String nextVersion(String name) {
    long highest = 0;
    for (String v : versions(name)) {
      if (v.chars().allMatch(Character::isDigit) && v.length() < 18) {
        highest = Math.max(highest, Long.parseLong(v));
      }
    }
    return Long.toString(highest + 1);
  }

  /** A fresh directory inside the store to write a version into before {@link #install}. */
  public Path staging(String name) {
    checkName("model name", name);
    try {
      Files.createDirectories(root.resolve(name));
      return Files.createTempDirectory(root.resolve(name), ".staging-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a staging directory in " + root.resolve(name), e);
    }
  }

  /**
   * Moves a fully written version from {@code staging} to {@code <root>/<name>/<version>}.
   *
   * @throws ModelException if that version already exists
   */
  public Path install(Path staging, String name, String version) {
    Path target = directory(name, version);
    if (Files.exists(target)) {
      throw new ModelException("model " + name + " version " + version + " already exists in " + root);
    }
    try {
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot install " + staging + " as " + target, e);
    }
    return target;
  }

  /**
   * Makes sure the model version in {@code modelDir} is in this store: copies it in (atomically)
   * if the store has no such version yet, for example the bundled model on a fresh shared volume.
   *
   * @return the version's directory inside the store
   */
  public Path adopt(Path modelDir) {
    ModelDescriptor d = ModelDescriptor.read(modelDir);
    Path target = directory(d.name(), d.version());
    if (target.equals(modelDir.toAbsolutePath().normalize()) || Files.exists(target)) {
      return target;
    }
    Path staging = staging(d.name());
    try {
      Files.delete(staging);
      Directories.copy(modelDir, staging);
      return install(staging, d.name(), d.version());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + modelDir + " into the model store " + root, e);
    } finally {
      if (Files.exists(staging)) {
        Directories.deleteQuietly(staging);
      }
    }
  }

  /**
   * Deletes the versions of {@code name} that roll back and promotion no longer need, so that a
   * fine-tuning loop does not fill the volume (3 MB a version for the default model, about
   * 100 MB for a ResNet-50). Kept: the served version and its nearest {@code keep - 1} ancestors
   * (the versions roll back returns to), every version that sorts after the served one (uploads
   * not promoted yet, versions rolled back from), every version without a parent (the bundled or
   * uploaded base), and every version whose {@code model.json} cannot be read; nothing goes if the
   * served version itself cannot be read. Each version is first renamed out of the list
   * (atomically), then deleted, so a reader sees it whole or not at all; leftovers of an
   * interrupted deletion go too.
   *
   * @param keep how many versions of the served lineage to keep; 0 keeps everything
   * @return the versions deleted, oldest first
   */
  public List<String> retire(String name, String served, int keep) {
    if (keep <= 0) {
      return List.of();
    }
    Path dir = root.resolve(checkName("model name", name));
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    deleteRetired(dir);
    Set<String> kept = new HashSet<>();
    try {
      lineage(ModelDescriptor.read(directory(name, served))).stream().limit(keep).forEach(d -> kept.add(d.version()));
    } catch (ModelException | IllegalArgumentException e) {
      return List.of(); // without the served version's lineage nothing is known to be unneeded
    }
    List<String> retired = new ArrayList<>();
    for (String candidate : versions(name)) {
      if (kept.contains(candidate) || VERSION_ORDER.compare(candidate, served) > 0) {
        continue;
      }
      ModelDescriptor d;
      try {
        d = ModelDescriptor.read(directory(name, candidate));
      } catch (ModelException e) {
        continue;
      }
      if (d.parent() == null) {
        continue;
      }
      Path doomed = dir.resolve(RETIRED + candidate);
      try {
        Files.move(directory(name, candidate), doomed, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot retire " + name + " version " + candidate + " in " + root, e);
      }
      retired.add(candidate);
    }
    deleteRetired(dir);
    return retired;
  }

  /**
   * {@code model} and its ancestors, nearest first, as far as this store holds them readable (a
   * parent that is missing or unreadable ends the list).
   */
  public List<ModelDescriptor> lineage(ModelDescriptor model) {
    List<ModelDescriptor> out = new ArrayList<>(List.of(model));
    Set<String> seen = new HashSet<>(Set.of(model.version()));
    for (ModelDescriptor at = model; at.parent() != null && seen.add(at.parent()); ) {
      try {
        at = ModelDescriptor.read(directory(at.name(), at.parent()));
      } catch (ModelException | IllegalArgumentException e) {
        break;
      }
      out.add(at);
    }
    return out;
  }

  private static void deleteRetired(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(RETIRED)).toList()) {
        Directories.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete retired versions in " + dir, e);
    }
  }

  /** Prefix of a version directory being deleted (not a safe name, so never listed). */
  private static final String RETIRED = ".retired-";

  /** Numeric versions by value, before any other versions, which sort by name. */
  private static final Comparator<String> VERSION_ORDER = (a, b) -> {
    boolean an = isNumber(a);
    boolean bn = isNumber(b);
    if (an && bn) {
      return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
    }
    return an ? -1 : bn ? 1 : a.compareTo(b);
  };

  private static boolean isNumber(String s) {
    return !s.isEmpty() && s.chars().allMatch(Character::isDigit) && s.charAt(0) != '0';
  }
}
