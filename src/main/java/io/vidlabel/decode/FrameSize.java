package io.vidlabel.decode;

/**
 * Output size: scale every frame to exactly {@code width x height} (stretch, no crop), or keep the
 * (rotated) source size with {@link #NATIVE}.
 */
public record FrameSize(int width, int height) {

  /** Keep the source size (after applying rotation metadata). */
  public static final FrameSize NATIVE = new FrameSize(0, 0);

  public FrameSize {
    boolean nativeSize = width == 0 && height == 0;
    if (!nativeSize && (width <= 0 || height <= 0)) {
      throw new IllegalArgumentException(
          "frame size must be positive (or 0x0 for native): " + width + "x" + height);
    }
  }

  public boolean isNative() {
    return width == 0 && height == 0;
  }
}
