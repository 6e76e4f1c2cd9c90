package io.vidlabel.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * SHA-256 over the files that make up a SavedModel: {@code saved_model.pb} and every regular file
 * under {@code variables/}. {@code model.json} is deliberately outside (it stores the checksum).
 *
 * <p>Deterministic: files are visited in order of their relative path ('/' separated), and for each
 * file the digest takes the UTF-8 path, a NUL byte, the length as 8 bytes big-endian, then the
 * content. Renaming or moving a file therefore changes the checksum, as does any content change.
 */
public final class ModelChecksum {

  public static final String SAVED_MODEL_FILE = "saved_model.pb";
  public static final String VARIABLES_DIR = "variables";

  private ModelChecksum() {}

  /**
   * @param modelDir a SavedModel directory
   * @return lowercase hex SHA-256
   * @throws UncheckedIOException if {@code saved_model.pb} is missing or a file cannot be read
   */
  public static String compute(Path modelDir) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[64 * 1024];
      for (String relative : files(modelDir)) {
        Path file = modelDir.resolve(relative);
        digest.update(relative.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(ByteBuffer.allocate(Long.BYTES).putLong(Files.size(file)).array());
        try (InputStream in = Files.newInputStream(file)) {
          for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
          }
        }
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot compute the checksum of " + modelDir + ": " + e, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }

  /** The relative paths that {@link #compute} covers, sorted. */
  static List<String> files(Path modelDir) throws IOException {
    Path savedModel = modelDir.resolve(SAVED_MODEL_FILE);
    if (!Files.isRegularFile(savedModel)) {
      throw new java.nio.file.NoSuchFileException(savedModel.toString(), null, "no " + SAVED_MODEL_FILE);
    }
    List<String> out = new ArrayList<>();
    out.add(SAVED_MODEL_FILE);
    Path variables = modelDir.resolve(VARIABLES_DIR);
    if (Files.isDirectory(variables)) {
      try (Stream<Path> walk = Files.walk(variables)) {
        walk.filter(Files::isRegularFile)
            .map(p -> modelDir.relativize(p).toString().replace(java.io.File.separatorChar, '/'))
            .forEach(out::add);
      }
    }
    out.sort(null);
    return out;
  }
}
