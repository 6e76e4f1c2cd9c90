package io.vidlabel.finetune;

import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.training.FashionMnist.Dataset;
import io.vidlabel.training.FashionMnist.Split;
import io.vidlabel.training.FashionMnist;
import io.vidlabel.training.ServingInput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * In-domain examples mixed into fine-tuning (rehearsal) and scored before promotion, so that
 * learning a new look does not make the model forget the old one. Feedback alone often shows only
 * the new look; without replay the default model fine-tuned on low-contrast frames alone fell from
 * 94.8% to 29% on normal images (docs/finetuning.md).
 *
 * @param train examples trained on together with the feedback
 * @param reference disjoint examples the candidate must not score worse on
 */
public record Replay(List<FineTuner.Example> train, List<FineTuner.Example> reference) {

  /**
   * Training images held back from replay for the reference set: enough that the promotion gate
   * can tell a 0.8 from a 1.1-point drop (paired standard error about 0.2 points, 0.45 with 1000).
   */
  public static final int REFERENCE_IMAGES = 5000;

  public static Replay none() {
    return new Replay(List.of(), List.of());
  }

  /**
   * Parses {@code none} or {@code fashion-mnist:N} (the first N Fashion-MNIST training images for
   * replay and the last {@value #REFERENCE_IMAGES} as the reference; for models trained on
   * Fashion-MNIST, such as the bundled one).
   *
   * @throws IllegalArgumentException for another form, or a model with other labels
   */
  public static Replay parse(String spec, ModelDescriptor model, Path fashionMnistDir) {
    String s = spec.strip().toLowerCase(Locale.ROOT);
    if (s.equals("none")) {
      return none();
    }
    if (!s.startsWith("fashion-mnist:")) {
      throw new IllegalArgumentException("replay must be 'none' or 'fashion-mnist:N', not '" + spec + "'");
    }
    int n;
    try {
      n = Integer.parseInt(s.substring("fashion-mnist:".length()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("replay 'fashion-mnist:N' needs a number, got '" + spec + "'");
    }
    if (!model.labels().equals(FashionMnist.LABELS)) {
      throw new IllegalArgumentException(
          "replay fashion-mnist needs a model with the Fashion-MNIST labels; " + model.name() + " has "
              + model.labels());
    }
    try {
      Dataset data = FashionMnist.load(fashionMnistDir, Split.TRAIN, 0);
      if (n < 0 || n > data.count() - REFERENCE_IMAGES) {
        throw new IllegalArgumentException(
            "replay fashion-mnist:N needs 0 <= N <= " + (data.count() - REFERENCE_IMAGES));
      }
      float mean = model.mean().get(0).floatValue();
      float std = model.std().get(0).floatValue();
      return new Replay(
          examples(data, 0, n, mean, std), examples(data, data.count() - REFERENCE_IMAGES, data.count(), mean, std));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Fashion-MNIST for replay: " + e.getMessage(), e);
    }
  }

  private static List<FineTuner.Example> examples(Dataset data, int from, int to, float mean, float std) {
    List<FineTuner.Example> out = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      out.add(new FineTuner.Example(
          String.format(Locale.ROOT, "fashion-mnist-train-%05d", i),
          data.label(i),
          ServingInput.rgbFromGray(data, i, 1, mean, std)));
    }
    return out;
  }
}
