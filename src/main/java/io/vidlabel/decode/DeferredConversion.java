package io.vidlabel.decode;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

/**
 * Converts a picture the grabber has already decoded, so the decoder pays for pixel conversion
 * and scaling only on the frames the sampler keeps.
 *
 * <p>JavaCV's grabber either converts every decoded picture ({@code grabImage()}) or none
 * ({@code grabFrame(..., doProcessing=false, ...)}); the step in between, converting the picture
 * it just decoded, is its private {@code processImage()}. With {@code fps:5} sampling of 25 fps
 * video four conversions in five were thrown away (docs/performance.md, section 1). The method is
 * looked up once: a JavaCV version without it fails at class initialisation, naming this class,
 * instead of silently returning unconverted frames.
 */
final class DeferredConversion {

  private static final Method PROCESS_IMAGE = lookUp();

  private DeferredConversion() {}

  /**
   * Runs the grabber's conversion (pixel format and size as configured on it) on the picture the
   * last {@code grabFrame} decoded, filling the image, size and stride of the {@link Frame} that
   * call returned (the grabber reuses one).
   *
   * @throws Exception whatever the conversion throws (the grabber's own exception type)
   */
  static void convert(FFmpegFrameGrabber grabber) throws Exception {
    try {
      PROCESS_IMAGE.invoke(grabber);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception exception) {
        throw exception;
      }
      throw (Error) cause;
    }
  }

  private static Method lookUp() {
    try {
      Method method = FFmpegFrameGrabber.class.getDeclaredMethod("processImage");
      method.setAccessible(true);
      return method;
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new ExceptionInInitializerError(
          "this JavaCV version has no FFmpegFrameGrabber.processImage(); DeferredConversion must"
              + " be adapted to it: " + e);
    }
  }
}
