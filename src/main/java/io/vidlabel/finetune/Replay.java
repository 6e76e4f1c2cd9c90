package io.vidlabel.finetune;

import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.training.FashionMnist.Split;
import io.vidlabel.training.FashionMnist;
import io.vidlabel.training.ImageFolder;
import io.vidlabel.training.ImageSet;
import io.vidlabel.training.Normalisation;
import io.vidlabel.training.ServingInput;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

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

  /**
   * Fewest reference images an image folder must leave after replay: below this the gate's
   * one-point limit is within its own noise (the paired standard error is about 0.5 points at
   * 500 images when a few percent of them flip).
   */
  public static final int MIN_FOLDER_REFERENCE = 500;

  public static Replay none() {
    return new Replay(List.of(), List.of());
  }

  /**
   * Parses a replay setting:
   *
   * <ul>
   *   <li>{@code none};
   *   <li>{@code fashion-mnist:N}: the first N Fashion-MNIST training images for replay and the
   *       last {@value #REFERENCE_IMAGES} as the reference (for models trained on Fashion-MNIST,
   *       such as the bundled one);
   *   <li>{@code folder:PATH:N}: a folder of the model's labelled images ({@link ImageFolder});
   *       in hash order, the first N for replay and up to {@value #REFERENCE_IMAGES} of the rest as
   *       the reference;
   *   <li>{@code training-data:N}: whichever of the two the model was trained on, as its {@code
   *       model.json} records ({@code train} writes it).
   * </ul>
   *
   * @throws IllegalArgumentException for another form, a model with other labels, a folder too
   *     small for N, or a model whose training data is not recorded
   * @throws UncheckedIOException if the images cannot be read
   */
  public static Replay parse(String spec, ModelDescriptor model, Path fashionMnistDir, PrintStream progress) {
    String s = spec.strip();
    String lower = s.toLowerCase(Locale.ROOT);
    if (lower.equals("none")) {
      return none();
    }
    if (lower.startsWith("training-data:")) {
      return parse(trainingData(model, count(s, "training-data:".length(), spec)), model, fashionMnistDir, progress);
    }
    if (lower.startsWith("fashion-mnist:")) {
      return fashionMnist(count(s, "fashion-mnist:".length(), spec), model, fashionMnistDir);
    }
    int lastColon = s.lastIndexOf(':');
    if (lower.startsWith("folder:") && lastColon > "folder:".length()) {
      return folder(Path.of(s.substring("folder:".length(), lastColon)), count(s, lastColon + 1, spec), model,
          progress);
    }
    throw new IllegalArgumentException(
        "replay must be 'none', 'training-data:N', 'fashion-mnist:N' or 'folder:PATH:N', not '" + spec + "'");
  }

  /** {@code fashion-mnist:N} or {@code folder:PATH:N} for the data {@code model.json} says the model was trained on. */
  static String trainingData(ModelDescriptor model, int n) {
    Map<String, Object> training = training(model);
    Object dataset = training.get("dataset");
    if ("fashion-mnist".equals(dataset)) {
      return "fashion-mnist:" + n;
    }
    if ("image-folder".equals(dataset) && training.get("data") instanceof String dir) {
      return "folder:" + dir + ":" + n;
    }
    throw new IllegalArgumentException("replay training-data: model.json of " + model.name() + " "
        + model.version() + " does not say which data it was trained on (training.dataset is " + dataset
        + "); set vidlabel.finetune.replay to folder:PATH:N or none");
  }

  /**
   * What {@code model.json} says about the data a lineage was first trained on ({@code dataset},
   * and {@code data} for a folder): a fine-tuned version carries its parent's, so that {@code
   * training-data:N} replays the same images in every round of the lineage.
   */
  public static Map<String, Object> lineageData(ModelDescriptor model) {
    Map<String, Object> training = training(model);
    Map<String, Object> out = new LinkedHashMap<>();
    for (String key : List.of("dataset", "data")) {
      if (training.get(key) != null) {
        out.put(key, training.get(key));
      }
    }
    return out;
  }

  private static Map<String, Object> training(ModelDescriptor model) {
    return model.training() == null ? Map.of() : model.training();
  }

  private static int count(String spec, int from, String whole) {
    try {
      int n = Integer.parseInt(spec.substring(from).strip());
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // falls through
    }
    throw new IllegalArgumentException("replay '" + whole + "' needs a count of images, 0 or more, at its end");
  }

  private static Replay fashionMnist(int n, ModelDescriptor model, Path fashionMnistDir) {
    if (!model.labels().equals(FashionMnist.LABELS)) {
      throw new IllegalArgumentException(
          "replay fashion-mnist needs a model with the Fashion-MNIST labels; " + model.name() + " has "
              + model.labels());
    }
    try {
      ImageSet data = FashionMnist.load(fashionMnistDir, Split.TRAIN, 0);
      if (n > data.count() - REFERENCE_IMAGES) {
        throw new IllegalArgumentException(
            "replay fashion-mnist:N needs 0 <= N <= " + (data.count() - REFERENCE_IMAGES));
      }
      Normalisation normalisation = Normalisation.of(model);
      IntFunction<String> id = i -> String.format(Locale.ROOT, "fashion-mnist-train-%05d", i);
      return new Replay(examples(data, 0, n, normalisation, id),
          examples(data, data.count() - REFERENCE_IMAGES, data.count(), normalisation, id));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Fashion-MNIST for replay: " + e.getMessage(), e);
    }
  }

  private static Replay folder(Path dir, int n, ModelDescriptor model, PrintStream progress) {
    ImageFolder.Contents folder;
    try {
      folder = ImageFolder.read(dir, model.labels(), model.inputWidth(), model.inputHeight(), n + REFERENCE_IMAGES, progress);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the replay images: " + e.getMessage(), e);
    }
    if (progress != null) {
      progress.println("finetune: replay " + folder.summary());
    }
    int count = folder.images().size();
    if (count - n < MIN_FOLDER_REFERENCE) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "replay folder:%s:%d leaves %d of its %d images for the reference set; it needs at least %d"
              + " (replay fewer images, or add more)", dir, n, Math.max(0, count - n), count, MIN_FOLDER_REFERENCE));
    }
    ImageSet data = folder.toSet(folder.images());
    Normalisation normalisation = Normalisation.of(model);
    IntFunction<String> id = i -> folder.images().get(i).hash();
    return new Replay(examples(data, 0, n, normalisation, id),
        examples(data, n, Math.min(count, n + REFERENCE_IMAGES), normalisation, id));
  }

  /**
   * Images {@code from .. to} of {@code data} as examples; {@code id} names each one for the
   * feature cache, so it must stay with the image's content.
   */
  private static List<FineTuner.Example> examples(
      ImageSet data, int from, int to, Normalisation normalisation, IntFunction<String> id) {
    List<FineTuner.Example> out = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      out.add(new FineTuner.Example(id.apply(i), data.label(i), ServingInput.rgb(data, i, 1, normalisation)));
    }
    return out;
  }
}
