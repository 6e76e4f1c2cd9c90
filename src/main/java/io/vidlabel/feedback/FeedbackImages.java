package io.vidlabel.feedback;

import io.vidlabel.decode.DecodeException;
import io.vidlabel.decode.DecodeLimits;
import io.vidlabel.decode.FrameSize;
import io.vidlabel.decode.VideoDecoder;
import io.vidlabel.inference.FrameTranslator;
import io.vidlabel.model.ModelDescriptor;

/**
 * Checks feedback against a model and turns its image into the model's input exactly as the
 * classifier does for a video frame: decoded by FFmpeg, scaled to the input size by the same
 * scaler, normalised by the same {@link FrameTranslator}. A training example therefore looks to
 * the network like a frame of the stream it was labelled from.
 */
public final class FeedbackImages {

  private final ModelDescriptor model;
  private final FrameTranslator translator;
  private final VideoDecoder decoder;
  private final FrameSize size;
  private final long maxImageBytes;

  /**
   * @param limits decode limits for untrusted images (only the size and time limits are used; the
   *     formats are always JPEG and PNG and one frame)
   * @param maxImageBytes largest accepted image
   */
  public FeedbackImages(ModelDescriptor model, DecodeLimits limits, long maxImageBytes) {
    this.model = model;
    this.translator = new FrameTranslator(model);
    this.decoder = new VideoDecoder(limits.forStillImages(maxImageBytes));
    this.size = new FrameSize(model.inputWidth(), model.inputHeight());
    this.maxImageBytes = maxImageBytes;
  }

  public ModelDescriptor model() {
    return model;
  }

  /**
   * @return the label's index in the model's output
   * @throws FeedbackException ({@link FeedbackException.Reason#UNKNOWN_LABEL}) naming the labels
   */
  public int labelIndex(String label) {
    int index = model.labels().indexOf(label);
    if (index < 0) {
      throw new FeedbackException(
          FeedbackException.Reason.UNKNOWN_LABEL,
          "unknown label \"" + label + "\"; model " + model.name() + " knows " + model.labels());
    }
    return index;
  }

  /**
   * The image as normalised model input, [H, W, 3].
   *
   * @throws FeedbackException if it is too large or not a decodable JPEG or PNG
   */
  public float[] pixels(byte[] image) {
    if (image.length > maxImageBytes) {
      throw new FeedbackException(
          FeedbackException.Reason.IMAGE_TOO_LARGE,
          "image has " + image.length + " bytes; the limit is " + maxImageBytes);
    }
    try {
      return translator.toTensorData(decoder.decodeStill(image, size));
    } catch (DecodeException e) {
      throw new FeedbackException(
          FeedbackException.Reason.IMAGE_UNREADABLE, "image is not a readable JPEG or PNG (" + e.reason() + "): "
              + e.getMessage(), e);
    }
  }
}
