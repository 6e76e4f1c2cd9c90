package io.vidlabel.inference;

import io.vidlabel.decode.VideoFrame;
import java.util.Random;

/** Test frames made by code. */
final class Frames {

  private Frames() {}

  static VideoFrame solid(int size, int r, int g, int b) {
    byte[] rgb = new byte[size * size * 3];
    for (int i = 0; i < rgb.length; i += 3) {
      rgb[i] = (byte) r;
      rgb[i + 1] = (byte) g;
      rgb[i + 2] = (byte) b;
    }
    return new VideoFrame(0, 0, size, size, rgb);
  }

  /** Each channel of each pixel moved by up to +-amplitude, clamped to 0..255. */
  static VideoFrame noisy(int size, int[] colour, int amplitude, long seed) {
    Random random = new Random(seed);
    byte[] rgb = new byte[size * size * 3];
    for (int i = 0; i < rgb.length; i++) {
      int v = colour[i % 3] + random.nextInt(2 * amplitude + 1) - amplitude;
      rgb[i] = (byte) Math.max(0, Math.min(255, v));
    }
    return new VideoFrame(0, 0, size, size, rgb);
  }

  /** The given fraction of pixels replaced by uniformly random colours. */
  static VideoFrame speckled(int size, int[] colour, double fraction, long seed) {
    Random random = new Random(seed);
    byte[] rgb = new byte[size * size * 3];
    for (int p = 0; p < size * size; p++) {
      boolean speck = random.nextDouble() < fraction;
      for (int c = 0; c < 3; c++) {
        rgb[p * 3 + c] = (byte) (speck ? random.nextInt(256) : colour[c]);
      }
    }
    return new VideoFrame(0, 0, size, size, rgb);
  }
}
