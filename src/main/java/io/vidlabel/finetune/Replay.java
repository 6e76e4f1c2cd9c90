package io.vidlabel.finetune;

import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.training.FashionMnist.Split;
import io.vidlabel.training.FashionMnist;
import io.vidlabel.training.ImageFolder;
import io.vidlabel.training.ImageSet;
import io.vidlabel.training.Normalisation;
import io.vidlabel.training.ServingInput;
import io.vidlabel.training.cli.TrainCommand;
import io.vidlabel.util.ContentHash;
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
import java.util.function.Predicate;

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
   * Fewest reference images: a folder must leave this many after replay, and a model must have
   * held back this many for them to be its reference set. Below this the gate's
   * one-point limit is within its own noise (the paired standard error is about 0.5 points at
   * 500 images when a few percent of them flip).
   */
  public static final int MIN_REFERENCE = 500;

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
   *       such as the bundled one); if the model held images back ({@code train --hold-back}), the
   *       reference is those (at most {@value #REFERENCE_IMAGES}) and N must leave them out;
   *   <li>{@code folder:PATH:N}: a folder of the model's labelled images ({@link ImageFolder});
   *       in hash order, the first N for replay and up to {@value #REFERENCE_IMAGES} of the rest as
   *       the reference. For the folder the model was trained on, its test share is left out, and
   *       the reference is its held-back images if it has them;
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
      return fashionMnist(count(s, "fashion-mnist:".length(), spec), model, fashionMnistDir, progress);
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
    for (String key : List.of("dataset", "data", "testPercent", TrainCommand.HELD_BACK, TrainCommand.HELD_BACK_FROM)) {
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

  private static Replay fashionMnist(int n, ModelDescriptor model, Path fashionMnistDir, PrintStream progress) {
    if (!model.labels().equals(FashionMnist.LABELS)) {
      throw new IllegalArgumentException(
          "replay fashion-mnist needs a model with the Fashion-MNIST labels; " + model.name() + " has "
              + model.labels());
    }
    ImageSet data;
    try {
      data = FashionMnist.load(fashionMnistDir, Split.TRAIN, 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Fashion-MNIST for replay: " + e.getMessage(), e);
    }
    // the model's own held-back images when it was trained on Fashion-MNIST with enough of them
    int heldBack = "fashion-mnist".equals(training(model).get("dataset")) ? heldBack(model) : 0;
    boolean unseen = heldBack >= MIN_REFERENCE;
    int referenceFrom = data.count() - (unseen ? Math.min(heldBack, REFERENCE_IMAGES) : REFERENCE_IMAGES);
    int replayable = unseen ? data.count() - heldBack : referenceFrom;
    if (n > replayable) {
      throw new IllegalArgumentException("replay fashion-mnist:N needs 0 <= N <= " + replayable);
    }
    Normalisation normalisation = Normalisation.of(model);
    IntFunction<String> id = i -> String.format(Locale.ROOT, "fashion-mnist-train-%05d", i);
    Replay replay = new Replay(examples(data, 0, n, normalisation, id),
        examples(data, referenceFrom, data.count(), normalisation, id));
    replay.describe(unseen, progress);
    return replay;
  }

  private static Replay folder(Path dir, int n, ModelDescriptor model, PrintStream progress) {
    Map<String, Object> training = training(model);
    boolean trainedOn = "image-folder".equals(training.get("dataset")) && training.get("data") instanceof String data
        && Path.of(data).toAbsolutePath().normalize().equals(dir.toAbsolutePath().normalize());
    // the model's test share is for evaluating it: neither replayed nor a reference
    int testPercent = trainedOn && training.get("testPercent") instanceof Number p ? p.intValue() : 0;
    Predicate<String> trainShare = hash -> !ContentHash.inPercent(hash, testPercent);
    String heldBackFrom = trainedOn && heldBack(model) >= MIN_REFERENCE
        && training.get(TrainCommand.HELD_BACK_FROM) instanceof String h ? h : null;
    List<ImageFolder.Image> replayImages;
    List<ImageFolder.Image> referenceImages;
    ImageFolder.Scan scan;
    try {
      scan = ImageFolder.scan(dir, model.labels());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the replay images: " + e.getMessage(), e);
    }
    ImageFolder.Contents folder;
    if (heldBackFrom == null) {
      folder = decode(scan, model, trainShare, n + REFERENCE_IMAGES, progress);
      int count = folder.images().size();
      requireReference(count - n, dir, n, count);
      replayImages = folder.images().subList(0, n);
      referenceImages = folder.images().subList(n, count);
    } else {
      folder = decode(scan, model, trainShare.and(hash -> hash.compareTo(heldBackFrom) >= 0), REFERENCE_IMAGES,
          progress);
      referenceImages = folder.images();
      replayImages = n == 0 ? List.of()
          : decode(scan, model, trainShare.and(hash -> hash.compareTo(heldBackFrom) < 0), n, progress).images();
      requireReference(referenceImages.size(), dir, n, replayImages.size() + referenceImages.size());
      if (replayImages.size() < n) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "replay folder:%s:%d asks for more than the %d images the model trained on", dir, n, replayImages.size()));
      }
    }
    List<ImageFolder.Image> all = new ArrayList<>(replayImages);
    all.addAll(referenceImages);
    ImageSet data = folder.toSet(all);
    Normalisation normalisation = Normalisation.of(model);
    IntFunction<String> id = i -> all.get(i).hash();
    Replay replay = new Replay(examples(data, 0, replayImages.size(), normalisation, id),
        examples(data, replayImages.size(), all.size(), normalisation, id));
    replay.describe(heldBackFrom != null, progress);
    return replay;
  }

  private static ImageFolder.Contents decode(
      ImageFolder.Scan scan, ModelDescriptor model, Predicate<String> hashes, int most, PrintStream progress) {
    ImageFolder.Contents folder;
    try {
      folder = scan.decode(model.inputWidth(), model.inputHeight(), hashes, most, progress);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the replay images: " + e.getMessage(), e);
    }
    if (progress != null) {
      progress.println("finetune: replay " + folder.summary());
    }
    return folder;
  }

  private static void requireReference(int reference, Path dir, int n, int count) {
    if (reference < MIN_REFERENCE) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "replay folder:%s:%d leaves %d of its %d images for the reference set; it needs at least %d"
              + " (replay fewer images, or add more)", dir, n, Math.max(0, reference), count, MIN_REFERENCE));
    }
  }

  /** Images the model's training held back ({@code train --hold-back}), 0 if none. */
  private static int heldBack(ModelDescriptor model) {
    return training(model).get(TrainCommand.HELD_BACK) instanceof Number n ? n.intValue() : 0;
  }

  /** Says in the log whether the reference set is new to the model or part of what it learned. */
  private void describe(boolean unseen, PrintStream progress) {
    if (progress == null || reference.isEmpty()) {
      return;
    }
    progress.printf(Locale.ROOT, unseen
        ? "finetune: reference set: %d images held back from the model's training%n"
        : "finetune: reference set: %d of the model's own training images; it has learned them, so the gate counts"
            + " drops that new images may not show (train with --hold-back to give it unseen ones)%n",
        reference.size());
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
