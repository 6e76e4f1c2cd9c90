package io.vidlabel.model;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Unpacks an uploaded model archive (zip, tar or gzip-compressed tar) into a staging directory,
 * refusing anything that could write outside it: absolute paths, {@code ..} segments,
 * backslashes, NUL, symbolic and hard links, devices. Also bounded: total unpacked bytes and the
 * number of entries (a zip bomb stops at the limit, it is not unpacked and then measured).
 *
 * <p>Why a hand-written tar reader: the JDK has none, and the subset a model needs (regular
 * files and directories in ustar headers) is small enough to check completely; anything else in
 * a tar is refused rather than half-understood.
 */
public final class ModelArchive {

  /** Most entries an archive may hold; a SavedModel has a handful. */
  public static final int MAX_ENTRIES = 10_000;

  private static final int TAR_BLOCK = 512;
  private static final int ZIP_CENTRAL_HEADER = 0x02014b50;
  private static final int ZIP_END_OF_CENTRAL_DIRECTORY = 0x06054b50;
  private static final int UNIX_HOST = 3;
  private static final int S_IFMT = 0xF000;
  private static final int S_IFREG = 0x8000;
  private static final int S_IFDIR = 0x4000;

  private ModelArchive() {}

  /**
   * Unpacks {@code archive} into the existing, empty directory {@code target}.
   *
   * @throws ModelException with a one-line reason for an unsafe, oversized or unreadable archive;
   *     {@code target} may then hold part of the archive and should be deleted by the caller
   */
  public static void extract(Path archive, Path target, long maxBytes) {
    try {
      byte[] head = new byte[TAR_BLOCK];
      int n;
      try (InputStream in = Files.newInputStream(archive)) {
        n = in.readNBytes(head, 0, head.length);
      }
      if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
        checkZipCentralDirectory(archive);
        try (ZipInputStream zip = new ZipInputStream(new BufferedInputStream(Files.newInputStream(archive)))) {
          extractZip(zip, target, maxBytes);
        }
      } else if (n >= 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B) {
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(archive)))) {
          extractTar(in, target, maxBytes);
        }
      } else if (n == TAR_BLOCK && isUstar(head)) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(archive))) {
          extractTar(in, target, maxBytes);
        }
      } else {
        throw new ModelException("not a zip, tar or tar.gz archive");
      }
    } catch (IOException e) {
      throw new ModelException("unreadable archive: " + e.getMessage(), e);
    } catch (UncheckedIOException e) {
      throw new ModelException("unreadable archive: " + e.getCause().getMessage(), e);
    }
  }

  /**
   * Returns the path an entry name stands for inside {@code target}.
   *
   * @throws ModelException if the name is absolute, climbs out, or holds characters a file name
   *     in a model never needs
   */
  static Path safeResolve(Path target, String entryName) {
    String name = entryName;
    if (name.isEmpty() || name.indexOf('\0') >= 0 || name.indexOf('\\') >= 0) {
      throw new ModelException("archive entry '" + printable(entryName) + "' has an unsafe name");
    }
    if (name.startsWith("/") || (name.length() > 1 && name.charAt(1) == ':')) {
      throw new ModelException("archive entry '" + printable(entryName) + "' is an absolute path");
    }
    while (name.startsWith("./")) {
      name = name.substring(2);
    }
    for (String part : name.split("/")) {
      if (part.equals("..")) {
        throw new ModelException("archive entry '" + printable(entryName) + "' climbs out with '..'");
      }
    }
    Path out = target.resolve(name).normalize();
    if (!out.startsWith(target.normalize())) {
      throw new ModelException("archive entry '" + printable(entryName) + "' is outside the model");
    }
    return out;
  }

  private static void extractZip(ZipInputStream zip, Path target, long maxBytes) throws IOException {
    Budget budget = new Budget(maxBytes);
    for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
      budget.entry();
      Path out = safeResolve(target, e.getName());
      if (e.isDirectory()) {
        Files.createDirectories(out);
      } else {
        write(zip, out, budget);
      }
    }
  }

  /**
   * Reads the central directory, where zip keeps each entry's Unix mode, and refuses symbolic
   * links and other non-regular entries ({@link ZipInputStream} would unpack a link as a small
   * file holding its target; refusing is clearer than that surprise).
   */
  private static void checkZipCentralDirectory(Path archive) throws IOException {
    try (FileChannel ch = FileChannel.open(archive, StandardOpenOption.READ)) {
      long size = ch.size();
      int tail = (int) Math.min(size, 22 + 65_535);
      ByteBuffer end = ByteBuffer.allocate(tail).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(end, size - tail);
      int eocd = -1;
      for (int i = tail - 22; i >= 0; i--) {
        if (end.getInt(i) == ZIP_END_OF_CENTRAL_DIRECTORY) {
          eocd = i;
          break;
        }
      }
      if (eocd < 0) {
        throw new ModelException("zip archive has no central directory");
      }
      int entries = Short.toUnsignedInt(end.getShort(eocd + 10));
      long cdSize = Integer.toUnsignedLong(end.getInt(eocd + 12));
      long cdOffset = Integer.toUnsignedLong(end.getInt(eocd + 16));
      if (entries > MAX_ENTRIES || cdOffset + cdSize > size || cdSize > Integer.MAX_VALUE) {
        throw new ModelException("zip archive has an implausible central directory (zip64 is not supported)");
      }
      ByteBuffer cd = ByteBuffer.allocate((int) cdSize).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(cd, cdOffset);
      int p = 0;
      for (int i = 0; i < entries; i++) {
        if (p + 46 > cdSize || cd.getInt(p) != ZIP_CENTRAL_HEADER) {
          throw new ModelException("zip archive has a damaged central directory");
        }
        int madeBy = Short.toUnsignedInt(cd.getShort(p + 4)) >> 8;
        int nameLength = Short.toUnsignedInt(cd.getShort(p + 28));
        int extraLength = Short.toUnsignedInt(cd.getShort(p + 30));
        int commentLength = Short.toUnsignedInt(cd.getShort(p + 32));
        int mode = cd.getInt(p + 38) >>> 16;
        if (p + 46 + nameLength > cdSize) {
          throw new ModelException("zip archive has a damaged central directory");
        }
        byte[] name = new byte[nameLength];
        cd.get(p + 46, name);
        if (madeBy == UNIX_HOST && mode != 0) {
          int type = mode & S_IFMT;
          if (type != S_IFREG && type != S_IFDIR) {
            throw new ModelException("archive entry '" + printable(new String(name, StandardCharsets.UTF_8))
                + "' is a " + (type == 0xA000 ? "symbolic link" : "special file") + "; only files and directories are accepted");
          }
        }
        p += 46 + nameLength + extraLength + commentLength;
      }
    }
  }

  private static void extractTar(InputStream in, Path target, long maxBytes) throws IOException {
    Budget budget = new Budget(maxBytes);
    byte[] header = new byte[TAR_BLOCK];
    while (true) {
      int n = in.readNBytes(header, 0, TAR_BLOCK);
      if (n == 0 || isZeroBlock(header)) {
        return; // end of archive (two zero blocks, or a writer that left them out)
      }
      if (n < TAR_BLOCK || !isUstar(header)) {
        throw new ModelException("tar archive has a damaged header");
      }
      budget.entry();
      String name = string(header, 0, 100);
      String prefix = string(header, 345, 155);
      if (!prefix.isEmpty()) {
        name = prefix + "/" + name;
      }
      long size = octal(header, 124, 12);
      char type = (char) header[156];
      long padded = (size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
      switch (type) {
        case '0', '\0', '7' -> {
          Path out = safeResolve(target, name);
          write(new Bounded(in, size), out, budget);
          skip(in, padded - size);
        }
        case '5' -> {
          Files.createDirectories(safeResolve(target, name));
          skip(in, padded);
        }
        case 'x', 'g' -> {
          // pax attributes (times, owners); the header's own name, checked above, is what counts
          budget.add(size);
          skip(in, padded);
        }
        case '1', '2' -> throw new ModelException("archive entry '" + printable(name) + "' is a "
            + (type == '2' ? "symbolic" : "hard") + " link; only files and directories are accepted");
        default -> throw new ModelException("archive entry '" + printable(name) + "' has tar type '"
            + printable(String.valueOf(type)) + "'; only files and directories are accepted");
      }
    }
  }

  private static void write(InputStream in, Path out, Budget budget) throws IOException {
    if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
      throw new ModelException("archive holds '" + out.getFileName() + "' twice");
    }
    Files.createDirectories(out.getParent());
    byte[] buffer = new byte[64 * 1024];
    try (OutputStream o = Files.newOutputStream(out, StandardOpenOption.CREATE_NEW)) {
      for (int r; (r = in.read(buffer)) > 0; ) {
        budget.add(r);
        o.write(buffer, 0, r);
      }
    }
  }

  private static boolean isUstar(byte[] header) {
    return header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a'
        && header[261] == 'r';
  }

  private static boolean isZeroBlock(byte[] header) {
    for (byte b : header) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static String string(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }

  private static long octal(byte[] b, int off, int len) {
    if ((b[off] & 0x80) != 0) {
      throw new ModelException("tar entry uses a base-256 size (over 8 GiB); not accepted");
    }
    long v = 0;
    for (int i = off; i < off + len && b[i] != 0 && b[i] != ' '; i++) {
      if (b[i] < '0' || b[i] > '7') {
        throw new ModelException("tar archive has a damaged size field");
      }
      v = v * 8 + (b[i] - '0');
    }
    return v;
  }

  private static void skip(InputStream in, long n) throws IOException {
    in.skipNBytes(n);
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      b.append(c < 0x20 || c == 0x7F ? '?' : c);
      if (b.length() >= 120) {
        b.append("...");
        break;
      }
    }
    return b.toString();
  }

  /** Bytes and entries left. */
  private static final class Budget {
    private final long max;
    private long used;
    private int entries;

    Budget(long max) {
      this.max = max;
    }

    void add(long n) {
      used += n;
      if (used > max) {
        throw new ModelException("archive unpacks to more than " + max + " bytes");
      }
    }

    void entry() {
      if (++entries > MAX_ENTRIES) {
        throw new ModelException("archive has more than " + MAX_ENTRIES + " entries");
      }
    }
  }

  /** The next {@code remaining} bytes of a stream, then end of input. */
  private static final class Bounded extends InputStream {
    private final InputStream in;
    private long remaining;

    Bounded(InputStream in, long remaining) {
      this.in = in;
      this.remaining = remaining;
    }

    @Override
    public int read() throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int b = in.read();
      if (b < 0) {
        throw new ModelException("tar archive ends inside an entry");
      }
      remaining--;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int r = in.read(b, off, (int) Math.min(len, remaining));
      if (r < 0) {
        throw new ModelException("tar archive ends inside an entry");
      }
      remaining -= r;
      return r;
    }
  }
}
