package io.vidlabel.training.resnet;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.random.TruncatedNormal;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

/**
 * The variables of one graph, by name. A name is created once and handed out again on every later
 * request, so several towers (a training tower and an inference tower) share weights.
 *
 * <p>Variables are plain TensorFlow reference variables ({@code VariableV2}) whose op name is the
 * variable's name, so {@code Session.save} writes checkpoints keyed by these names and a
 * different graph with the same names can restore them.
 *
 * <p>With initializers, random values come from seeded {@code TruncatedNormal} ops (op seed = the
 * store seed, second seed = creation index), so two graphs built with the same seed start from
 * the same weights. Without initializers (graphs that are always restored from a checkpoint, such
 * as the export graph) no init op exists; a SavedModel loader would otherwise be free to run it
 * after restoring the weights.
 */
public final class VariableStore {

  /** How a new variable is filled. */
  public enum Init {
    ZEROS,
    ONES,
    /** He et al. 2015 ("Delving deep"): normal with variance 2 / fan-in. */
    HE_NORMAL,
    /** Normal with variance 1 / fan-in: for the classifier. */
    LECUN_NORMAL
  }

  /** std of a normal truncated at 2 sigma, relative to the untruncated one. */
  private static final double TRUNCATED_STD = 0.87962566103423978;

  private final Graph graph;
  private final Ops root;
  private final boolean initializers;
  private final long seed;
  private final Map<String, Variable<TFloat32>> variables = new LinkedHashMap<>();

  private VariableStore(Graph graph, boolean initializers, long seed) {
    this.graph = graph;
    this.root = Ops.create(graph);
    this.initializers = initializers;
    this.seed = seed;
  }

  /** Variables with seeded random initializers: for training from scratch. */
  public static VariableStore initialized(Ops tf, long seed) {
    return new VariableStore(graphOf(tf), true, seed);
  }

  /** Variables without initializers: every value must come from a checkpoint. */
  public static VariableStore uninitialized(Ops tf) {
    return new VariableStore(graphOf(tf), false, 0L);
  }

  private static Graph graphOf(Ops tf) {
    if (tf.scope().env() instanceof Graph g) {
      return g;
    }
    throw new IllegalArgumentException("ResNets are built in graph mode only");
  }

  /**
   * The variable called {@code name}, created on first use.
   *
   * @param fanIn inputs per output unit; used by the random initializers only
   */
  public Variable<TFloat32> get(String name, Shape shape, Init kind, long fanIn) {
    Variable<TFloat32> existing = variables.get(name);
    if (existing != null) {
      if (!existing.shape().equals(shape)) {
        throw new IllegalArgumentException(
            "variable " + name + " exists with shape " + existing.shape() + ", not " + shape);
      }
      return existing;
    }
    // Built by hand because Scope.withName rejects '/' and sub-scopes uniquify their names; the
    // graph itself accepts any TensorFlow op name and fails on a duplicate.
    Scope scope = initializers ? root.scope().withInitScope() : root.scope();
    Variable<TFloat32> v =
        new Variable<>(
            graph
                .opBuilder(Variable.OP_NAME, name, scope)
                .setAttr("shape", shape)
                .setAttr("dtype", DataType.DT_FLOAT)
                .build());
    if (initializers) {
      Ops init = root.withInitScope();
      // Op seed 0 would mean "random"; keep it non-zero so a seed always fixes the values.
      long opSeed = seed == 0 ? 0x5EED : seed;
      init.withName(name.replace('/', '_') + "_init")
          .assign(v, random(init, shape, kind, fanIn, opSeed, variables.size() + 1));
    }
    variables.put(name, v);
    return v;
  }

  /** All variables in creation order. */
  public Map<String, Variable<TFloat32>> all() {
    return Collections.unmodifiableMap(variables);
  }

  public boolean hasInitializers() {
    return initializers;
  }

  private static Operand<TFloat32> random(
      Ops init, Shape shape, Init kind, long fanIn, long seed, long seed2) {
    switch (kind) {
      case ZEROS:
        return init.zeros(init.constant(shape), TFloat32.class);
      case ONES:
        return init.fill(init.constant(shape), init.constant(1f));
      default:
        double variance = (kind == Init.HE_NORMAL ? 2.0 : 1.0) / Math.max(1, fanIn);
        float std = (float) (Math.sqrt(variance) / TRUNCATED_STD);
        return init.math.mul(
            init.random.truncatedNormal(
                init.constant(shape),
                TFloat32.class,
                TruncatedNormal.seed(seed),
                TruncatedNormal.seed2(seed2)),
            init.constant(std));
    }
  }
}
