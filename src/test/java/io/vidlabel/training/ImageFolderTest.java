package io.vidlabel.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vidlabel.testing.ImageFolders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {

  @TempDir Path dir;

  private void write(String relative, byte[] bytes) throws IOException {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
  }

  @Test
  void classesAreTheSortedDirectoriesAndImagesAreScaledToTheInputInColour() throws Exception {
    write("red/a.png", ImageFolders.solid(40, 20, 0xFF0000));
    write("red/nested/b.png", ImageFolders.solid(8, 8, 0xF00000));
    write("blue/c.png", ImageFolders.solid(16, 16, 0x0000FF));
    write("blue/notes.txt", "not an image".getBytes());
    write(".thumbnails/d.png", ImageFolders.solid(8, 8, 0x00FF00));

    ImageFolder.Contents contents = ImageFolder.read(dir, 12, 10, null);

    assertThat(contents.classes()).containsExactly("blue", "red");
    assertThat(contents.images()).hasSize(3);
    ImageSet set = contents.toSet(contents.images());
    assertThat(set.channels()).isEqualTo(3);
    assertThat(set.cols()).isEqualTo(12);
    assertThat(set.rows()).isEqualTo(10);
    for (int i = 0; i < set.count(); i++) {
      boolean red = set.classes().get(set.label(i)).equals("red");
      assertThat(set.pixel(i, 5, 6, 0)).as("red channel").isCloseTo(red ? 240 : 0, within(16));
      assertThat(set.pixel(i, 5, 6, 2)).as("blue channel").isCloseTo(red ? 0 : 255, within(16));
    }
    for (int i = 0; i < set.count(); i++) {
      assertThat(set.image(i)).as("a set shares the decoded pixels").isSameAs(contents.images().get(i).rgb());
    }
    Normalisation statistics = Normalisation.of(set);
    assertThat(statistics.mean(0)).isGreaterThan(statistics.mean(1));
    assertThat(statistics.mean(2)).isGreaterThan(statistics.mean(1));
  }

  @Test
  void aFileThatDoesNotDecodeIsSkippedAndNamedAndACopyIsReadOnce() throws Exception {
    byte[] red = ImageFolders.solid(8, 8, 0xFF0000);
    write("red/a.png", red);
    write("red/copy-of-a.png", red);
    write("blue/a.png", ImageFolders.solid(8, 8, 0x0000FF));
    write("blue/broken.jpg", "GIF89a and then nothing".getBytes());

    ImageFolder.Contents contents = ImageFolder.read(dir, 8, 8, null);

    assertThat(contents.images()).hasSize(2);
    assertThat(contents.duplicates()).isEqualTo(1);
    assertThat(contents.skippedCount()).isEqualTo(1);
    assertThat(contents.summary()).contains("broken.jpg").contains("1 duplicate").contains("1 files skipped");
  }

  @Test
  void theSameImageUnderTwoClassesIsLeftOutAndReported() throws Exception {
    byte[] gray = ImageFolders.solid(8, 8, 0x808080);
    write("red/a.png", ImageFolders.solid(8, 8, 0xFF0000));
    write("red/mystery.png", gray);
    write("blue/b.png", ImageFolders.solid(8, 8, 0x0000FF));
    write("blue/mystery-again.png", gray);

    ImageFolder.Contents contents = ImageFolder.read(dir, 8, 8, null);

    assertThat(contents.images()).extracting(i -> i.file().getFileName().toString())
        .containsExactlyInAnyOrder("a.png", "b.png");
    assertThat(contents.skippedCount()).isEqualTo(2);
    assertThat(contents.duplicates()).isZero();
    assertThat(contents.summary()).contains("mystery.png").contains("mystery-again.png")
        .contains("filed under another class");
  }

  @Test
  void theHeldOutShareFollowsTheContentNotTheFileNames() throws Exception {
    ImageFolders.fashion(dir.resolve("a"), List.of("Trouser", "Bag"), 100, 0);
    ImageFolder.Contents first = ImageFolder.read(dir.resolve("a"), 28, 28, null);
    // the same images under other names, with more images beside them
    ImageFolders.fashion(dir.resolve("b"), List.of("Trouser", "Bag"), 150, 0);
    try (var files = Files.walk(dir.resolve("b"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.move(f, f.resolveSibling("renamed-" + f.getFileName()));
      }
    }
    ImageFolder.Contents second = ImageFolder.read(dir.resolve("b"), 28, 28, null);

    List<ImageFolder.Image> held = first.inPercent(20);
    assertThat(held.size()).isBetween(20, 60);
    assertThat(held.size() + first.notInPercent(20).size()).isEqualTo(200);
    Set<String> heldLater = new HashSet<>(second.inPercent(20).stream().map(ImageFolder.Image::hash).toList());
    assertThat(held).allMatch(i -> heldLater.contains(i.hash()));
  }

  @Test
  void partsOfOneScanDecodeAsReadsOfThemWouldWithTheScansSkippedFilesInEach() throws Exception {
    ImageFolders.fashion(dir, List.of("Trouser", "Bag"), 60, 0);
    byte[] gray = ImageFolders.solid(28, 28, 0x808080);
    write("Trouser/mystery.png", gray);
    write("Bag/mystery-again.png", gray);
    Predicate<String> low = hash -> hash.compareTo("8") < 0;

    ImageFolder.Scan scan = ImageFolder.scan(dir, FashionMnist.LABELS);
    ImageFolder.Contents lowPart = scan.decode(28, 28, low, 0, null);
    ImageFolder.Contents highPart = scan.decode(28, 28, low.negate(), 0, null);
    ImageFolder.Contents lowAgain = scan.decode(28, 28, low, 0, null);
    ImageFolder.Contents lowRead = ImageFolder.read(dir, FashionMnist.LABELS, 28, 28, low, 0, null);

    assertThat(scan.files()).hasSize(120).allMatch(i -> i.rgb() == null);
    assertThat(lowPart.images().size() + highPart.images().size()).isEqualTo(120);
    assertThat(lowPart.images()).extracting(ImageFolder.Image::hash)
        .containsExactlyElementsOf(lowRead.images().stream().map(ImageFolder.Image::hash).toList())
        .allMatch(low);
    assertThat(lowPart.images().get(0).rgb()).isEqualTo(lowRead.images().get(0).rgb());
    assertThat(List.of(lowPart.skippedCount(), highPart.skippedCount(), lowAgain.skippedCount()))
        .as("each part reports the scan's two files, none counted twice").containsOnly(2);
  }

  @Test
  void askedForAFewItDecodesTheFirstByHashOfAllFiles() throws Exception {
    ImageFolders.fashion(dir, List.of("Trouser", "Bag"), 100, 0);
    ImageFolder.Contents all = ImageFolder.read(dir, FashionMnist.LABELS, 28, 28, 0, null);

    ImageFolder.Contents few = ImageFolder.read(dir, FashionMnist.LABELS, 28, 28, 5, null);

    assertThat(few.images()).extracting(ImageFolder.Image::hash)
        .containsExactlyElementsOf(all.images().subList(0, 5).stream().map(ImageFolder.Image::hash).toList());
    assertThat(few.images().get(4).rgb()).isEqualTo(all.images().get(4).rgb());
    assertThat(few.distinct()).isEqualTo(200);
    assertThat(few.summary()).contains("5 images").contains("the first by content hash of 200");
    assertThat(all.summary()).doesNotContain("first by content hash");
  }

  @Test
  void aModelsLabelsNameTheDirectoriesWithSlashesWrittenAsUnderscores() throws Exception {
    ImageFolders.fashion(dir, List.of("T-shirt/top", "Bag"), 3, 0);

    ImageFolder.Contents contents = ImageFolder.read(dir, FashionMnist.LABELS, 28, 28, 0, null);

    assertThat(Files.isDirectory(dir.resolve("T-shirt_top"))).isTrue();
    assertThat(contents.images()).extracting(ImageFolder.Image::label)
        .containsOnly(FashionMnist.LABELS.indexOf("T-shirt/top"), FashionMnist.LABELS.indexOf("Bag"));
    ImageSet set = contents.toSet(contents.images());
    assertThat(set.classes()).isEqualTo(FashionMnist.LABELS);
  }

  @Test
  void refusesADirectoryThatIsNoLabelAndAFolderWithoutClasses() throws Exception {
    write("Bag/a.png", ImageFolders.solid(8, 8, 0x808080));
    write("Handbag/b.png", ImageFolders.solid(8, 8, 0x404040));

    assertThatThrownBy(() -> ImageFolder.read(dir, FashionMnist.LABELS, 28, 28, 0, null))
        .isInstanceOf(IOException.class).hasMessageContaining("Handbag").hasMessageContaining("Ankle boot");
    assertThatThrownBy(() -> ImageFolder.read(dir.resolve("Bag"), 28, 28, null))
        .isInstanceOf(IOException.class).hasMessageContaining("one directory per class");
    assertThatThrownBy(() -> ImageFolder.read(dir.resolve("missing"), 28, 28, null))
        .isInstanceOf(IOException.class).hasMessageContaining("does not exist");
  }

  @Test
  void tellsAnImageFolderFromFashionMnistFiles() throws Exception {
    write("Bag/a.png", ImageFolders.solid(8, 8, 0x808080));
    assertThat(ImageFolder.looksLikeImageFolder(dir)).isTrue();
    assertThat(ImageFolder.looksLikeImageFolder(TestData.fashionMnist())).isFalse();
  }
}
