package io.vidlabel.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vidlabel.training.FashionMnist.Split;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

  @Test
  void missingFilesNameTheDebianPackage(@TempDir Path empty) {
    assertThatThrownBy(() -> FashionMnist.load(empty, Split.TRAIN, 0))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("dataset-fashion-mnist")
        .hasMessageContaining("train-images-idx3-ubyte");
  }

  @Test
  void readsGzippedIdxImagesAndLabelsUpToTheLimit(@TempDir Path dir) throws IOException {
    writeIdx(dir.resolve("t10k-images-idx3-ubyte.gz"), 0x803, new int[] {3, 2, 2}, new byte[] {
      0, 1, 2, 3, 4, 5, 6, 7, (byte) 200, 9, 10, (byte) 255});
    writeIdx(dir.resolve("t10k-labels-idx1-ubyte.gz"), 0x801, new int[] {3}, new byte[] {9, 0, 4});

    ImageSet d = FashionMnist.load(dir, Split.TEST, 2);

    assertThat(d.count()).isEqualTo(2);
    assertThat(d.rows()).isEqualTo(2);
    assertThat(d.label(0)).isEqualTo(9);
    assertThat(d.pixel(1, 0, 0)).isEqualTo(4);
    assertThat(d.image(0)).hasSize(4);
    assertThat(d.image(1)).hasSize(4);
  }

  @Test
  void readsTheInstalledTestSplit() throws IOException {
    ImageSet test = FashionMnist.load(TestData.fashionMnist(), Split.TEST, 0);
    assertThat(test.count()).isEqualTo(10_000);
    assertThat(test.rows()).isEqualTo(28);
    assertThat(test.cols()).isEqualTo(28);
    assertThat(test.label(0)).isEqualTo(9); // the first test image is an ankle boot
  }

  private static void writeIdx(Path file, int magic, int[] dims, byte[] data) throws IOException {
    try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(file)))) {
      out.writeInt(magic);
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(data);
    }
  }
}
