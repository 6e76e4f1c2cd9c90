package io.vidlabel.training.resnet;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * One built tower of a ResNet: its logits, named intermediate outputs and the variables it trains.
 *
 * @param spec what was built
 * @param logits [N, classes], before softmax
 * @param features named outputs: {@code stem}, every block ({@code stage2/block1}), every stage
 *     ({@code stage2} = its last block) and {@code pooled} (global average, [N, C])
 * @param trainableVariables variables of trainable units, by name, in build order (empty in
 *     inference mode)
 * @param decayedVariables names of the trainable variables that take weight decay (kernels)
 * @param updateOps batch-norm moving-average updates; run them with every training step
 * @param allVariables every variable of the graph's store (shared with other towers), by name
 */
public record ResNet(
    ResNetSpec spec,
    Operand<TFloat32> logits,
    Map<String, Operand<TFloat32>> features,
    Map<String, Variable<TFloat32>> trainableVariables,
    Set<String> decayedVariables,
    List<Op> updateOps,
    Map<String, Variable<TFloat32>> allVariables) {

  public ResNet {
    features = Collections.unmodifiableMap(new LinkedHashMap<>(features));
    trainableVariables = Collections.unmodifiableMap(new LinkedHashMap<>(trainableVariables));
    decayedVariables = Collections.unmodifiableSet(new LinkedHashSet<>(decayedVariables));
    updateOps = List.copyOf(updateOps);
    allVariables = Collections.unmodifiableMap(new LinkedHashMap<>(allVariables));
  }

  /** The named output, for example {@code stage3}; fails with the known names. */
  public Operand<TFloat32> feature(String name) {
    Operand<TFloat32> f = features.get(name);
    if (f == null) {
      throw new IllegalArgumentException("no feature " + name + "; known: " + features.keySet());
    }
    return f;
  }

  /** Number of trainable scalars. */
  public long trainableParameterCount() {
    return trainableVariables.values().stream().mapToLong(v -> v.shape().size()).sum();
  }
}
