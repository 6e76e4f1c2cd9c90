package io.vidlabel.decode;

/**
 * One decoded frame, packed RGB24 (3 bytes per pixel, row-major, no padding), after rotation and
 * scaling.
 *
 * @param index position of the frame among all decoded video frames of the input, in presentation
 *     order; sampling leaves gaps
 * @param ptsMicros presentation time in microseconds, strictly increasing within one input and
 *     never negative; synthesized from the index and frame rate when the input carries no
 *     timestamps
 * @param width width in pixels
 * @param height height in pixels
 * @param rgb {@code width * height * 3} bytes owned by this frame (a copy, never shared with the
 *     grabber)
 */
public record VideoFrame(int index, long ptsMicros, int width, int height, byte[] rgb) {

  public VideoFrame {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("frame size must be positive: " + width + "x" + height);
    }
    if (rgb == null || rgb.length != width * height * 3) {
      throw new IllegalArgumentException(
          "rgb must hold width*height*3 = " + (width * height * 3) + " bytes");
    }
  }
}
