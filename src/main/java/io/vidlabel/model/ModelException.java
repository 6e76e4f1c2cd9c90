package io.vidlabel.model;

/**
 * A model version that cannot be used: missing or invalid {@code model.json}, checksum mismatch, or
 * a SavedModel that TensorFlow refuses. The message names the directory and the reason.
 */
public class ModelException extends RuntimeException {

  public ModelException(String message) {
    super(message);
  }

  public ModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
