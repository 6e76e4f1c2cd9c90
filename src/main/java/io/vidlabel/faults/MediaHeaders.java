package io.vidlabel.faults;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Rewrites the sizes and frame counts that AVI and JPEG headers declare, in place, to make inputs
 * that lie about themselves: the hostile cases of the fault suite and the decoder's tests.
 */
public final class MediaHeaders {

  private MediaHeaders() {}

  /** dwWidth/dwHeight in 'avih' and biWidth/biHeight in the first 'strf' (little endian). */
  public static byte[] patchAviSize(byte[] avi, int width, int height) {
    ByteBuffer b = ByteBuffer.wrap(avi).order(ByteOrder.LITTLE_ENDIAN);
    int avih = indexOf(avi, "avih");
    b.putInt(avih + 8 + 32, width).putInt(avih + 8 + 36, height);
    int strf = indexOf(avi, "strf");
    b.putInt(strf + 8 + 4, width).putInt(strf + 8 + 8, height);
    return avi;
  }

  /**
   * Sets the size in every baseline JPEG frame header (SOF0: marker FF C0, length, precision,
   * height, width, big endian). In JPEG data FF is always followed by 00 or a marker, so FF C0
   * only ever starts a frame header.
   */
  public static byte[] patchJpegSizes(byte[] data, int width, int height) {
    int patched = 0;
    for (int i = 0; i + 9 < data.length; i++) {
      if ((data[i] & 0xFF) == 0xFF && (data[i + 1] & 0xFF) == 0xC0) {
        ByteBuffer.wrap(data).putShort(i + 5, (short) height).putShort(i + 7, (short) width);
        patched++;
      }
    }
    if (patched == 0) {
      throw new IllegalStateException("no baseline JPEG frame header (SOF0) in the data");
    }
    return data;
  }

  /** dwTotalFrames in 'avih' and dwLength in the first 'strh'. */
  public static byte[] patchAviFrames(byte[] avi, int frames) {
    ByteBuffer b = ByteBuffer.wrap(avi).order(ByteOrder.LITTLE_ENDIAN);
    int avih = indexOf(avi, "avih");
    b.putInt(avih + 8 + 16, frames);
    int strh = indexOf(avi, "strh");
    b.putInt(strh + 8 + 32, frames);
    return avi;
  }

  private static int indexOf(byte[] data, String fourcc) {
    byte[] tag = fourcc.getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + tag.length <= data.length; i++) {
      for (int j = 0; j < tag.length; j++) {
        if (data[i + j] != tag[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalStateException("no " + fourcc + " chunk in the AVI");
  }
}
