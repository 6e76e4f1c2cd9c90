package io.vidlabel.finetune;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vidlabel.feedback.FeedbackCollector;
import io.vidlabel.feedback.FeedbackDataset.Entry;
import io.vidlabel.feedback.FeedbackDataset.Split;
import io.vidlabel.feedback.FeedbackDataset;
import io.vidlabel.feedback.FeedbackException;
import io.vidlabel.feedback.FeedbackImages;
import io.vidlabel.lifecycle.ModelUpdate;
import io.vidlabel.lifecycle.ModelUpdates;
import io.vidlabel.model.ModelChecksum;
import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.model.ModelStore;
import io.vidlabel.training.ModelExporter;
import io.vidlabel.training.resnet.ResNetSpec;
import io.vidlabel.util.Directories;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;

/**
 * One fine-tuning round: collect new feedback into the dataset, fine-tune the version being served,
 * and promote the candidate if it is better on the holdout by the margin and not worse on the
 * reference (in-domain) examples by more than the allowed regression.
 *
 * <p>Promotion writes the new version into the model store (atomically, with lineage in its
 * {@code model.json}: parent, data counts, metrics, checksum) and publishes it on {@code
 * video.model-updates}; classifiers that follow the topic swap to it.
 */
public final class FineTuneJob {

  /**
   * Everything a round needs besides the Kafka connection.
   *
   * @param modelName the model to improve
   * @param fallbackVersion version served when the update topic names none (the configured model)
   * @param training what the fine-tuner trains and how
   * @param distillFrom whose logits replay is distilled towards
   * @param replay the replay setting ({@link Replay#parse})
   * @param promotionMargin holdout top-1 gain needed (0.01 = one point)
   * @param maxReferenceDrop largest tolerated top-1 loss on the reference examples
   * @param keepVersions versions of the served lineage kept in the store (see {@link
   *     ModelStore#retire}); 0 keeps every version
   */
  public record Settings(
      String modelName,
      String fallbackVersion,
      Places places,
      FeedbackUse feedback,
      FineTuner.Settings training,
      Teacher distillFrom,
      String replay,
      double promotionMargin,
      double maxReferenceDrop,
      int keepVersions,
      Topics topics) {

    /** The same settings with another store, dataset and cache (a demo's or benchmark's own). */
    public Settings withDirectories(ModelStore newStore, Path newDataset, Path newCache) {
      Places moved = new Places(newStore, newDataset, newCache, places.fashionMnistDir());
      return new Settings(modelName, fallbackVersion, moved, feedback, training, distillFrom, replay, promotionMargin,
          maxReferenceDrop, keepVersions, topics);
    }

    /** The same settings on other topics. */
    public Settings withTopics(String feedbackTopic, String deadLetters, String modelUpdates) {
      return new Settings(modelName, fallbackVersion, places, feedback, training, distillFrom, replay,
          promotionMargin, maxReferenceDrop, keepVersions, new Topics(feedbackTopic, deadLetters, modelUpdates));
    }

    /** The same settings with another training setup and promotion margin. */
    public Settings withTraining(FineTuner.Settings newTraining, double margin) {
      return new Settings(modelName, fallbackVersion, places, feedback, newTraining, distillFrom, replay, margin,
          maxReferenceDrop, keepVersions, topics);
    }
  }

  /**
   * Where a round reads and writes.
   *
   * @param store the model store: versions and their lineage
   * @param datasetDir the feedback dataset on disk
   * @param cacheDir the feature cache
   * @param fashionMnistDir Fashion-MNIST's IDX files, for replay of models trained on it
   */
  public record Places(ModelStore store, Path datasetDir, Path cacheDir, Path fashionMnistDir) {}

  /**
   * How feedback becomes training and holdout examples.
   *
   * @param holdoutPercent share of the feedback images held out, chosen by content hash
   * @param minHoldout fewest holdout images worth evaluating on
   * @param maxTrainImages most feedback training images one round trains on (a fresh sample of
   *     them when the dataset holds more), which bounds a round's time as feedback accumulates
   * @param maxImageBytes largest feedback image accepted
   * @param mirror also train on left-right mirrored feedback images
   */
  public record FeedbackUse(
      int holdoutPercent, int minHoldout, int maxTrainImages, long maxImageBytes, boolean mirror) {}

  /** The topics a round reads feedback from, dead-letters rejects to and publishes versions on. */
  public record Topics(String feedback, String deadLetters, String modelUpdates) {}

  /** Whose logits the replay examples are distilled towards. */
  public enum Teacher {
    /** The version being fine-tuned (the served one). */
    PARENT,
    /** The first version of its lineage in the store (the parent itself if it has none). */
    FIRST
  }

  /** How a round ended. */
  public enum Verdict {
    /** Not enough feedback yet to train and evaluate. */
    SKIPPED,
    /** Trained; the candidate was not better by the margin, or lost too much on the reference set. */
    KEPT,
    /** The candidate is the new version. */
    PROMOTED,
    /**
     * The candidate passed the gate, but the served version changed while it trained (a roll
     * back, a promotion through the API or by another job): it was compared with a version that
     * is no longer served, so it was not published.
     */
    SUPERSEDED,
    /** Something failed (the served version would not load, the broker, the disk); see the decision. */
    FAILED;

    /** The value of the {@code result} tag on {@code vidlabel.finetune.rounds}. */
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * What a round did.
   *
   * @param parentVersion version fine-tuned from, or null if the round failed before choosing it
   * @param collected what feedback collection did, or null if the round failed before it
   * @param result the fine-tuning numbers, or null if there was not enough feedback
   * @param promotedVersion the new version, or null
   * @param decision one line: why it was or was not promoted
   */
  public record Outcome(
      String model,
      String parentVersion,
      FeedbackCollector.Report collected,
      int trainImages,
      int holdoutImages,
      FineTuner.Result result,
      String promotedVersion,
      String decision,
      Verdict verdict) {}

  private static final double ROUNDING = 1e-9;

  private final Settings settings;
  private final Properties clientProperties;
  private final FineTuneMetrics metrics;

  /** Settings from the service configuration ({@code vidlabel.finetune.*} and friends). */
  public static Settings settings(io.vidlabel.config.VidlabelConfig config) {
    Path modelDir = Path.of(config.model().path());
    ModelDescriptor configured = ModelDescriptor.read(modelDir);
    ModelStore store = io.vidlabel.service.RunningClassifier.modelStore(config);
    store.adopt(modelDir);
    var f = config.finetune();
    return new Settings(
        configured.name(),
        configured.version(),
        new Places(store, Path.of(f.dataset()), Path.of(f.cache()), Path.of(f.fashionMnistDir())),
        new FeedbackUse(f.holdoutPercent(), f.minHoldout(), f.maxTrainImages(), f.maxImageBytes(), f.mirror()),
        new FineTuner.Settings(f.trainBlocks().orElse(FineTuner.Settings.LAST_STAGE), f.epochs(), f.batchSize(), f.learningRate(), f.weightDecay(),
            f.anchoredDecay(), f.distillation(), f.seed()),
        f.distillFrom(),
        f.replay(),
        f.promotionMargin(),
        f.maxReferenceDrop(),
        f.keepVersions(),
        new Topics(config.topics().feedback(), config.topics().deadLetters(), config.topics().modelUpdates()));
  }


  public FineTuneJob(Settings settings, Properties clientProperties) {
    this(settings, clientProperties, new SimpleMeterRegistry());
  }

  /** As above, with the job's meters registered in {@code registry}. */
  public FineTuneJob(Settings settings, Properties clientProperties, MeterRegistry registry) {
    this.settings = settings;
    this.clientProperties = clientProperties;
    this.metrics = new FineTuneMetrics(registry);
  }

  /** Collects feedback, fine-tunes, and promotes if the candidate is better. */
  public Outcome runOnce(PrintStream progress) {
    return runOnce(progress, false);
  }

  /**
   * As {@link #runOnce(PrintStream)}; with {@code rebuild} the dataset is first deleted and read
   * again from the start of the topic, without dead-lettering again what was rejected before.
   *
   * <p>A round that fails does not throw: it ends {@link Verdict#FAILED} with the reason, is
   * counted, and leaves nothing half done that a later round depends on (the dataset's offsets
   * move only with the images they cover, and a version is published only once it is installed).
   */
  public Outcome runOnce(PrintStream progress, boolean rebuild) {
    long start = System.nanoTime();
    Outcome outcome;
    try {
      if (rebuild) {
        deleteDataset(progress);
      }
      outcome = round(progress, !rebuild);
    } catch (RuntimeException e) {
      String why = "round failed: " + reason(e);
      progress.println("finetune: " + why);
      outcome = new Outcome(settings.modelName(), null, null, 0, 0, null, null, why, Verdict.FAILED);
    }
    if (outcome.verdict() != Verdict.FAILED) {
      tidy(progress);
    }
    metrics.round(outcome.verdict().tag(), Duration.ofNanos(System.nanoTime() - start), outcome.result());
    return outcome;
  }

  /**
   * Clears what the served version no longer needs: every other version's prefix outputs (about
   * 450 MB at the default settings; the next round starts from the served version) and the store's
   * versions that neither roll back nor promotion will ask for ({@link ModelStore#retire}). A
   * failure here is reported and does not change the round's outcome.
   */
  private void tidy(PrintStream progress) {
    String served;
    try {
      served = servedVersion();
    } catch (RuntimeException e) {
      progress.println("finetune: could not read the served version to tidy up after the round: " + reason(e));
      return;
    }
    tidy(served, progress);
  }

  /**
   * The version under which the next round from {@code served} finds its prefix outputs
   * ({@link FineTuner#sharingPrefixWith}); {@code served} itself if its model.json cannot be read.
   */
  private String prefixVersion(String served) {
    try {
      ModelStore store = settings.places().store();
      ModelDescriptor model = ModelDescriptor.read(store.directory(settings.modelName(), served));
      return FineTuner.prefixVersion(store.lineage(model), settings.training());
    } catch (RuntimeException e) {
      return served;
    }
  }

  /** {@link #tidy(PrintStream)} once the served version is known. */
  void tidy(String served, PrintStream progress) {
    try {
      String kept = prefixVersion(served);
      long freed = new FeatureCache(settings.places().cacheDir()).retainOnly(settings.modelName(), kept);
      if (freed > 0) {
        progress.printf(Locale.ROOT, "finetune: feature cache: %.0f MB of versions other than %s deleted%n",
            freed / 1e6, kept);
      }
    } catch (RuntimeException e) {
      progress.println(
          "finetune: could not prune the feature cache in " + settings.places().cacheDir() + ": " + reason(e));
    }
    try {
      List<String> retired = settings.places().store().retire(settings.modelName(), served, settings.keepVersions());
      if (!retired.isEmpty()) {
        progress.printf(Locale.ROOT, "finetune: model store: version%s %s deleted; kept the served version %s and"
            + " up to %d of its ancestors%n", retired.size() == 1 ? "" : "s", String.join(", ", retired), served,
            settings.keepVersions() - 1);
      }
    } catch (RuntimeException e) {
      progress.println(
          "finetune: could not retire old versions in " + settings.places().store().root() + ": " + reason(e));
    }
  }

  private void deleteDataset(PrintStream progress) {
    if (Files.exists(settings.places().datasetDir())) {
      try {
        Directories.delete(settings.places().datasetDir());
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot delete the dataset " + settings.places().datasetDir() + ": " + e.getMessage(), e);
      }
      progress.println("finetune: rebuilding the dataset from the start of " + settings.topics().feedback());
    }
  }

  /** The exception's message and its causes', on one line. */
  private static String reason(Throwable e) {
    StringBuilder out = new StringBuilder();
    for (Throwable t = e; t != null && out.length() < 500; t = t.getCause()) {
      String message = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
      if (out.indexOf(message) < 0) {
        out.append(out.length() == 0 ? "" : ": ").append(message);
      }
    }
    return out.toString().replace('\n', ' ');
  }

  /** The version {@code video.model-updates} says is served, or the configured one if it names none. */
  private String servedVersion() {
    return ModelUpdates.latest(clientProperties, settings.topics().modelUpdates(), settings.modelName())
        .map(ModelUpdate::version)
        .orElse(settings.fallbackVersion());
  }

  private Outcome round(PrintStream progress, boolean deadLetter) {
    ModelUpdates.ensureTopic(clientProperties, settings.topics().modelUpdates());
    String name = settings.modelName();
    String version = servedVersion();
    Path parentDir = settings.places().store().directory(name, version);
    ModelDescriptor parent = ModelDescriptor.read(parentDir);
    FeedbackImages images = new FeedbackImages(
        parent, io.vidlabel.decode.DecodeLimits.defaults(), settings.feedback().maxImageBytes());
    FeedbackDataset dataset =
        FeedbackDataset.open(settings.places().datasetDir(), settings.feedback().holdoutPercent());
    FeedbackCollector.Report report = new FeedbackCollector(
        clientProperties, settings.topics().feedback(), settings.topics().deadLetters(), images)
        .collect(dataset, deadLetter);
    metrics.collected(report);
    progress.printf(Locale.ROOT,
        "finetune: feedback: %d new, %d duplicates, %d relabelled, %d rejected %s; dataset %d images%n",
        report.accepted(), report.duplicates(), report.relabelled(), report.rejectedTotal(),
        report.rejected(), report.datasetSize());

    List<Entry> trainEntries = dataset.entries(Split.TRAIN);
    List<Entry> sampled = sample(trainEntries, settings.feedback().maxTrainImages(), settings.training().seed());
    if (sampled.size() < trainEntries.size()) {
      progress.printf(Locale.ROOT, "finetune: training on a random %d of the %d training images (max-train-images)%n",
          sampled.size(), trainEntries.size());
    }
    List<FineTuner.Example> train = examples(sampled, images, dataset);
    List<FineTuner.Example> holdout = examples(dataset.entries(Split.HOLDOUT), images, dataset);
    if (train.size() < settings.training().batchSize() || holdout.size() < settings.feedback().minHoldout()) {
      String why = String.format(Locale.ROOT,
          "not enough feedback yet: %d training and %d holdout images (need %d and %d)",
          train.size(), holdout.size(), settings.training().batchSize(), settings.feedback().minHoldout());
      progress.println("finetune: " + why);
      return new Outcome(name, version, report, train.size(), holdout.size(), null, null, why, Verdict.SKIPPED);
    }
    List<FineTuner.Example> learn = new ArrayList<>(train);
    if (settings.feedback().mirror()) {
      learn.addAll(FineTuner.mirrored(train, parent.inputWidth(), parent.inputHeight()));
    }
    List<ModelDescriptor> line = settings.places().store().lineage(parent);
    ModelDescriptor lineage = withLineageData(line);
    Replay replay = Replay.parse(settings.replay(), lineage, settings.places().fashionMnistDir(), progress);

    Path work = workDir();
    try {
      Path teacher =
          settings.distillFrom() == Teacher.FIRST ? firstOfLineage(parentDir, settings.places().store()) : parentDir;
      FineTuner tuner = new FineTuner(
          parent, parentDir, settings.training(), new FeatureCache(settings.places().cacheDir()), teacher)
          .sharingPrefixWith(line);
      FineTuner.Result result = tuner.run(learn, replay.train(), holdout, replay.reference(), work, progress);
      double baseline = baselineReference(parent, result);
      String decision = decide(result, baseline, settings.promotionMargin(), settings.maxReferenceDrop());
      if (decision != null) {
        progress.println("finetune: not promoted: " + decision);
        return new Outcome(
            name, version, report, train.size(), holdout.size(), result, null, "not promoted: " + decision, Verdict.KEPT);
      }
      // The gate compared the candidate with the version served when the round began; publishing
      // it over another one would undo a roll back or an operator's choice unseen.
      String servedNow = servedVersion();
      if (!servedNow.equals(version)) {
        String why = String.format(Locale.ROOT,
            "not promoted: the served version changed from %s to %s during the round, and the candidate was"
                + " compared with %s only; the next round starts from %s",
            version, servedNow, version, servedNow);
        progress.println("finetune: " + why);
        return new Outcome(name, version, report, train.size(), holdout.size(), result, null, why, Verdict.SUPERSEDED);
      }
      String promoted = promote(parent, lineage, tuner.spec(), result, baseline, train.size(), holdout.size(), replay);
      String why = String.format(Locale.ROOT, "promoted %s: holdout top-1 %.2f%% -> %.2f%%", promoted,
          100 * result.parentHoldoutAccuracy(), 100 * result.candidateHoldoutAccuracy());
      progress.println("finetune: " + why);
      return new Outcome(name, version, report, train.size(), holdout.size(), result, promoted, why, Verdict.PROMOTED);
    } finally {
      Directories.deleteQuietly(work);
    }
  }

  /**
   * The first version of {@code line} (a version and its ancestors in the store, nearest first,
   * as {@link ModelStore#lineage} lists them) whose {@code model.json} says what data the lineage
   * was trained on, or the version itself: versions promoted before they carried it (2026-11-24)
   * do not say it themselves. A lineage shares labels, input and normalisation, so the ancestor
   * feeds replay exactly as the version would.
   */
  static ModelDescriptor withLineageData(List<ModelDescriptor> line) {
    return line.stream().filter(d -> !Replay.lineageData(d).isEmpty()).findFirst().orElse(line.get(0));
  }

  /** The directory of the oldest ancestor of the version in {@code dir} that the store still holds ({@code dir} if none). */
  static Path firstOfLineage(Path dir, ModelStore store) {
    List<ModelDescriptor> line = store.lineage(ModelDescriptor.read(dir));
    ModelDescriptor first = line.get(line.size() - 1);
    return line.size() == 1 ? dir : store.directory(first.name(), first.version());
  }

  /**
   * The {@code model.json} metric holding the reference top-1 of the first version of a lineage:
   * every descendant is held to it, so a loop of promotions cannot forget step by step what no
   * single round may (ten rounds of 0.9 points each would otherwise lose 9).
   */
  static final String BASELINE_REFERENCE = "baselineReferenceTop1";

  /** The reference top-1 a candidate of {@code parent} is held to. */
  static double baselineReference(ModelDescriptor parent, FineTuner.Result r) {
    Object recorded = parent.metrics() == null ? null : parent.metrics().get(BASELINE_REFERENCE);
    return recorded instanceof Number n ? n.doubleValue() : r.parentReferenceAccuracy();
  }

  /**
   * Null if the candidate may be promoted, else the reason it may not: its holdout top-1 must beat
   * the parent's by {@code margin}, and its reference top-1 must not be more than {@code maxDrop}
   * below {@code baseline} (the lineage's first version's).
   */
  static String decide(FineTuner.Result r, double baseline, double margin, double maxDrop) {
    // Accuracies are ratios of whole images; compare with a tolerance so that a drop of exactly the
    // limit (10 of 1000 images at 1 point) counts as within it.
    double gain = r.candidateHoldoutAccuracy() - r.parentHoldoutAccuracy();
    if (gain < margin - ROUNDING) {
      return String.format(Locale.ROOT, "holdout top-1 %.2f%% -> %.2f%% is not %.2f points better",
          100 * r.parentHoldoutAccuracy(), 100 * r.candidateHoldoutAccuracy(), 100 * margin);
    }
    if (r.referenceExamples() > 0 && baseline - r.candidateReferenceAccuracy() > maxDrop + ROUNDING) {
      String fell = String.format(Locale.ROOT, "reference top-1 fell %.2f%% -> %.2f%%",
          100 * r.parentReferenceAccuracy(), 100 * r.candidateReferenceAccuracy());
      return Math.abs(baseline - r.parentReferenceAccuracy()) < ROUNDING
          ? String.format(Locale.ROOT, "%s (more than %.2f points)", fell, 100 * maxDrop)
          : String.format(Locale.ROOT, "%s, more than %.2f points below the lineage's first version (%.2f%%)",
              fell, 100 * maxDrop, 100 * baseline);
    }
    return null;
  }

  /**
   * Installs and publishes the candidate as the next version after {@code parent}; {@code lineage}
   * is the version (the parent or an ancestor) that says what data the lineage was trained on.
   */
  private String promote(
      ModelDescriptor parent, ModelDescriptor lineage, ResNetSpec spec, FineTuner.Result r, double baseline,
      int trainImages, int holdoutImages, Replay replay) {
    ModelStore store = settings.places().store();
    String version = store.nextVersion(parent.name());
    Path staging = store.staging(parent.name());
    try {
      ModelExporter.writeSavedModel(spec, r.checkpoint(), staging, ResNetSpec.stageName(spec.stages() - 1));
      Map<String, Object> training = new LinkedHashMap<>();
      training.put("method", "finetune");
      training.putAll(Replay.lineageData(lineage));
      training.put("cut", r.cut());
      training.put("trainableParameters", r.trainableParameters());
      training.put("feedbackTrainImages", trainImages);
      training.put("feedbackHoldoutImages", holdoutImages);
      training.put("replayImages", replay.train().size());
      training.put("epochs", settings.training().epochs());
      training.put("learningRate", settings.training().learningRate());
      training.put("distillation", settings.training().distillation());
      training.put("seed", settings.training().seed());
      Map<String, Object> metrics = new LinkedHashMap<>();
      metrics.put("holdoutTop1", r.candidateHoldoutAccuracy());
      metrics.put("parentHoldoutTop1", r.parentHoldoutAccuracy());
      if (r.referenceExamples() > 0) {
        metrics.put("referenceTop1", r.candidateReferenceAccuracy());
        metrics.put("parentReferenceTop1", r.parentReferenceAccuracy());
        metrics.put(BASELINE_REFERENCE, baseline);
      }
      metrics.put("trainSeconds", r.trainSeconds());
      ModelDescriptor d = parent.derive(version, parent.version(), training, metrics)
          .withChecksum(ModelChecksum.compute(staging));
      d.write(staging);
      store.install(staging, parent.name(), version);
      ModelUpdates.publish(clientProperties, settings.topics().modelUpdates(), new ModelUpdate(
          parent.name(), version, d.checksum(), ModelUpdate.PROMOTE, parent.version(),
          String.format(Locale.ROOT, "fine-tuned on %d feedback images: holdout top-1 %.4f -> %.4f",
              trainImages, r.parentHoldoutAccuracy(), r.candidateHoldoutAccuracy()),
          metrics, System.currentTimeMillis()));
      return version;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the promoted model: " + e.getMessage(), e);
    } finally {
      if (Files.exists(staging)) {
        Directories.deleteQuietly(staging);
      }
    }
  }

  /**
   * At most {@code max} of {@code entries}, chosen at random but reproducibly: the choice depends on
   * the seed and on how many entries there are, so each round on a grown dataset trains on another
   * sample, and over rounds on all of it.
   */
  static List<Entry> sample(List<Entry> entries, int max, long seed) {
    if (entries.size() <= max) {
      return entries;
    }
    List<Entry> shuffled = new ArrayList<>(entries);
    Collections.shuffle(shuffled, new Random(seed * 1_000_003L + entries.size()));
    return List.copyOf(shuffled.subList(0, max));
  }

  /** Decodes the images as model input; an image that no longer decodes is skipped. */
  private static List<FineTuner.Example> examples(List<Entry> entries, FeedbackImages images, FeedbackDataset dataset) {
    List<FineTuner.Example> out = new ArrayList<>();
    for (Entry e : entries) {
      try {
        out.add(new FineTuner.Example(e.hash(), images.labelIndex(e.label()), images.pixels(dataset.read(e))));
      } catch (FeedbackException skipped) {
        // accepted under an earlier model with other labels or limits; the record stays in the dataset
      }
    }
    return out;
  }

  private static Path workDir() {
    try {
      return Files.createTempDirectory("vidlabel-finetune");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a work directory", e);
    }
  }
}
