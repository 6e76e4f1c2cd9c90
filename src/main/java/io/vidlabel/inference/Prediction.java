package io.vidlabel.inference;

import java.util.List;

/**
 * The result for one frame: every label of the model, best first, and the model version that
 * produced it (every output record names its model version).
 */
public record Prediction(String modelName, String modelVersion, List<Label> ranked) {

  public Prediction {
    ranked = List.copyOf(ranked);
  }

  /** The best {@code k} labels (fewer if the model has fewer classes). */
  public List<Label> topK(int k) {
    if (k < 0) {
      throw new IllegalArgumentException("k must not be negative, got " + k);
    }
    return ranked.subList(0, Math.min(k, ranked.size()));
  }

  /** The best label. */
  public Label top() {
    return ranked.get(0);
  }
}
