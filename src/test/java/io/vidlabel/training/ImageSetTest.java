package io.vidlabel.training;

import static org.assertj.core.api.Assertions.assertThat;

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
    ImageSet set = new ImageSet(pixels, new byte[] {1, 0}, 2, 2, 3, 3, List.of("a", "b"));

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
    assertThat(mirrored.mirrored().pixels()).isEqualTo(pixels);
  }
}
