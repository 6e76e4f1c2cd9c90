package io.vidlabel.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vidlabel.training.FashionMnist.Split;
import io.vidlabel.training.resnet.ResNet;
import io.vidlabel.training.resnet.ResNetBuilder.Mode;
import io.vidlabel.training.resnet.ResNetBuilder;
import io.vidlabel.training.resnet.VariableStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Trains a ResNet on labelled images (Fashion-MNIST, or a folder of images per class) with SGD +
 * momentum on the TensorFlow graph API.
 *
 * <p>One graph holds two towers that share variables: a training tower (batch statistics, moving
 * average updates, gradients) and an inference tower (moving statistics) for evaluation. A step
 * runs the training tower, applies {@code ApplyMomentum} to every trainable variable and updates
 * the batch-norm moving averages. The updates wait for all gradients (control dependencies), so
 * no backward op reads a weight that was already changed in the same step.
 *
 * <p>Weight decay is added to the gradient (see {@link MomentumSgd}), so the reported loss is the
 * pure cross-entropy.
 *
 * <p>Reproducibility: the seed fixes initial weights (seeded init ops), the shuffle of every epoch
 * and every augmentation decision, each derived from (seed, epoch), so a resumed run sees the same
 * batches as an uninterrupted one. Multithreaded TensorFlow kernels can still differ in the last
 * float bits between runs.
 */
public final class Trainer implements AutoCloseable {

  /** Checkpoint prefix inside {@code <out>/checkpoints}. */
  public static final String CHECKPOINT = "ckpt";

  /** Training-graph placeholder of the images, [N, H, W, C] float32, normalised. */
  public static final String IMAGES = "images";
  /** Training-graph placeholder of the one-hot labels, [N, classes] float32. */
  public static final String LABELS = "labels";
  /** Training-graph placeholder of the learning rate, a float32 scalar. */
  public static final String LEARNING_RATE = "learning_rate";
  /** Training-graph op that runs one optimiser step (gradients, momentum, batch-norm averages). */
  public static final String TRAIN_STEP = "optimizer/train_step";

  private static final String STATE_FILE = "state.json";
  private static final long PROGRESS_INTERVAL_NANOS = 10_000_000_000L;
  private static final int EVAL_BATCH = 500;

  private final TrainConfig config;
  private final Graph graph;
  private final Session session;
  private final Placeholder<TFloat32> images;
  private final Placeholder<TFloat32> labels;
  private final Placeholder<TFloat32> learningRate;
  private final Operand<TFloat32> loss;
  private final Operand<TFloat32> correct;
  private final Op trainStep;
  private final Placeholder<TFloat32> evalImages;
  private final Operand<TFloat32> evalProbabilities;
  private final ResNet trainTower;

  /** Per-epoch numbers. */
  /**
   * @param loss mean training cross-entropy over the epoch
   * @param accuracy training accuracy over the epoch (augmented images, batch statistics)
   * @param monitorAccuracy top-1 on the monitor set after the epoch, or null if not evaluated
   */
  public record EpochStats(
      int epoch, double loss, double accuracy, double imagesPerSecond, double seconds, Double monitorAccuracy) {}

  /**
   * One training step.
   *
   * @param loss mean cross-entropy over the batch
   * @param correct images of the batch the training tower classified correctly
   */
  public record StepResult(float loss, float correct) {}

  /**
   * What a run produced.
   *
   * @param checkpointPrefix pass to {@code Session.restore} or {@link ModelExporter}
   * @param history one entry per epoch run in this process
   * @param trainedImages training images per epoch
   */
  public record TrainResult(Path checkpointPrefix, int epochs, List<EpochStats> history, int trainedImages) {}

  public Trainer(TrainConfig config) {
    TensorFlowRuntime.ensureLoaded();
    this.config = config;
    var spec = config.spec();
    this.graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      Shape input = Shape.of(-1, spec.inputHeight(), spec.inputWidth(), spec.channels());
      VariableStore store = VariableStore.initialized(tf, config.seed());
      images = tf.withName(IMAGES).placeholder(TFloat32.class, Placeholder.shape(input));
      labels = tf.withName(LABELS).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, spec.classes())));
      learningRate = tf.withName(LEARNING_RATE).placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      Ops train = tf.withSubScope("train");
      trainTower = ResNetBuilder.builder(spec).optMode(Mode.TRAINING).build(train, store, images);
      loss = train.math.mean(
          train.nn.softmaxCrossEntropyWithLogits(trainTower.logits(), labels).loss(), train.constant(0));
      correct = train.sum(
          train.dtypes.cast(
              train.math.equal(
                  train.math.argMax(trainTower.logits(), train.constant(1)),
                  train.math.argMax(labels, train.constant(1))),
              TFloat32.class),
          train.constant(0));
      trainStep = new MomentumSgd(config.momentum(), config.nesterov(), config.weightDecay())
          .minimize(tf.withSubScope("optimizer"), store, trainTower, loss, learningRate);

      Ops eval = tf.withSubScope("eval");
      evalImages = tf.withName("eval_images").placeholder(TFloat32.class, Placeholder.shape(input));
      evalProbabilities = eval.nn.softmax(
          ResNetBuilder.builder(spec).optMode(Mode.INFERENCE).build(eval, store, evalImages).logits());
      session = new Session(graph);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /**
   * Trains on the Fashion-MNIST training split in the configured directory for the configured
   * epochs (continuing a checkpoint if asked), saving checkpoints.
   */
  public TrainResult train(PrintStream progress) throws IOException {
    return train(progress, FashionMnist.load(config.dataDir(), Split.TRAIN, config.limit()), null, 0);
  }

  /**
   * Trains on {@code data} for the configured epochs (continuing a checkpoint if asked), saving
   * checkpoints, and every {@code monitorEvery} epochs (and after the last) reports top-1 of the
   * inference tower on {@code monitor} (for example the test split; null for none).
   */
  public TrainResult train(PrintStream progress, ImageSet data, ImageSet monitor, int monitorEvery)
      throws IOException {
    Path dir = config.outDir().resolve("checkpoints");
    Files.createDirectories(dir);
    Path prefix = dir.resolve(CHECKPOINT);
    int startEpoch = 0;
    if (config.resume() && Files.exists(dir.resolve(STATE_FILE))) {
      startEpoch = restore(dir, prefix);
      progress.printf(Locale.ROOT, "resuming after epoch %d from %s%n", startEpoch, prefix);
    }
    List<EpochStats> history = new ArrayList<>();
    long runStart = System.nanoTime();
    long stepsDone = 0;
    try (Steps steps = steps(data, Math.min(config.batchSize(), data.count()))) {
      int batch = steps.batchSize();
      int stepsPerEpoch = steps.stepsPerEpoch();
      long totalSteps = (long) stepsPerEpoch * config.epochs();
      for (int epoch = startEpoch; epoch < config.epochs(); epoch++) {
        steps.startEpoch(epoch);
        long epochStart = System.nanoTime();
        long lastReport = epochStart;
        double lossSum = 0;
        double correctSum = 0;
        for (int s = 0; s < stepsPerEpoch; s++) {
          long step = (long) epoch * stepsPerEpoch + s;
          float lr = config.learningRateAt(step, totalSteps, stepsPerEpoch);
          StepResult r = steps.run(s, lr);
          if (!Float.isFinite(r.loss())) {
            throw new IllegalStateException(
                "loss became " + r.loss() + " at epoch " + (epoch + 1) + " step " + (s + 1) + "; lower --lr");
          }
          lossSum += r.loss();
          correctSum += r.correct();
          stepsDone++;
          long now = System.nanoTime();
          if (now - lastReport > PROGRESS_INTERVAL_NANOS || s == stepsPerEpoch - 1) {
            lastReport = now;
            double elapsed = (now - runStart) / 1e9;
            double perStep = elapsed / stepsDone;
            long remaining = totalSteps - step - 1;
            progress.printf(Locale.ROOT,
                "epoch %d/%d step %d/%d loss %.4f acc %.2f%% lr %.4f %.0f img/s ETA %s%n",
                epoch + 1, config.epochs(), s + 1, stepsPerEpoch, lossSum / (s + 1),
                100 * correctSum / ((s + 1) * (double) batch), lr, batch / perStep,
                duration(remaining * perStep));
          }
        }
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        Double monitorAccuracy = null;
        if (monitor != null && monitorEvery > 0
            && ((epoch + 1) % monitorEvery == 0 || epoch + 1 == config.epochs())) {
          monitorAccuracy = evaluate(monitor).top1();
          progress.printf(Locale.ROOT, "epoch %d/%d monitor top-1 %.2f%% over %d images%n",
              epoch + 1, config.epochs(), 100 * monitorAccuracy, monitor.count());
        }
        history.add(new EpochStats(epoch + 1, lossSum / Math.max(1, stepsPerEpoch),
            correctSum / Math.max(1, (double) stepsPerEpoch * batch),
            stepsPerEpoch * batch / seconds, seconds, monitorAccuracy));
        if ((epoch + 1) % config.checkpointEvery() == 0 || epoch + 1 == config.epochs()) {
          saveCheckpoint(dir, prefix, epoch + 1);
        }
      }
    }
    if (startEpoch >= config.epochs()) {
      progress.printf(Locale.ROOT, "checkpoint already has %d epochs; nothing to train%n", startEpoch);
    }
    return new TrainResult(prefix, config.epochs(), history, data.count());
  }

  /**
   * The steps {@link #train} runs, over {@code data} in batches of {@code batchSize}, for a caller
   * that drives them itself (the model benchmark times them against a bare session).
   *
   * @throws IllegalArgumentException if the images are not the network's input size or the batch
   *     does not fit into the data
   */
  public Steps steps(ImageSet data, int batchSize) {
    return new Steps(data, batchSize);
  }

  /**
   * Training steps exactly as {@link #train} runs them: each fills the next batch of this epoch's
   * shuffled order through the {@link BatchAugmenter} (crop, flip, erasing, normalisation), copies
   * it into input tensors allocated once, and runs the optimiser step in one session call that also
   * fetches the batch's loss and correct count. Not thread-safe; close it to free its tensors.
   */
  public final class Steps implements AutoCloseable {
    private final ImageSet data;
    private final int batch;
    private final float[] imageBuffer;
    private final float[] labelBuffer;
    private final BatchAugmenter augmenter;
    private final TFloat32 imageTensor;
    private final TFloat32 labelTensor;
    private int[] order;
    private Random augmentation;

    private Steps(ImageSet data, int batch) {
      var spec = config.spec();
      checkFits(data);
      if (batch < 1 || batch > data.count()) {
        throw new IllegalArgumentException("batch " + batch + " does not fit " + data.count() + " images");
      }
      this.data = data;
      this.batch = batch;
      this.imageBuffer = new float[batch * spec.inputHeight() * spec.inputWidth() * spec.channels()];
      this.labelBuffer = new float[batch * spec.classes()];
      this.augmenter = new BatchAugmenter(
          config.cropPadding(), config.flip(), config.erasing(), config.normalisation());
      this.imageTensor =
          TFloat32.tensorOf(Shape.of(batch, spec.inputHeight(), spec.inputWidth(), spec.channels()));
      try {
        this.labelTensor = TFloat32.tensorOf(Shape.of(batch, spec.classes()));
      } catch (RuntimeException e) {
        imageTensor.close();
        throw e;
      }
    }

    /**
     * Shuffles the images for {@code epoch} (0-based) and reseeds the augmentation, both derived
     * from (seed, epoch), so a resumed run sees the same batches as an uninterrupted one.
     */
    public void startEpoch(int epoch) {
      order = shuffled(data.count(), new Random(mix(config.seed(), epoch, 1)));
      augmentation = new Random(mix(config.seed(), epoch, 2));
    }

    /**
     * Runs step {@code step} (0-based, below {@link #stepsPerEpoch()}) of the current epoch at
     * learning rate {@code lr}.
     *
     * @throws IllegalStateException before the first {@link #startEpoch}
     */
    public StepResult run(int step, float lr) {
      if (order == null) {
        throw new IllegalStateException("startEpoch first");
      }
      var spec = config.spec();
      augmenter.fill(data, order, step * batch, batch, imageBuffer, spec.channels(), labelBuffer,
          spec.classes(), augmentation);
      imageTensor.copyFrom(DataBuffers.of(imageBuffer, true, false));
      labelTensor.copyFrom(DataBuffers.of(labelBuffer, true, false));
      try (TFloat32 lrTensor = TFloat32.scalarOf(lr);
          Result r = session.runner()
              .feed(images, imageTensor)
              .feed(labels, labelTensor)
              .feed(learningRate, lrTensor)
              .fetch(loss)
              .fetch(correct)
              .addTarget(trainStep)
              .run()) {
        return new StepResult(TensorFlowRuntime.scalar(r, 0), TensorFlowRuntime.scalar(r, 1));
      }
    }

    public int batchSize() {
      return batch;
    }

    /** Full batches per epoch; the last partial batch is dropped. */
    public int stepsPerEpoch() {
      return data.count() / batch;
    }

    @Override
    public void close() {
      imageTensor.close();
      labelTensor.close();
    }
  }

  /** Throws unless {@code data}'s images have the network's input size and channels. */
  private void checkFits(ImageSet data) {
    var spec = config.spec();
    if (data.rows() != spec.inputHeight() || data.cols() != spec.inputWidth()
        || (data.channels() != 1 && data.channels() != spec.channels())) {
      throw new IllegalArgumentException("images are " + data.cols() + "x" + data.rows() + "x" + data.channels()
          + " but " + spec.architecture() + " takes " + spec.inputWidth() + "x" + spec.inputHeight() + "x"
          + spec.channels());
    }
  }

  /** Top-1, per-class accuracy and confusion matrix of the inference tower on {@code data}. */
  public Evaluation evaluate(ImageSet data) {
    Evaluation evaluation = new Evaluation(data.classes());
    int[] truth = new int[data.count()];
    for (int i = 0; i < truth.length; i++) {
      truth[i] = data.label(i);
    }
    evaluation.addBatch(probabilities(data), truth, data.count());
    return evaluation;
  }

  /** Softmax outputs of the inference tower, [count, classes] row-major. */
  public float[] probabilities(ImageSet data) {
    checkFits(data);
    var spec = config.spec();
    BatchAugmenter plain = BatchAugmenter.plain(config.normalisation());
    int pixels = spec.inputHeight() * spec.inputWidth() * spec.channels();
    float[] buffer = new float[EVAL_BATCH * pixels];
    float[] oneHot = new float[EVAL_BATCH * spec.classes()];
    float[] out = new float[data.count() * spec.classes()];
    int[] order = shuffled(data.count(), null);
    for (int from = 0; from < data.count(); from += EVAL_BATCH) {
      int n = Math.min(EVAL_BATCH, data.count() - from);
      plain.fill(data, order, from, n, buffer, spec.channels(), oneHot, spec.classes(), null);
      float[] slice = n == EVAL_BATCH ? buffer : java.util.Arrays.copyOf(buffer, n * pixels);
      try (TFloat32 t = TensorFlowRuntime.tensor(
              Shape.of(n, spec.inputHeight(), spec.inputWidth(), spec.channels()), slice);
          Result r = session.runner().feed(evalImages, t).fetch(evalProbabilities).run()) {
        System.arraycopy(TensorFlowRuntime.floats(r, 0), 0, out, from * spec.classes(), n * spec.classes());
      }
    }
    return out;
  }

  private void saveCheckpoint(Path dir, Path prefix, int epoch) throws IOException {
    session.save(prefix.toString());
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("epoch", epoch);
    state.put("architecture", config.spec().architecture());
    state.put("seed", config.seed());
    Path tmp = dir.resolve(STATE_FILE + ".tmp");
    jsonMapper().writeValue(tmp.toFile(), state);
    Files.move(tmp, dir.resolve(STATE_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private int restore(Path dir, Path prefix) throws IOException {
    Map<?, ?> state = jsonMapper().readValue(dir.resolve(STATE_FILE).toFile(), Map.class);
    Object arch = state.get("architecture");
    if (!config.spec().architecture().equals(arch)) {
      throw new IOException("checkpoint in " + dir + " is a " + arch + ", not a " + config.spec().architecture());
    }
    session.restore(prefix.toString());
    return ((Number) state.get("epoch")).intValue();
  }

  /**
   * The graph of both towers and the optimiser, still owned (and closed) by this trainer. Feed
   * {@link #IMAGES}, {@link #LABELS} and {@link #LEARNING_RATE} and run {@link #TRAIN_STEP} to train
   * it without this class, for example from a second session whose variables start from the same
   * seeded values.
   */
  public Graph graph() {
    return graph;
  }

  /** The training tower, for inspection. */
  public ResNet trainTower() {
    return trainTower;
  }

  public TrainConfig config() {
    return config;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }

  /** The JSON mapper for checkpoints, metrics and model.json (indented). */
  public static ObjectMapper jsonMapper() {
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }

  private static long mix(long seed, int epoch, int stream) {
    long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + stream;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** 0..n-1, shuffled by {@code random} (Fisher-Yates), or in order if it is null. */
  public static int[] shuffled(int n, Random random) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    if (random != null) {
      for (int i = n - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    return order;
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
        : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
  }
}
