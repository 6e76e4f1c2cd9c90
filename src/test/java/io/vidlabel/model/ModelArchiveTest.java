package io.vidlabel.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploaded model archives: unpacked when safe, refused with a reason otherwise. */
class ModelArchiveTest {

  @TempDir Path tmp;

  private Path target() throws IOException {
    return Files.createDirectories(tmp.resolve("staging"));
  }

  @Test
  void unpacksAZipOfTheColourModelWithItsChecksumIntact() throws IOException {
    Path model = ColourModelBuilder.build(tmp.resolve("store"), "colour", "1", 8);
    Path zip = tmp.resolve("m.zip");
    Files.write(zip, zipOf(model));
    Path target = target();

    ModelArchive.extract(zip, target, 10_000_000);

    assertThat(ModelChecksum.compute(target)).isEqualTo(ModelDescriptor.read(model).checksum());
  }

  @Test
  void unpacksATarMadeByTheTarTool() throws Exception {
    Path model = ColourModelBuilder.build(tmp.resolve("store"), "colour", "1", 8);
    Path tar = tmp.resolve("m.tar.gz");
    Process p = new ProcessBuilder("tar", "-czf", tar.toString(), "-C", model.toString(), ".")
        .inheritIO().start();
    assertThat(p.waitFor()).isZero();
    Path target = target();

    ModelArchive.extract(tar, target, 10_000_000);

    assertThat(ModelChecksum.compute(target)).isEqualTo(ModelDescriptor.read(model).checksum());
  }

  @Test
  void refusesZipEntriesThatClimbOutOrAreAbsolute() throws IOException {
    for (String evil : new String[] {"../escaped.txt", "variables/../../escaped.txt", "/tmp/escaped.txt",
        "..\\escaped.txt", "C:/escaped.txt"}) {
      Path zip = tmp.resolve("evil.zip");
      Files.write(zip, zip(Map.of("model.json", "{}", evil, "pwned")));
      Path target = Files.createTempDirectory(tmp, "staging");

      assertThatThrownBy(() -> ModelArchive.extract(zip, target, 1_000_000))
          .as(evil).isInstanceOf(ModelException.class).hasMessageContaining("archive entry");
    }
    assertThat(tmp.resolve("escaped.txt")).doesNotExist();
    assertThat(Path.of("/tmp/escaped.txt")).doesNotExist();
  }

  @Test
  void refusesASymbolicLinkInAZip() throws IOException {
    byte[] zip = zip(Map.of("model.json", "{}", "saved_model.pb", "/etc/passwd"));
    markUnixSymlink(zip, "saved_model.pb");
    Path file = tmp.resolve("link.zip");
    Files.write(file, zip);

    assertThatThrownBy(() -> ModelArchive.extract(file, target(), 1_000_000))
        .isInstanceOf(ModelException.class)
        .hasMessage("archive entry 'saved_model.pb' is a symbolic link; only files and directories are accepted");
  }

  @Test
  void refusesSymbolicLinksAndClimbingNamesInATarMadeByTheTarTool() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("model.json"), "{}");
    Files.createSymbolicLink(src.resolve("saved_model.pb"), Path.of("/etc/passwd"));
    Path tar = tmp.resolve("link.tar");
    Process p = new ProcessBuilder("tar", "-cf", tar.toString(), "-C", src.toString(), "model.json", "saved_model.pb")
        .inheritIO().start();
    assertThat(p.waitFor()).isZero();

    assertThatThrownBy(() -> ModelArchive.extract(tar, target(), 1_000_000))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("'saved_model.pb' is a symbolic link");

    Path climbing = tmp.resolve("climb.tar");
    Process q = new ProcessBuilder("tar", "-cf", climbing.toString(), "-P", "-C", src.toString(), "../src/model.json")
        .inheritIO().start();
    assertThat(q.waitFor()).isZero();
    assertThatThrownBy(() -> ModelArchive.extract(climbing, Files.createTempDirectory(tmp, "t"), 1_000_000))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("climbs out");
  }

  @Test
  void stopsUnpackingAtTheByteLimit() throws IOException {
    // 50 MB of zeros compresses to about 50 KB: a small upload that would unpack far past the limit
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out)) {
      z.putNextEntry(new ZipEntry("saved_model.pb"));
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 50; i++) {
        z.write(zeros);
      }
      z.closeEntry();
    }
    Path zip = tmp.resolve("bomb.zip");
    Files.write(zip, out.toByteArray());
    Path target = target();

    assertThatThrownBy(() -> ModelArchive.extract(zip, target, 1_000_000))
        .isInstanceOf(ModelException.class)
        .hasMessage("archive unpacks to more than 1000000 bytes");
    assertThat(Files.size(target.resolve("saved_model.pb"))).isLessThanOrEqualTo(1_000_000 + 65_536);
  }

  @Test
  void refusesWhatIsNotAnArchive() throws IOException {
    Path junk = tmp.resolve("junk");
    Files.writeString(junk, "definitely not an archive");

    assertThatThrownBy(() -> ModelArchive.extract(junk, target(), 1_000_000))
        .isInstanceOf(ModelException.class).hasMessage("not a zip, tar or tar.gz archive");
  }

  /** A zip of every file under {@code dir}, with '/'-separated relative names. */
  static byte[] zipOf(Path dir) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
        files.put(dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
      }
    }
    return zipBytes(files);
  }

  private static byte[] zip(Map<String, String> files) throws IOException {
    Map<String, byte[]> bytes = new LinkedHashMap<>();
    files.forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
    return zipBytes(bytes);
  }

  static byte[] zipBytes(Map<String, byte[]> files) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out)) {
      for (var e : files.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue());
        z.closeEntry();
      }
    }
    return out.toByteArray();
  }

  /** Makes an entry a Unix symbolic link the way zip -y records one: host 3, mode 0120777. */
  private static void markUnixSymlink(byte[] zip, String name) {
    ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
    byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i + 46 < zip.length; i++) {
      if (b.getInt(i) == 0x02014b50 && b.getShort(i + 28) == wanted.length
          && new String(zip, i + 46, wanted.length, StandardCharsets.UTF_8).equals(name)) {
        b.putShort(i + 4, (short) ((3 << 8) | 20));
        b.putInt(i + 38, 0120777 << 16);
        return;
      }
    }
    throw new AssertionError("no central header for " + name);
  }
}
