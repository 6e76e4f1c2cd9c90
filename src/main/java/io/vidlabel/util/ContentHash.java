package io.vidlabel.util;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Content hashes as identities of images, and splits that follow from them: an image lands in the
 * same split whatever else is in the set, in whatever order it is read.
 */
public final class ContentHash {

  private ContentHash() {}

  /** Hex SHA-256 of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }

  /**
   * True for about {@code percent} of all hashes: those whose first 32 bits, as a number, leave a
   * remainder below {@code percent} when divided by 100.
   *
   * @param hex a hex hash of at least 8 digits
   */
  public static boolean inPercent(String hex, int percent) {
    return Long.parseLong(hex.substring(0, 8), 16) % 100 < percent;
  }
}
