package io.vidlabel.testing;

import io.vidlabel.finetune.ShiftedVideo.Look;
import io.vidlabel.finetune.ShiftedVideo;
import io.vidlabel.training.FashionMnist;
import io.vidlabel.training.ImageSet;
import io.vidlabel.training.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Fashion-MNIST test images as PNG files, optionally with another look. */
public final class FashionImages {

  private static ImageSet test;

  private FashionImages() {}

  public static synchronized ImageSet test() {
    if (test == null) {
      try {
        test = FashionMnist.load(TestData.fashionMnist(), FashionMnist.Split.TEST, 0);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return test;
  }

  /** Test image {@code index} as a 28x28 grayscale PNG with the given look. */
  public static byte[] png(int index, Look look) {
    return ShiftedVideo.png(test(), index, look, 1);
  }

  public static String label(int index) {
    return FashionMnist.LABELS.get(test().label(index));
  }
}
