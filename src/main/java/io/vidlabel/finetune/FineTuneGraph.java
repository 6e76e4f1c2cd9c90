package io.vidlabel.finetune;

import io.vidlabel.training.ModelExporter;
import io.vidlabel.training.MomentumSgd;
import io.vidlabel.training.TensorFlowRuntime;
import io.vidlabel.training.resnet.ResNet;
import io.vidlabel.training.resnet.ResNetBuilder.Mode;
import io.vidlabel.training.resnet.ResNetBuilder;
import io.vidlabel.training.resnet.ResNetSpec;
import io.vidlabel.training.resnet.VariableStore.Init;
import io.vidlabel.training.resnet.VariableStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * The TensorFlow graph of one fine-tuning run: a served ResNet split after unit {@code cut} into a
 * frozen prefix and a trainable suffix (the last blocks and the head).
 *
 * <p>Towers, all sharing one set of variables:
 *
 * <ul>
 *   <li>inference over the whole network from serving input (RGB, normalised as in model.json):
 *       the prefix output at the cut (what the feature cache stores) and the class probabilities;
 *   <li>the suffix in training mode fed with cached prefix outputs: the fast path;
 *   <li>the whole network in training mode with the prefix frozen, fed with images: the same
 *       step, recomputing the prefix every time; kept to measure what the cache saves;
 *   <li>the suffix in inference mode fed with prefix outputs, for evaluation (and for the parent's
 *       logits that rehearsal examples are distilled towards).
 * </ul>
 *
 * <p>The training loss is the mean cross-entropy plus, per example, a weight times the mean squared
 * difference between the logits and target logits: the parent's, for rehearsal examples (weight
 * {@code distillation}), so the suffix keeps the old function on them and not only their labels;
 * weight 0 for feedback.
 *
 * <p>Weights come from the parent SavedModel's checkpoint ({@code variables/variables}) by name,
 * through explicit restore ops, because the graph also holds optimiser state the checkpoint does
 * not have. Batch norm in the frozen prefix uses its moving statistics and is never updated; the
 * trainable blocks normalise with batch statistics and update their moving averages.
 */
final class FineTuneGraph implements AutoCloseable {

  private static final String OPTIMIZER = "optimizer/";
  private static final String ANCHOR = "anchor/";

  /** A training step's mean loss and number of correct predictions over the batch. */
  record StepResult(float loss, float correct) {}

  private final ResNetSpec spec;
  private final String cut;
  private final Graph graph;
  private final Session session;
  private final Placeholder<TFloat32> images;
  private final Placeholder<TFloat32> features;
  private final Placeholder<TFloat32> labels;
  private final Placeholder<TFloat32> targetLogits;
  private final Placeholder<TFloat32> distillWeights;
  private final Placeholder<TFloat32> learningRate;
  private final Operand<TFloat32> prefixOutput;
  private final Operand<TFloat32> probabilities;
  private final Operand<TFloat32> suffixLogits;
  private final Operand<TFloat32> suffixProbabilities;
  private final Operand<TFloat32> featureLoss;
  private final Operand<TFloat32> featureCorrect;
  private final Op featureStep;
  private final Operand<TFloat32> imageLoss;
  private final Operand<TFloat32> imageCorrect;
  private final Op imageStep;
  private final Shape featureShape;
  private final long trainableParameters;

  /**
   * @param parentModel directory of the served SavedModel to start from
   * @param trainBlocks how many of the last blocks train (with the head); 0 = the head only
   */
  /**
   * @param anchored weight decay pulls the trained kernels towards the parent's values (L2-SP)
   *     instead of towards zero
   */
  FineTuneGraph(
      ResNetSpec spec, Path parentModel, int trainBlocks, MomentumSgd optimizer, boolean anchored, long seed) {
    TensorFlowRuntime.ensureLoaded();
    this.spec = spec;
    List<String> units = spec.unitNames();
    int blocks = units.size() - 2;
    if (trainBlocks < 0 || trainBlocks > blocks) {
      throw new IllegalArgumentException(
          "can train the last 0.." + blocks + " blocks of a " + spec.architecture() + ", not " + trainBlocks);
    }
    this.cut = cut(spec, trainBlocks);
    this.graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      VariableStore store = VariableStore.initialized(tf, seed);
      images = tf.withName("images").placeholder(
          TFloat32.class, Placeholder.shape(Shape.of(-1, spec.inputHeight(), spec.inputWidth(), 3)));
      labels = tf.withName("labels").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, spec.classes())));
      targetLogits = tf.withName("target_logits")
          .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, spec.classes())));
      distillWeights = tf.withName("distill_weights").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
      learningRate = tf.withName("learning_rate").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));

      Ops inf = tf.withSubScope("inference");
      ResNet whole = ResNetBuilder.builder(spec).optMode(Mode.INFERENCE)
          .build(inf, store, ModelExporter.networkInput(inf, images, spec));
      prefixOutput = whole.feature(cut);
      probabilities = inf.nn.softmax(whole.logits());
      featureShape = prefixOutput.shape();

      features = tf.withName("features").placeholder(TFloat32.class, Placeholder.shape(featureShape));
      Ops ft = tf.withSubScope("train_features");
      ResNet suffix = ResNetBuilder.builder(spec).optMode(Mode.TRAINING).optTrainLastBlocks(trainBlocks)
          .buildAfter(ft, store, cut, features);
      featureLoss = loss(ft, suffix);
      featureCorrect = correct(ft, suffix);
      Map<String, Variable<TFloat32>> anchors = new LinkedHashMap<>();
      if (anchored) {
        for (String name : suffix.decayedVariables()) {
          Variable<TFloat32> v = suffix.trainableVariables().get(name);
          anchors.put(name, store.get(ANCHOR + name, v.shape(), Init.ZEROS, 1));
        }
      }
      featureStep = optimizer.minimize(ft.withSubScope("optimizer"), store, suffix, featureLoss, learningRate, anchors);
      trainableParameters = suffix.trainableParameterCount();

      Ops it = tf.withSubScope("train_images");
      ResNet full = ResNetBuilder.builder(spec).optMode(Mode.TRAINING).optTrainLastBlocks(trainBlocks)
          .build(it, store, ModelExporter.networkInput(it, images, spec));
      imageLoss = loss(it, full);
      imageCorrect = correct(it, full);
      imageStep = optimizer.minimize(it.withSubScope("optimizer"), store, full, imageLoss, learningRate, anchors);

      Ops ev = tf.withSubScope("evaluate_features");
      suffixLogits = ResNetBuilder.builder(spec).optMode(Mode.INFERENCE).buildAfter(ev, store, cut, features).logits();
      suffixProbabilities = ev.nn.softmax(suffixLogits);

      Op restore = restoreOp(tf.withSubScope("restore_parent"), store.all(), parentModel);
      session = new Session(graph);
      session.runner().addTarget(restore).run();
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /** Name of the last frozen unit; its output is what the cache stores. */
  /** The last frozen unit when the last {@code trainBlocks} blocks and the head are trained. */
  static String cut(ResNetSpec spec, int trainBlocks) {
    List<String> units = spec.unitNames();
    return units.get(units.size() - 2 - trainBlocks);
  }

  String cut() {
    return cut;
  }

  /** Floats per cached prefix output. */
  int featureSize() {
    return (int) sizeWithoutBatch(featureShape);
  }

  long trainableParameters() {
    return trainableParameters;
  }

  /** Prefix outputs of {@code n} images (serving input layout), [n, featureSize] row-major. */
  float[] prefix(float[] imageBatch, int n) {
    return runImages(imageBatch, n, prefixOutput);
  }

  /** Whole-network class probabilities of {@code n} images, [n, classes]. */
  float[] classify(float[] imageBatch, int n) {
    return runImages(imageBatch, n, probabilities);
  }

  /** Suffix class probabilities from {@code n} prefix outputs, [n, classes]. */
  float[] classifyFeatures(float[] featureBatch, int n) {
    return runFeatures(featureBatch, n, suffixProbabilities);
  }

  /** Suffix logits from {@code n} prefix outputs, [n, classes]. */
  float[] logitsOfFeatures(float[] featureBatch, int n) {
    return runFeatures(featureBatch, n, suffixLogits);
  }

  /**
   * What a training step learns from: one-hot labels [n, classes], and per example a weight and
   * target logits [n, classes] for the distillation term.
   */
  record Targets(float[] oneHot, float[] logits, float[] distillWeights) {}

  /** One step of the fast path: the suffix on cached prefix outputs. */
  StepResult stepOnFeatures(float[] featureBatch, Targets targets, int n, float lr) {
    try (TFloat32 f = TensorFlowRuntime.tensor(batchShape(featureShape, n), featureBatch)) {
      return step(features, f, targets, n, lr, featureLoss, featureCorrect, featureStep);
    }
  }

  /** The same step recomputing the frozen prefix from the images. */
  StepResult stepOnImages(float[] imageBatch, Targets targets, int n, float lr) {
    Shape shape = Shape.of(n, spec.inputHeight(), spec.inputWidth(), 3);
    try (TFloat32 i = TensorFlowRuntime.tensor(shape, imageBatch)) {
      return step(images, i, targets, n, lr, imageLoss, imageCorrect, imageStep);
    }
  }

  /** Writes every variable (weights and optimiser state) as a checkpoint at {@code prefix}. */
  void save(Path prefix) {
    session.save(prefix.toString());
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }

  private StepResult step(
      Placeholder<TFloat32> input, TFloat32 batch, Targets targets, int n, float lr,
      Operand<TFloat32> loss, Operand<TFloat32> correct, Op target) {
    try (TFloat32 y = TensorFlowRuntime.tensor(Shape.of(n, spec.classes()), targets.oneHot());
        TFloat32 z = TensorFlowRuntime.tensor(Shape.of(n, spec.classes()), targets.logits());
        TFloat32 w = TensorFlowRuntime.tensor(Shape.of(n), targets.distillWeights());
        TFloat32 rate = TFloat32.scalarOf(lr);
        Result r = session.runner()
            .feed(input, batch)
            .feed(labels, y)
            .feed(targetLogits, z)
            .feed(distillWeights, w)
            .feed(learningRate, rate)
            .fetch(loss)
            .fetch(correct)
            .addTarget(target)
            .run()) {
      return new StepResult(TensorFlowRuntime.scalar(r, 0), TensorFlowRuntime.scalar(r, 1));
    }
  }

  private float[] runFeatures(float[] featureBatch, int n, Operand<TFloat32> output) {
    try (TFloat32 f = TensorFlowRuntime.tensor(batchShape(featureShape, n), featureBatch);
        Result r = session.runner().feed(features, f).fetch(output).run()) {
      return TensorFlowRuntime.floats(r, 0);
    }
  }

  private float[] runImages(float[] imageBatch, int n, Operand<TFloat32> output) {
    Shape shape = Shape.of(n, spec.inputHeight(), spec.inputWidth(), 3);
    try (TFloat32 i = TensorFlowRuntime.tensor(shape, imageBatch);
        Result r = session.runner().feed(images, i).fetch(output).run()) {
      return TensorFlowRuntime.floats(r, 0);
    }
  }

  private Operand<TFloat32> loss(Ops tf, ResNet net) {
    Operand<TFloat32> crossEntropy = tf.math.mean(
        tf.nn.softmaxCrossEntropyWithLogits(net.logits(), labels).loss(), tf.constant(0));
    Operand<TFloat32> squaredGap = tf.math.mean(
        tf.math.squaredDifference(net.logits(), targetLogits), tf.constant(1));
    Operand<TFloat32> distillation = tf.math.mean(tf.math.mul(distillWeights, squaredGap), tf.constant(0));
    return tf.math.add(crossEntropy, distillation);
  }

  private Operand<TFloat32> correct(Ops tf, ResNet net) {
    return tf.sum(
        tf.dtypes.cast(
            tf.math.equal(
                tf.math.argMax(net.logits(), tf.constant(1)), tf.math.argMax(labels, tf.constant(1))),
            TFloat32.class),
        tf.constant(0));
  }

  /**
   * Assigns every network variable (and every anchor) its value from the parent's checkpoint, by
   * name; optimiser state starts from its initializers.
   */
  private static Op restoreOp(Ops tf, Map<String, Variable<TFloat32>> variables, Path parentModel) {
    List<String> names = new ArrayList<>();
    List<String> stored = new ArrayList<>();
    for (String n : variables.keySet()) {
      if (!n.startsWith(OPTIMIZER)) {
        names.add(n);
        stored.add(n.startsWith(ANCHOR) ? n.substring(ANCHOR.length()) : n);
      }
    }
    List<Class<? extends TType>> types = new ArrayList<>(Collections.nCopies(names.size(), TFloat32.class));
    String prefix = parentModel.resolve("variables").resolve("variables").toString();
    Restore restored = tf.train.restore(
        tf.constant(prefix),
        tf.constant(StandardCharsets.UTF_8, stored.toArray(String[]::new)),
        tf.constant(StandardCharsets.UTF_8, Collections.nCopies(names.size(), "").toArray(String[]::new)),
        types);
    List<Op> assigns = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      @SuppressWarnings("unchecked")
      Operand<TFloat32> value = (Operand<TFloat32>) restored.tensors().get(i);
      assigns.add(tf.assign(variables.get(names.get(i)), value));
    }
    return tf.withControlDependencies(assigns).noOp();
  }

  private static Shape batchShape(Shape withUnknownBatch, int n) {
    long[] dims = withUnknownBatch.asArray();
    dims[0] = n;
    return Shape.of(dims);
  }

  private static long sizeWithoutBatch(Shape shape) {
    long size = 1;
    for (int i = 1; i < shape.numDimensions(); i++) {
      size *= shape.get(i);
    }
    return size;
  }
}
