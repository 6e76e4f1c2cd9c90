package io.vidlabel.pipeline;

/** The model could not classify a batch that held frames of this input. */
public final class InferenceFailedException extends Exception {
  public InferenceFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
