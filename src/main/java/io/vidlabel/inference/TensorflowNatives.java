package io.vidlabel.inference;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Points DJL's TensorFlow engine at the TF 2.16.1 shared libraries that the build unpacks into
 * {@code target/tensorflow-native} (DESIGN.md point 2). DJL would otherwise try to download them,
 * which is impossible here, so this must run before the first {@code Engine.getEngine("TensorFlow")}
 * and before anything touches {@code org.tensorflow.*}.
 *
 * <p>Lookup order: {@code TENSORFLOW_LIBRARY_PATH} as environment variable or system property;
 * {@code target/tensorflow-native} under the working directory; a {@code tensorflow-native} folder
 * next to, or up to two levels above, any jar or class folder on the class path (the packaged app
 * runs as {@code java -jar target/quarkus-app/quarkus-run.jar}, whose natives sit in {@code
 * target/tensorflow-native}).
 */
public final class TensorflowNatives {

  /** Environment variable and system property read by DJL's TensorFlow engine. */
  public static final String LIBRARY_PATH_KEY = "TENSORFLOW_LIBRARY_PATH";

  static final String NATIVE_DIR_NAME = "tensorflow-native";
  static final String JNI_LIBRARY = System.mapLibraryName("jnitensorflow");
  /** How far above a class path entry's folder we look for {@code tensorflow-native}. */
  private static final int MAX_ANCESTORS = 3;

  private static volatile Path configuredDir;

  private TensorflowNatives() {}

  /**
   * Sets {@code TENSORFLOW_LIBRARY_PATH} (system property, unless already set) and {@code
   * ai.djl.offline=true}. Idempotent and thread-safe.
   *
   * @throws IllegalStateException if no folder with {@code libjnitensorflow.so} can be found
   */
  public static void configure() {
    if (configuredDir != null) {
      return;
    }
    synchronized (TensorflowNatives.class) {
      if (configuredDir != null) {
        return;
      }
      Path dir =
          locate(System::getenv, System::getProperty, Path.of("").toAbsolutePath(), classPathEntries());
      System.setProperty(LIBRARY_PATH_KEY, dir.toString());
      System.setProperty("ai.djl.offline", "true");
      configuredDir = dir;
    }
  }

  /** The folder chosen by {@link #configure()}, if it ran. */
  public static Optional<Path> libraryDir() {
    return Optional.ofNullable(configuredDir);
  }

  /**
   * Pure lookup, separated from {@link #configure()} so it can be tested without touching the JVM's
   * real environment.
   */
  static Path locate(
      UnaryOperator<String> env, UnaryOperator<String> props, Path workingDir, List<Path> classPath) {
    String explicit = env.apply(LIBRARY_PATH_KEY);
    String source = "environment variable";
    if (explicit == null || explicit.isBlank()) {
      explicit = props.apply(LIBRARY_PATH_KEY);
      source = "system property";
    }
    if (explicit != null && !explicit.isBlank()) {
      Path dir = Path.of(explicit).toAbsolutePath().normalize();
      if (!hasJniLibrary(dir)) {
        throw new IllegalStateException(
            LIBRARY_PATH_KEY + " (" + source + ") is " + dir + " but that folder has no " + JNI_LIBRARY
                + ". Run `./mvnw package` (it unpacks the TensorFlow natives into"
                + " target/tensorflow-native) or point " + LIBRARY_PATH_KEY + " at the right folder.");
      }
      return dir;
    }
    List<Path> candidates = candidates(workingDir, classPath);
    for (Path candidate : candidates) {
      if (hasJniLibrary(candidate)) {
        return candidate.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException(
        "TensorFlow native libraries not found (looked for " + JNI_LIBRARY + " in " + candidates
            + "). Run `./mvnw package` (it unpacks them into target/tensorflow-native) or set "
            + LIBRARY_PATH_KEY + " (environment variable or -D system property) to the folder"
            + " holding " + JNI_LIBRARY + ", libtensorflow_cc.so.2 and libtensorflow_framework.so.2.");
  }

  static List<Path> candidates(Path workingDir, List<Path> classPath) {
    List<Path> out = new ArrayList<>();
    out.add(workingDir.resolve("target").resolve(NATIVE_DIR_NAME));
    out.add(workingDir.resolve(NATIVE_DIR_NAME));
    for (Path entry : classPath) {
      Path dir = entry.toAbsolutePath().normalize();
      // A jar's own folder first; for a class folder (target/classes) start at the folder itself.
      dir = Files.isDirectory(dir) ? dir : dir.getParent();
      for (int i = 0; i < MAX_ANCESTORS && dir != null; i++, dir = dir.getParent()) {
        Path candidate = dir.resolve(NATIVE_DIR_NAME);
        if (!out.contains(candidate)) {
          out.add(candidate);
        }
      }
    }
    return out;
  }

  private static boolean hasJniLibrary(Path dir) {
    return Files.isRegularFile(dir.resolve(JNI_LIBRARY));
  }

  private static List<Path> classPathEntries() {
    List<Path> entries = new ArrayList<>();
    String cp = System.getProperty("java.class.path", "");
    for (String entry : cp.split(java.io.File.pathSeparator)) {
      if (!entry.isBlank()) {
        entries.add(Path.of(entry));
      }
    }
    // Under Quarkus the class path property names only quarkus-run.jar; the jar holding this class
    // (quarkus-app/app/*.jar or target/classes) is a second, independent hint.
    CodeSource codeSource = TensorflowNatives.class.getProtectionDomain().getCodeSource();
    if (codeSource != null && codeSource.getLocation() != null) {
      try {
        entries.add(Path.of(codeSource.getLocation().toURI()));
      } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
        // Not a file location (for example a nested jar URL): the other hints still apply.
      }
    }
    return entries;
  }
}
