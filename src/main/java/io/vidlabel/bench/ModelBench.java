package io.vidlabel.bench;

import io.vidlabel.decode.VideoFrame;
import io.vidlabel.inference.LoadedModel;
import io.vidlabel.inference.ModelBatchHandler;
import io.vidlabel.inference.Precision;
import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.training.FashionMnist.Split;
import io.vidlabel.training.FashionMnist;
import io.vidlabel.training.ImageSet;
import io.vidlabel.training.ModelExporter;
import io.vidlabel.training.Normalisation;
import io.vidlabel.training.TensorFlowRuntime;
import io.vidlabel.training.TrainConfig;
import io.vidlabel.training.Trainer;
import io.vidlabel.training.resnet.ResNetBuilder.Mode;
import io.vidlabel.training.resnet.ResNetBuilder;
import io.vidlabel.training.resnet.ResNetSpec.BlockType;
import io.vidlabel.training.resnet.ResNetSpec;
import io.vidlabel.training.resnet.VariableStore;
import io.vidlabel.util.Directories;
import io.vidlabel.util.SideBySide;
import io.vidlabel.util.Stats;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Training and inference images/s of the project's code paths against a bare TensorFlow session
 * running the same graph, side by side in one run.
 *
 * <p>Training. Project side: {@link Trainer.Steps}, which is what {@code train} runs: the epoch's
 * shuffle, then per step the next batch augmented on the host (random crop, flip, normalisation),
 * copied into the input tensors, and one session call that runs the optimiser step and fetches
 * the batch's loss and correct count. Bare side: a second {@link Session} on the trainer's graph
 * (its own variables, from the same seeded initial values) that runs {@link Trainer#TRAIN_STEP}
 * on image, label and learning-rate tensors built once before timing; no host work per step.
 *
 * <p>Inference. Project side: the service's {@link ModelBatchHandler}, which is what the batcher
 * calls: the DJL predictor turns RGB frames into a normalised tensor, runs the SavedModel and ranks
 * every frame's scores into labels. Bare side: {@link BareModel}, a {@link SavedModelBundle} on
 * the same directory, {@code Session.runner} fed one tensor built before timing and fetching the
 * same output. Inference is measured twice: the service in {@link Precision#FP32}, then in {@link
 * Precision#BF16}, each against the same float32 bare session, so the second ratio is what the
 * bfloat16 option buys the service.
 *
 * <p>Each side first runs one untimed repetition (graph optimisation, allocation, JIT). Then the
 * repetitions alternate which side goes first, so drift on a shared machine hits both sides alike,
 * and each side reports its median repetition. Both sides use a fixed learning rate of {@value
 * #LEARNING_RATE}: small enough that random-weight networks do not diverge within a benchmark.
 */
public final class ModelBench {

  /** The default model's network (models/fashion-resnet/1, see its model.json). */
  public static final ResNetSpec DEFAULT_SPEC = ResNetSpec.smallImage(29, 16, BlockType.BOTTLENECK);

  /** Default model: the training batch of its real run, serving batches of 32. */
  public static final Workload DEFAULT_MODEL_WORKLOAD = new Workload(5, 128, 8, 32, 32);

  /**
   * ResNet-50 at 224x224: a few images/s to train on two cores, so small batches and few steps
   * keep it to about two minutes.
   */
  public static final Workload RESNET50_WORKLOAD = new Workload(3, 8, 3, 8, 4);

  private static final float LEARNING_RATE = 0.01f;

  private static final long SEED = 1L;
  /** Labels of the synthetic images stay well inside {@link ImageSet#MAX_CLASSES}. */
  private static final int MAX_SYNTHETIC_CLASSES = 128;

  /** What is measured. */
  public enum Phase {
    TRAINING,
    INFERENCE
  }

  /**
   * How much work one network gets.
   *
   * @param repetitions timed repetitions per side (after one untimed warm-up repetition each)
   * @param trainingBatch images per training step
   * @param trainingSteps training steps per repetition
   * @param inferenceBatch images per inference call
   * @param inferenceBatches inference calls per repetition
   */
  public record Workload(
      int repetitions, int trainingBatch, int trainingSteps, int inferenceBatch, int inferenceBatches) {

    public Workload {
      if (repetitions < 1 || trainingBatch < 1 || trainingSteps < 1 || inferenceBatch < 1 || inferenceBatches < 1) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "every workload number must be positive: %d repetitions, training %d x %d, inference %d x %d",
            repetitions, trainingBatch, trainingSteps, inferenceBatch, inferenceBatches));
      }
    }

    /** This workload with the given numbers replaced; null keeps a number. */
    public Workload overriddenBy(Integer newRepetitions, Integer newTrainingSteps, Integer newInferenceBatches) {
      return new Workload(
          newRepetitions != null ? newRepetitions : repetitions,
          trainingBatch,
          newTrainingSteps != null ? newTrainingSteps : trainingSteps,
          inferenceBatch,
          newInferenceBatches != null ? newInferenceBatches : inferenceBatches);
    }

    int trainingImagesPerRepetition() {
      return trainingBatch * trainingSteps;
    }
  }

  /**
   * A network to measure.
   *
   * @param name name in the table
   * @param spec the network; the training graph is built from it
   * @param trainingImages what the trainer feeds: grey images of the spec's input size, at least
   *     one repetition's worth
   * @param servedModel an exported model of the same architecture, or null to export seeded random
   *     weights of {@code spec} into a scratch directory
   * @param workload batches, steps and repetitions
   */
  public record Network(String name, ResNetSpec spec, ImageSet trainingImages, Path servedModel, Workload workload) {}

  /**
   * One phase of one network: the project's path against a bare session.
   *
   * @param input height x width x channels of the network
   * @param precision the project side's; training and the bare side always run in float32
   * @param batchesPerRepetition training steps or inference calls per repetition
   * @param projectImages images the project side processed in the timed repetitions
   * @param bareImages images the bare side processed in the timed repetitions
   * @param projectImagesPerSecond median over the repetitions
   * @param bareImagesPerSecond median over the repetitions
   * @param ratio project / bare (of the medians)
   * @param ratioLowest lowest project / bare of one repetition (both sides back to back)
   * @param ratioHighest highest project / bare of one repetition; the spread shows the run's noise
   */
  public record Row(
      String network,
      String architecture,
      String input,
      Phase phase,
      Precision precision,
      int batchSize,
      int batchesPerRepetition,
      int repetitions,
      long projectImages,
      long bareImages,
      double projectImagesPerSecond,
      double bareImagesPerSecond,
      double ratio,
      double ratioLowest,
      double ratioHighest) {}

  private ModelBench() {}

  /**
   * The default model's network: trained on the first Fashion-MNIST training images as {@code
   * train} feeds them, served from {@code modelDir}.
   */
  public static Network defaultModel(Path modelDir, Path fashionMnist, Workload workload) throws IOException {
    ImageSet images = FashionMnist.load(fashionMnist, Split.TRAIN, workload.trainingImagesPerRepetition());
    return new Network("default model", DEFAULT_SPEC, images, modelDir, workload);
  }

  /**
   * ResNet-50 (He et al. 2015) at 224x224x3 with 1000 classes and random weights. No 224 px dataset
   * exists here, so the trainer feeds random grey images with random labels; its feeding replicates
   * grey into the three channels.
   */
  public static Network resnet50(Workload workload) {
    ResNetSpec spec = ResNetSpec.imagenet(50);
    ImageSet images = randomImages(
        spec.inputHeight(), spec.inputWidth(), workload.trainingImagesPerRepetition(), spec.classes());
    return new Network("ResNet-50", spec, images, null, workload);
  }

  /** Random grey images with labels spread over the first classes (at most 128). */
  public static ImageSet randomImages(int rows, int cols, int count, int classes) {
    Random random = new Random(SEED);
    byte[] pixels = new byte[count * rows * cols];
    random.nextBytes(pixels);
    byte[] labels = new byte[count];
    for (int i = 0; i < count; i++) {
      labels[i] = (byte) random.nextInt(Math.min(classes, MAX_SYNTHETIC_CLASSES));
    }
    List<String> names = new ArrayList<>();
    for (int c = 0; c < Math.min(classes, MAX_SYNTHETIC_CLASSES); c++) {
      names.add("class-" + c);
    }
    return ImageSet.gray(pixels, labels, count, rows, cols, names);
  }

  /** Measures training, then inference, of every network in turn. */
  public static List<Row> run(List<Network> networks, PrintStream progress) throws Exception {
    TensorFlowRuntime.ensureLoaded();
    List<Row> rows = new ArrayList<>();
    for (Network network : networks) {
      Path scratch = Files.createTempDirectory("vidlabel-model-bench");
      try {
        progress.printf(Locale.ROOT, "bench: %s (%s) training, project vs bare session ...%n",
            network.name(), network.spec().architecture());
        rows.add(training(network, scratch));
        Path served = network.servedModel() != null
            ? network.servedModel()
            : exportRandomWeights(network.spec(), scratch.resolve("export"));
        for (Precision precision : Precision.values()) {
          progress.printf(Locale.ROOT, "bench: %s (%s) inference, service in %s vs bare session ...%n",
              network.name(), network.spec().architecture(), precision);
          rows.add(inference(network, served, precision));
        }
      } finally {
        Directories.deleteQuietly(scratch);
      }
    }
    return rows;
  }

  private static Row training(Network network, Path scratch) throws Exception {
    ResNetSpec spec = network.spec();
    Workload w = network.workload();
    int batch = w.trainingBatch();
    // The trainer writes into its run directory only in train(), which is not called here.
    TrainConfig config = TrainConfig.builder(spec, scratch.resolve("run")).batchSize(batch).seed(SEED).build();
    try (Trainer trainer = new Trainer(config);
        Trainer.Steps steps = trainer.steps(network.trainingImages(), batch);
        Session bare = new Session(trainer.graph());
        TFloat32 images = randomTensor(Shape.of(batch, spec.inputHeight(), spec.inputWidth(), spec.channels()));
        TFloat32 labels = oneHot(batch, spec.classes());
        TFloat32 rate = TFloat32.scalarOf(LEARNING_RATE)) {
      if (steps.stepsPerEpoch() < w.trainingSteps()) {
        throw new IllegalArgumentException(network.name() + ": " + network.trainingImages().count()
            + " training images hold fewer than " + w.trainingSteps() + " batches of " + batch);
      }
      SideBySide.Work project = repetition -> {
        steps.startEpoch(repetition);
        for (int s = 0; s < w.trainingSteps(); s++) {
          steps.run(s, LEARNING_RATE);
        }
        return (long) w.trainingSteps() * steps.batchSize();
      };
      SideBySide.Work bareSession = repetition -> {
        long done = 0;
        for (int s = 0; s < w.trainingSteps(); s++) {
          bare.runner()
              .feed(Trainer.IMAGES, images)
              .feed(Trainer.LABELS, labels)
              .feed(Trainer.LEARNING_RATE, rate)
              .addTarget(Trainer.TRAIN_STEP)
              .run()
              .close();
          done += images.shape().get(0);
        }
        return done;
      };
      return row(network, Phase.TRAINING, Precision.FP32, batch, w.trainingSteps(),
          compare(project, bareSession, w.repetitions()));
    }
  }

  private static Row inference(Network network, Path dir, Precision precision) throws Exception {
    ResNetSpec spec = network.spec();
    Workload w = network.workload();
    try (LoadedModel model = LoadedModel.load(dir, precision);
        ModelBatchHandler handler = new ModelBatchHandler(model);
        BareModel bare = new BareModel(dir, model.descriptor(), w.inferenceBatch(), SEED)) {
      ModelDescriptor d = model.descriptor();
      if (!spec.architecture().equals(d.architecture())) {
        throw new IllegalArgumentException(dir + " holds a " + d.architecture() + ", not the "
            + spec.architecture() + " whose training is measured");
      }
      List<VideoFrame> frames = BatcherBench.randomFrames(d, w.inferenceBatch());
      SideBySide.Work project = repetition -> {
        long done = 0;
        for (int b = 0; b < w.inferenceBatches(); b++) {
          done += handler.handle(frames).size();
        }
        return done;
      };
      SideBySide.Work bareSide = repetition -> {
        long done = 0;
        for (int b = 0; b < w.inferenceBatches(); b++) {
          done += bare.runBatch();
        }
        return done;
      };
      return row(network, Phase.INFERENCE, precision, w.inferenceBatch(), w.inferenceBatches(),
          compare(project, bareSide, w.repetitions()));
    }
  }

  /** Images of both sides and their per-repetition rates (project = a, bare = b). */
  private record Measured(long projectImages, long bareImages, SideBySide.Rates rates) {}

  /** A warm-up of each side (repetition 0), then repetitions 1.. taking turns. */
  private static Measured compare(SideBySide.Work project, SideBySide.Work bare, int repetitions)
      throws Exception {
    project.run(0);
    bare.run(0);
    LongAdder projectImages = new LongAdder();
    LongAdder bareImages = new LongAdder();
    SideBySide.Rates rates = SideBySide.alternate(repetitions,
        SideBySide.itemsPerSecond(r -> project.run(r + 1), projectImages),
        SideBySide.itemsPerSecond(r -> bare.run(r + 1), bareImages));
    return new Measured(projectImages.sum(), bareImages.sum(), rates);
  }

  private static Row row(
      Network network, Phase phase, Precision precision, int batch, int batches, Measured m) {
    ResNetSpec spec = network.spec();
    double project = Stats.median(m.rates().a());
    double bare = Stats.median(m.rates().b());
    return new Row(
        network.name(),
        spec.architecture(),
        spec.inputHeight() + "x" + spec.inputWidth() + "x" + spec.channels(),
        phase,
        precision,
        batch,
        batches,
        m.rates().repetitions(),
        m.projectImages(),
        m.bareImages(),
        project,
        bare,
        project / bare,
        m.rates().lowestRatio(),
        m.rates().highestRatio());
  }

  /**
   * Exports seeded random weights of {@code spec} the way {@code train} exports trained ones: a
   * checkpoint of an initialised graph, then {@link ModelExporter}.
   */
  public static Path exportRandomWeights(ResNetSpec spec, Path dir) throws IOException {
    Path checkpoints = dir.resolve("checkpoints");
    Files.createDirectories(checkpoints);
    Path prefix = checkpoints.resolve(Trainer.CHECKPOINT);
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> images = tf.placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, spec.inputHeight(), spec.inputWidth(), spec.channels())));
      ResNetBuilder.builder(spec).optMode(Mode.INFERENCE).build(tf, VariableStore.initialized(tf, SEED), images);
      try (Session session = new Session(graph)) {
        session.initialize();
        session.save(prefix.toString());
      }
    }
    Path model = dir.resolve("model");
    List<String> labels = IntStream.range(0, spec.classes()).mapToObj(i -> "class " + i).toList();
    ModelExporter.export(spec, prefix, model, ResNetSpec.stageName(spec.stages() - 1),
        new ModelExporter.Descriptor("random-" + spec.depth(), "1", labels,
            new Normalisation(new float[] {0.5f}, new float[] {0.25f}),
            Map.of("weights", "random, seed " + SEED), Map.of(), null));
    return model;
  }

  /** The rows as a Markdown table; the phase of a bfloat16 row reads "inference bf16". */
  public static String markdown(List<Row> rows) {
    StringBuilder out = new StringBuilder();
    out.append("| network | input | phase | batch | reps x images | project images/s | bare TF images/s | project / bare | per rep |\n");
    out.append("|---------|-------|-------|------:|--------------:|-----------------:|-----------------:|---------------:|--------:|\n");
    for (Row r : rows) {
      out.append(String.format(Locale.ROOT, "| %s (%s) | %s | %s | %d | %d x %d | %.1f | %.1f | %.2f | %.2f-%.2f |%n",
          r.network(), r.architecture(), r.input(), phaseName(r),
          r.batchSize(), r.repetitions(), r.projectImages() / r.repetitions(),
          r.projectImagesPerSecond(), r.bareImagesPerSecond(), r.ratio(), r.ratioLowest(), r.ratioHighest()));
    }
    return out.toString();
  }

  private static String phaseName(Row r) {
    String phase = r.phase().name().toLowerCase(Locale.ROOT);
    return r.precision() == Precision.FP32 ? phase : phase + " " + r.precision().name().toLowerCase(Locale.ROOT);
  }

  private static TFloat32 randomTensor(Shape shape) {
    return BareModel.randomTensor(shape, SEED);
  }

  private static TFloat32 oneHot(int batch, int classes) {
    float[] values = new float[batch * classes];
    for (int i = 0; i < batch; i++) {
      values[i * classes + i % classes] = 1f;
    }
    return TensorFlowRuntime.tensor(Shape.of(batch, classes), values);
  }
}
