package io.vidlabel.training;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Path;

/** Where tests find Fashion-MNIST; they fail (not skip) without it so CI notices. */
public final class TestData {

  private TestData() {}

  public static Path fashionMnist() {
    Path dir = Path.of(System.getProperty("vidlabel.fashion-mnist.dir", FashionMnist.DEFAULT_DIR.toString()));
    if (!FashionMnist.isIn(dir)) {
      fail("Fashion-MNIST not found in " + dir + ": install the Debian package "
          + FashionMnist.DEBIAN_PACKAGE + " (apt-get install " + FashionMnist.DEBIAN_PACKAGE + ")");
    }
    return dir;
  }
}
