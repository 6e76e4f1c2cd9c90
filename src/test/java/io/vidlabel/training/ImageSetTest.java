package io.vidlabel.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageSetTest {

  @Test
  void mirroredSwapsColumnsOfEveryRowAndKeepsChannelsAndLabels() {
    // two RGB images of 2 rows x 3 columns; pixel value = 100 * image + 10 * (row * 3 + col) + channel
    byte[] pixels = new byte[2 * 2 * 3 * 3];
    for (int i = 0; i < 2; i++) {
      for (int y = 0; y < 2; y++) {
        for (int x = 0; x < 3; x++) {
          for (int c = 0; c < 3; c++) {
            pixels[((i * 2 + y) * 3 + x) * 3 + c] = (byte) (100 * i + 10 * (y * 3 + x) + c);
          }
        }
      }
    }
    ImageSet set = ImageSet.packed(pixels, new byte[] {1, 0}, 2, 2, 3, 3, List.of("a", "b"));

    ImageSet mirrored = set.mirrored();

    for (int i = 0; i < 2; i++) {
      for (int y = 0; y < 2; y++) {
        for (int x = 0; x < 3; x++) {
          for (int c = 0; c < 3; c++) {
            assertThat(mirrored.pixel(i, y, x, c)).isEqualTo(set.pixel(i, y, 2 - x, c));
          }
        }
      }
    }
    assertThat(mirrored.label(0)).isEqualTo(1);
    assertThat(mirrored.label(1)).isZero();
    assertThat(mirrored.classes()).isEqualTo(set.classes());
    ImageSet twice = mirrored.mirrored();
    for (int i = 0; i < 2; i++) {
      assertThat(twice.image(i)).isEqualTo(set.image(i));
    }
  }

  @Test
  void aSetCanHoldMorePixelsThanOneArrayCan() {
    // 15,000 images of 224x224 RGB are 2.26 GB of pixels, past the 2 GiB one Java array holds; one
    // image array shared by every entry keeps the test's own memory small
    int size = 224 * 224 * 3;
    byte[] image = new byte[size];
    image[size - 1] = 7;
    byte[][] images = new byte[15_000][];
    Arrays.fill(images, image);
    byte[] labels = new byte[images.length];
    labels[14_999] = 1;

    ImageSet set = new ImageSet(images, labels, 224, 224, 3, List.of("a", "b"));

    assertThat((long) set.count() * size).isGreaterThan(Integer.MAX_VALUE);
    assertThat(set.pixel(14_999, 223, 223, 2)).isEqualTo(7);
    assertThat(set.label(14_999)).isEqualTo(1);
    ImageSet first = set.first(14_500);
    assertThat(first.count()).isEqualTo(14_500);
    assertThat(first.image(14_499)).isSameAs(image);
  }

  @Test
  void packedImagesMustFillTheArrayExactly() {
    assertThatThrownBy(
            () -> ImageSet.packed(new byte[11], new byte[2], 2, 2, 3, 1, List.of("a", "b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 images of 3x2x1");
  }
}
