package io.vidlabel.finetune;

import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.training.MomentumSgd;
import io.vidlabel.training.Trainer;
import io.vidlabel.training.resnet.ResNetSpec;
import io.vidlabel.util.SideBySide;
import io.vidlabel.util.Stats;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Fine-tunes the last blocks and the head of a served ResNet on labelled examples.
 *
 * <p>The frozen prefix's output is computed once per image and kept in a {@link FeatureCache}
 * (key: model name, version, cut, image hash), so every epoch runs only the trainable suffix. The
 * parent and the candidate are scored on the same holdout examples; the caller decides whether the
 * candidate is promoted.
 */
public final class FineTuner {

  private static final int INFERENCE_BATCH = 256;
  /** Longest array the JVM allocates (a few below {@code Integer.MAX_VALUE}). */
  private static final long MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;
  private static final double GIB = 1024.0 * 1024 * 1024;
  /**
   * Largest relative difference between an ancestor's cached prefix output and the parent's own
   * for them to count as the same: equal weights give equal outputs up to the order of float sums
   * (a batch of one is summed differently from a batch of 256), far below this.
   */
  private static final double SHARED_PREFIX_TOLERANCE = 1e-4;

  /**
   * @param trainBlocks last blocks that train (with the head); 0 = the head only; {@link #LAST_STAGE} =
   *     the blocks of the model's last stage
   * @param epochs passes over the training examples
   * @param batchSize examples per step
   * @param learningRate peak rate of a cosine schedule (no warm-up: the weights are trained)
   * @param weightDecay L2 factor on the trainable kernels
   * @param anchored decay pulls the kernels towards the parent's values (L2-SP), not towards zero
   * @param distillation weight of the squared gap between the logits and the parent's logits on
   *     rehearsal examples (0 = they train on their labels only)
   * @param seed fixes the order of the examples in every epoch
   */
  public record Settings(
      int trainBlocks, int epochs, int batchSize, float learningRate, float weightDecay, boolean anchored,
      float distillation, long seed) {

    /** {@code trainBlocks} for "the model's last stage", whatever its number of blocks. */
    public static final int LAST_STAGE = -1;

    public Settings {
      if (trainBlocks < LAST_STAGE || epochs < 1 || batchSize < 2 || !(learningRate > 0) || weightDecay < 0
          || !(distillation >= 0)) {
        throw new IllegalArgumentException("need trainBlocks >= 0 (or LAST_STAGE), epochs >= 1, batchSize >= 2, learningRate > 0,"
            + " weightDecay >= 0, distillation >= 0");
      }
    }

    /** The number of last blocks that train on a network like {@code spec}. */
    public int trainBlocks(ResNetSpec spec) {
      return trainBlocks == LAST_STAGE ? spec.stageBlocks().get(spec.stageBlocks().size() - 1) : trainBlocks;
    }
  }

  /**
   * One labelled image in the serving input layout.
   *
   * @param hash hex SHA-256 of the original image bytes
   * @param label index into the model's labels
   * @param pixels [H, W, 3] normalised as the model's descriptor says
   */
  public record Example(String hash, int label, float[] pixels) {}

  /** Mean loss and training accuracy of one epoch. */
  public record EpochStats(int epoch, double loss, double accuracy, double seconds) {}

  /**
   * What one run did.
   *
   * @param cut last frozen unit
   * @param referenceExamples in-domain examples scored to catch forgetting (0 = none)
   * @param parentReferenceAccuracy parent top-1 on the reference examples, NaN without any
   * @param featuresComputed prefix outputs computed in this run (the rest came from the cache)
   * @param checkpoint checkpoint of the trained weights
   */
  public record Result(
      String cut,
      long trainableParameters,
      int trainExamples,
      int holdoutExamples,
      double parentHoldoutAccuracy,
      double candidateHoldoutAccuracy,
      int referenceExamples,
      double parentReferenceAccuracy,
      double candidateReferenceAccuracy,
      int featuresComputed,
      double featureSeconds,
      double trainSeconds,
      List<EpochStats> epochs,
      Path checkpoint) {}

  private final ModelDescriptor parent;
  private final Path parentDir;
  private final ResNetSpec spec;
  private final Settings settings;
  private final FeatureCache cache;
  private final Path teacherDir;
  /**
   * The version whose cached prefix outputs this run uses ({@link #sharingPrefixWith}); the
   * parent's own if an ancestor's entries fail their check.
   */
  private String prefixVersion;

  /**
   * @throws IllegalArgumentException if the parent's model.json does not describe a vidlabel ResNet
   */
  public FineTuner(ModelDescriptor parent, Path parentDir, Settings settings, FeatureCache cache) {
    this(parent, parentDir, settings, cache, parentDir);
  }

  /**
   * As above, distilling the rehearsal examples towards the logits of the version in {@code
   * teacherDir} (the same network) instead of the parent's: the first version of the lineage, so
   * that a loop of rounds is pulled back to what the lineage knew in-domain rather than to what
   * the last round left of it.
   */
  public FineTuner(ModelDescriptor parent, Path parentDir, Settings settings, FeatureCache cache, Path teacherDir) {
    this(parent, parentDir, settings, cache, teacherDir, List.of(parent));
  }

  private FineTuner(ModelDescriptor parent, Path parentDir, Settings settings, FeatureCache cache, Path teacherDir,
      List<ModelDescriptor> lineage) {
    this.teacherDir = teacherDir;
    this.parent = parent;
    this.parentDir = parentDir;
    this.spec = ResNetSpec.fromNetwork(parent.network());
    this.settings = settings;
    this.cache = cache;
    this.prefixVersion = prefixVersion(lineage, settings);
  }

  /**
   * The same run, reading and writing prefix outputs under the oldest version of {@code lineage}
   * (the parent and its ancestors, nearest first, as {@link
   * io.vidlabel.model.ModelStore#lineage} lists them) whose frozen prefix the parent still has:
   * a round trains only what follows its cut, so a version promoted with the same cut, or a later
   * one, has its parent's prefix weight for weight, and its round need not compute the outputs
   * again. The first use of an ancestor's entries checks one against the parent's own prefix.
   */
  public FineTuner sharingPrefixWith(List<ModelDescriptor> lineage) {
    return new FineTuner(parent, parentDir, settings, cache, teacherDir, lineage);
  }

  /**
   * The version under which a round with {@code settings} on the first version of {@code lineage}
   * finds its prefix outputs: walks up while each version was
   * fine-tuned from the next with a cut at or after the round's ({@code model.json}'s {@code
   * training.cut}).
   *
   * @throws IllegalArgumentException if the first version's model.json does not describe a
   *     vidlabel ResNet
   */
  static String prefixVersion(List<ModelDescriptor> lineage, Settings settings) {
    ResNetSpec spec = ResNetSpec.fromNetwork(lineage.get(0).network());
    List<String> units = spec.unitNames();
    int at = units.indexOf(FineTuneGraph.cut(spec, settings.trainBlocks(spec)));
    int i = 0;
    for (; i + 1 < lineage.size(); i++) {
      ModelDescriptor child = lineage.get(i);
      Map<String, Object> training = child.training() == null ? Map.of() : child.training();
      boolean prefixKept = "finetune".equals(training.get("method")) && training.get("cut") instanceof String c
          && units.indexOf(c) >= at && lineage.get(i + 1).version().equals(child.parent());
      if (!prefixKept) {
        break;
      }
    }
    return lineage.get(i).version();
  }

  public ResNetSpec spec() {
    return spec;
  }

  /**
   * Trains on {@code train} and {@code rehearsal} together, scores parent and candidate on {@code
   * holdout} (and on {@code reference}, in-domain examples that must not get worse) and writes the
   * candidate's checkpoint under {@code workDir}.
   *
   * @param train examples to learn (feedback)
   * @param rehearsal examples of what the model already does, to keep doing (replay); with
   *     {@link Settings#distillation()} they also pull the logits towards the parent's
   */
  public Result run(
      List<Example> train, List<Example> rehearsal, List<Example> holdout, List<Example> reference, Path workDir,
      PrintStream progress) {
    List<Example> all = concat(train, rehearsal);
    if (all.size() < settings.batchSize() || holdout.isEmpty()) {
      throw new IllegalArgumentException(
          "need at least " + settings.batchSize() + " training and 1 holdout example, have "
              + all.size() + " and " + holdout.size());
    }
    try (FineTuneGraph graph = newGraph()) {
      checkMemory(all.size(), holdout.size(), graph.featureSize(), Runtime.getRuntime().maxMemory());
      long start = System.nanoTime();
      checkSharedPrefix(graph, all, progress);
      int[] computed = {0};
      float[] trainFeatures = features(graph, all, computed);
      float[] holdoutFeatures = features(graph, holdout, computed);
      double featureSeconds = seconds(start);
      progress.printf(Locale.ROOT,
          "finetune: %s/%s, training %s (%,d parameters) on %d examples and %d rehearsal"
              + " examples, holdout %d; prefix outputs: %d computed, %d cached (%.1f s)%n",
          parent.name(), parent.version(), trainedPart(graph), graph.trainableParameters(), train.size(),
          rehearsal.size(), holdout.size(), computed[0],
          all.size() + holdout.size() - computed[0], featureSeconds);

      double parentAccuracy = accuracy(graph, holdoutFeatures, holdout);
      double parentReference = accuracyOnImages(graph, reference);
      FineTuneGraph.Targets targets = targets(graph, all, train.size(), trainFeatures);
      long trainStart = System.nanoTime();
      List<EpochStats> epochs = train(graph, all, trainFeatures, targets, progress);
      double trainSeconds = seconds(trainStart);
      double candidateAccuracy = accuracy(graph, holdoutFeatures, holdout);
      double candidateReference = accuracyOnImages(graph, reference);
      progress.printf(Locale.ROOT,
          "finetune: holdout top-1 parent %.2f%%, candidate %.2f%%; reference top-1 parent %.2f%%,"
              + " candidate %.2f%% (%.1f s training)%n",
          100 * parentAccuracy, 100 * candidateAccuracy, 100 * parentReference, 100 * candidateReference,
          trainSeconds);
      Path checkpoint = workDir.resolve("candidate");
      graph.save(checkpoint);
      return new Result(graph.cut(), graph.trainableParameters(), all.size(), holdout.size(),
          parentAccuracy, candidateAccuracy, reference.size(), parentReference, candidateReference,
          computed[0], featureSeconds, trainSeconds, epochs, checkpoint);
    }
  }

  /**
   * Seconds per epoch of the cached-features path and of the path that recomputes the frozen prefix
   * for every step, measured in turns (which goes first alternates per round) on a throwaway copy of
   * the parent (the weights it trains are discarded).
   *
   * @return {cached seconds per epoch, recompute seconds per epoch}, medians of {@code rounds}
   */
  public double[] epochSeconds(List<Example> train, List<Example> rehearsal, int rounds) throws Exception {
    List<Example> all = concat(train, rehearsal);
    try (FineTuneGraph graph = newGraph()) {
      checkMemory(all.size(), 0, graph.featureSize(), Runtime.getRuntime().maxMemory());
      float[] trainFeatures = features(graph, all, new int[1]);
      FineTuneGraph.Targets targets = targets(graph, all, train.size(), trainFeatures);
      SideBySide.Rates epochsPerSecond = SideBySide.alternate(rounds,
          r -> 1 / timedEpoch(graph, all, trainFeatures, targets, r, true),
          r -> 1 / timedEpoch(graph, all, trainFeatures, targets, r, false));
      return new double[] {1 / Stats.median(epochsPerSecond.a()), 1 / Stats.median(epochsPerSecond.b())};
    }
  }

  /** The logits {@code rehearsal} is distilled towards (zeros without distillation), as {@link #run} computes them. */
  float[] distillationTargets(List<Example> rehearsal) {
    try (FineTuneGraph graph = newGraph()) {
      return targets(graph, rehearsal, 0, features(graph, rehearsal, new int[1])).logits();
    }
  }

  private double timedEpoch(
      FineTuneGraph graph, List<Example> all, float[] features, FineTuneGraph.Targets targets, int round,
      boolean cached) {
    long start = System.nanoTime();
    runEpoch(graph, all, features, targets, round, 1e-6f, cached);
    return seconds(start);
  }

  private FineTuneGraph newGraph() {
    return newGraph(parentDir);
  }

  private FineTuneGraph newGraph(Path weights) {
    return new FineTuneGraph(
        spec, weights, settings.trainBlocks(spec),
        new MomentumSgd(0.9f, true, settings.weightDecay()), settings.anchored(), settings.seed());
  }

  private static List<Example> concat(List<Example> a, List<Example> b) {
    List<Example> out = new ArrayList<>(a.size() + b.size());
    out.addAll(a);
    out.addAll(b);
    return out;
  }

  /**
   * Labels of every example, and for the rehearsal examples (from index {@code firstRehearsal} on)
   * the teacher's logits with the distillation weight, computed now, before any step changes the
   * weights (the parent's from the cached prefix outputs; another teacher's through its own graph).
   */
  private FineTuneGraph.Targets targets(FineTuneGraph graph, List<Example> all, int firstRehearsal, float[] features) {
    int classes = spec.classes();
    float[] oneHot = new float[all.size() * classes];
    for (int i = 0; i < all.size(); i++) {
      oneHot[i * classes + all.get(i).label()] = 1f;
    }
    float[] logits = new float[all.size() * classes];
    float[] weights = new float[all.size()];
    if (settings.distillation() > 0) {
      boolean parentTeaches = teacherDir.equals(parentDir);
      try (FineTuneGraph teacher = parentTeaches ? null : newGraph(teacherDir)) {
        int size = graph.featureSize();
        for (int from = firstRehearsal; from < all.size(); from += INFERENCE_BATCH) {
          int n = Math.min(INFERENCE_BATCH, all.size() - from);
          float[] z = parentTeaches
              ? graph.logitsOfFeatures(Arrays.copyOfRange(features, from * size, (from + n) * size), n)
              : teacher.logitsOfFeatures(teacher.prefix(pixels(all.subList(from, from + n)), n), n);
          System.arraycopy(z, 0, logits, from * classes, n * classes);
        }
      }
      Arrays.fill(weights, firstRehearsal, all.size(), settings.distillation());
    }
    return new FineTuneGraph.Targets(oneHot, logits, weights);
  }

  private String trainedPart(FineTuneGraph graph) {
    List<String> units = spec.unitNames();
    int first = units.indexOf(graph.cut()) + 1;
    return first >= units.size() - 1 ? "the head only" : units.get(first) + ".." + units.get(units.size() - 2) + " and the head";
  }

  /**
   * Before using an ancestor's prefix outputs, recomputes one that the cache holds with the parent's
   * prefix: if they differ (a version whose recorded cut does not say what it trained), the run
   * uses and fills the parent's own entries instead.
   */
  private void checkSharedPrefix(FineTuneGraph graph, List<Example> examples, PrintStream progress) {
    if (prefixVersion.equals(parent.version())) {
      return;
    }
    int size = graph.featureSize();
    for (Example e : examples) {
      float[] cached = cache.get(key(graph, e), size);
      if (cached == null) {
        continue;
      }
      float[] own = graph.prefix(pixels(List.of(e)), 1);
      double worst = 0;
      for (int i = 0; i < size; i++) {
        worst = Math.max(worst, Math.abs(own[i] - cached[i]) / (1 + Math.abs(cached[i])));
      }
      if (worst > SHARED_PREFIX_TOLERANCE) {
        progress.printf(Locale.ROOT, "finetune: cached prefix outputs of %s differ from %s's own (by %.2g);"
            + " computing %s's%n", prefixVersion, parent.version(), worst, parent.version());
        prefixVersion = parent.version();
      }
      return;
    }
  }

  /**
   * Refuses a round whose prefix outputs cannot be held in this heap, before minutes go into
   * computing them: a round holds {@code featureSize} floats per training and holdout example in
   * two arrays (for the default model 98 KiB an example; for ResNet-50 at 224x224, cut before its
   * last stage, 784 KiB). A quarter of the heap is left for the examples' pixels and the rest.
   *
   * @throws IllegalStateException naming the sizes and what to change
   */
  static void checkMemory(int trainExamples, int holdoutExamples, int featureSize, long maxHeapBytes) {
    long trainFloats = (long) trainExamples * featureSize;
    long holdoutFloats = (long) holdoutExamples * featureSize;
    long bytes = (trainFloats + holdoutFloats) * Float.BYTES;
    boolean pastOneArray = Math.max(trainFloats, holdoutFloats) > MAX_ARRAY_LENGTH;
    if (pastOneArray || bytes > maxHeapBytes / 4 * 3) {
      throw new IllegalStateException(String.format(Locale.ROOT,
          "the frozen prefix's outputs of %,d training and %,d holdout examples (%,d floats each) need"
              + " %.1f GiB in memory, more than this heap (%.1f GiB at most) can hold%s; raise the heap"
              + " (java -Xmx...) or lower vidlabel.finetune.max-train-images or the replay count",
          trainExamples, holdoutExamples, featureSize, bytes / GIB, maxHeapBytes / GIB,
          pastOneArray ? " (and more than one Java array holds)" : ""));
    }
  }

  /** Prefix outputs of every example, [n, featureSize], from the cache or computed and cached. */
  private float[] features(FineTuneGraph graph, List<Example> examples, int[] computed) {
    int size = graph.featureSize();
    float[] out = new float[examples.size() * size];
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      float[] cached = cache.get(key(graph, examples.get(i)), size);
      if (cached == null) {
        missing.add(i);
      } else {
        System.arraycopy(cached, 0, out, i * size, size);
      }
    }
    for (int from = 0; from < missing.size(); from += INFERENCE_BATCH) {
      int n = Math.min(INFERENCE_BATCH, missing.size() - from);
      float[] result = graph.prefix(pixels(missing.subList(from, from + n).stream().map(examples::get).toList()), n);
      for (int j = 0; j < n; j++) {
        int i = missing.get(from + j);
        float[] one = Arrays.copyOfRange(result, j * size, (j + 1) * size);
        cache.put(key(graph, examples.get(i)), one);
        System.arraycopy(one, 0, out, i * size, size);
      }
    }
    computed[0] += missing.size();
    return out;
  }

  private FeatureCache.Key key(FineTuneGraph graph, Example e) {
    return new FeatureCache.Key(parent.name(), prefixVersion, graph.cut(), e.hash());
  }

  private List<EpochStats> train(
      FineTuneGraph graph, List<Example> train, float[] features, FineTuneGraph.Targets targets,
      PrintStream progress) {
    List<EpochStats> out = new ArrayList<>();
    for (int epoch = 0; epoch < settings.epochs(); epoch++) {
      long start = System.nanoTime();
      double[] lossAndCorrect = runEpoch(graph, train, features, targets, epoch, Float.NaN, true);
      EpochStats stats = new EpochStats(epoch + 1, lossAndCorrect[0], lossAndCorrect[1], seconds(start));
      out.add(stats);
      progress.printf(Locale.ROOT, "finetune: epoch %d/%d loss %.4f train acc %.2f%% (%.2f s)%n",
          stats.epoch(), settings.epochs(), stats.loss(), 100 * stats.accuracy(), stats.seconds());
    }
    return out;
  }

  /**
   * One pass in a seeded order. The learning rate follows the cosine schedule unless {@code
   * fixedRate} is a number. A last batch of one example is skipped (batch norm needs two).
   *
   * @return {mean loss, accuracy}
   */
  private double[] runEpoch(
      FineTuneGraph graph, List<Example> train, float[] features, FineTuneGraph.Targets targets, int epoch,
      float fixedRate, boolean cached) {
    int n = train.size();
    int batch = settings.batchSize();
    int steps = (n + batch - 1) / batch;
    int featureSize = graph.featureSize();
    int pixels = spec.inputHeight() * spec.inputWidth() * 3;
    int classes = spec.classes();
    int[] order = Trainer.shuffled(n, new Random(settings.seed() * 31 + epoch));
    double lossSum = 0;
    double correct = 0;
    int seen = 0;
    for (int s = 0; s < steps; s++) {
      int from = s * batch;
      int size = Math.min(batch, n - from);
      if (size < 2) {
        break;
      }
      float[] oneHot = new float[size * classes];
      float[] logits = new float[size * classes];
      float[] weights = new float[size];
      float[] input = new float[size * (cached ? featureSize : pixels)];
      for (int j = 0; j < size; j++) {
        int i = order[from + j];
        System.arraycopy(targets.oneHot(), i * classes, oneHot, j * classes, classes);
        System.arraycopy(targets.logits(), i * classes, logits, j * classes, classes);
        weights[j] = targets.distillWeights()[i];
        if (cached) {
          System.arraycopy(features, i * featureSize, input, j * featureSize, featureSize);
        } else {
          System.arraycopy(train.get(i).pixels(), 0, input, j * pixels, pixels);
        }
      }
      float lr = Float.isNaN(fixedRate) ? cosine(epoch * steps + s, settings.epochs() * steps) : fixedRate;
      FineTuneGraph.Targets batchTargets = new FineTuneGraph.Targets(oneHot, logits, weights);
      FineTuneGraph.StepResult r = cached
          ? graph.stepOnFeatures(input, batchTargets, size, lr)
          : graph.stepOnImages(input, batchTargets, size, lr);
      if (!Float.isFinite(r.loss())) {
        throw new IllegalStateException("fine-tuning loss became " + r.loss() + "; lower the learning rate");
      }
      lossSum += r.loss() * size;
      correct += r.correct();
      seen += size;
    }
    return new double[] {lossSum / seen, correct / seen};
  }

  private float cosine(long step, long total) {
    return (float) (settings.learningRate() * 0.5 * (1 + Math.cos(Math.PI * step / total)));
  }

  /** Top-1 of the suffix on prefix outputs; NaN for no examples. */
  private double accuracy(FineTuneGraph graph, float[] features, List<Example> examples) {
    int size = graph.featureSize();
    return topOne(examples, (from, n) ->
        graph.classifyFeatures(Arrays.copyOfRange(features, from * size, (from + n) * size), n));
  }

  /**
   * Top-1 of the whole network on images; NaN for no examples. The reference set is scored this
   * way rather than from cached prefix outputs: it is large (a cut's output is about 100 KB per
   * image for the default model) and scored only twice per round.
   */
  private double accuracyOnImages(FineTuneGraph graph, List<Example> examples) {
    return topOne(examples, (from, n) -> graph.classify(pixels(examples.subList(from, from + n)), n));
  }

  /** Class probabilities [n, classes] of examples {@code from .. from + n - 1}. */
  @FunctionalInterface
  private interface BatchScores {
    float[] of(int from, int n);
  }

  /** Share of {@code examples} whose top class is their label, scored in batches; NaN for none. */
  private double topOne(List<Example> examples, BatchScores scores) {
    if (examples.isEmpty()) {
      return Double.NaN;
    }
    int classes = spec.classes();
    int correct = 0;
    for (int from = 0; from < examples.size(); from += INFERENCE_BATCH) {
      int n = Math.min(INFERENCE_BATCH, examples.size() - from);
      float[] p = scores.of(from, n);
      for (int j = 0; j < n; j++) {
        if (argMax(p, j * classes, classes) == examples.get(from + j).label()) {
          correct++;
        }
      }
    }
    return correct / (double) examples.size();
  }

  /** The examples' pixels stacked into one batch, [n, H, W, 3]. */
  private float[] pixels(List<Example> examples) {
    int pixels = spec.inputHeight() * spec.inputWidth() * 3;
    float[] batch = new float[examples.size() * pixels];
    for (int j = 0; j < examples.size(); j++) {
      System.arraycopy(examples.get(j).pixels(), 0, batch, j * pixels, pixels);
    }
    return batch;
  }

  /**
   * Left-right mirror images of {@code examples} (hash suffixed with {@code :mirror}), as extra
   * examples: cached prefix outputs cannot be flipped per epoch, so this is the augmentation a
   * round can have.
   */
  public static List<Example> mirrored(List<Example> examples, int width, int height) {
    List<Example> out = new ArrayList<>(examples.size());
    for (Example e : examples) {
      float[] src = e.pixels();
      float[] dst = new float[src.length];
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          System.arraycopy(src, (y * width + x) * 3, dst, (y * width + width - 1 - x) * 3, 3);
        }
      }
      out.add(new Example(e.hash() + ":mirror", e.label(), dst));
    }
    return out;
  }

  static int argMax(float[] values, int offset, int count) {
    int best = 0;
    for (int k = 1; k < count; k++) {
      if (values[offset + k] > values[offset + best]) {
        best = k;
      }
    }
    return best;
  }


  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
