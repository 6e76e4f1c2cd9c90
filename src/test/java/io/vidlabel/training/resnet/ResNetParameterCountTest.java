package io.vidlabel.training.resnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vidlabel.training.TensorFlowRuntime;
import io.vidlabel.training.resnet.ResNetSpec.BlockType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** Builds graphs only; nothing runs. */
class ResNetParameterCountTest {

  @BeforeAll
  static void loadTensorFlow() {
    TensorFlowRuntime.ensureLoaded();
  }

  private static ResNet build(Graph g, ResNetSpec spec, ResNetBuilder builder) {
    Ops tf = Ops.create(g);
    var images = tf.placeholder(
        TFloat32.class,
        Placeholder.shape(Shape.of(-1, spec.inputHeight(), spec.inputWidth(), spec.channels())));
    return builder.build(tf, VariableStore.initialized(tf, 1), images);
  }

  @Test
  void resnet18HasTheTorchvisionParameterCount() {
    ResNetSpec spec = ResNetSpec.imagenet(18);
    try (Graph g = new Graph()) {
      ResNet net = build(g, spec, ResNetBuilder.builder(spec));
      assertThat(net.trainableParameterCount()).isEqualTo(11_689_512L);
      assertThat(spec.architecture()).isEqualTo("resnet-18-basic-v1 w64");
    }
  }

  @Test
  void resnet50HasTheTorchvisionParameterCount() {
    ResNetSpec spec = ResNetSpec.imagenet(50);
    try (Graph g = new Graph()) {
      ResNet net = build(g, spec, ResNetBuilder.builder(spec));
      assertThat(net.trainableParameterCount()).isEqualTo(25_557_032L);
      assertThat(net.allVariables())
          .containsKeys(
              "stem/conv/kernel",
              "stage3/block2/conv1/kernel",
              "stage3/block2/bn1/gamma",
              "stage3/block2/bn1/moving_variance",
              "stage2/block1/shortcut/conv/kernel",
              "head/dense/kernel");
      assertThat(net.feature("stage4").shape().asArray()).containsExactly(-1, 7, 7, 2048);
      assertThat(net.feature("stage1").shape().asArray()).containsExactly(-1, 56, 56, 256);
    }
  }

  @Test
  void frozenUnitsContributeNoTrainableVariablesAndNoUpdates() {
    ResNetSpec spec = ResNetSpec.smallImage(29, 16, BlockType.BOTTLENECK);
    try (Graph g = new Graph()) {
      ResNet net = build(g, spec, ResNetBuilder.builder(spec).optTrainLastBlocks(2));
      assertThat(net.trainableVariables().keySet())
          .allMatch(
              n -> n.startsWith("stage3/block2/") || n.startsWith("stage3/block3/") || n.startsWith("head/"))
          .contains("stage3/block3/conv3/kernel", "head/dense/kernel", "head/bn/gamma");
      // three batch norms per block plus the v2 head: two moving averages each
      assertThat(net.updateOps()).hasSize(2 * (3 + 3 + 1));
      assertThat(net.feature("stage3").shape().asArray()).containsExactly(-1, 7, 7, 256);
    }
  }

  @Test
  void gradientsForTrainableBlocksAddNoBackwardOpsToFrozenBlocks() {
    ResNetSpec spec = ResNetSpec.smallImage(29, 16, BlockType.BOTTLENECK);
    try (Graph g = new Graph()) {
      ResNet net = build(g, spec, ResNetBuilder.builder(spec).optTrainLastBlocks(1));
      Ops tf = Ops.create(g);
      tf.gradients(tf.math.mean(net.logits(), tf.constant(new int[] {0, 1})), net.trainableVariables().values());
      List<String> filterGrads = new ArrayList<>();
      List<String> inputGrads = new ArrayList<>();
      List<String> batchNormGrads = new ArrayList<>();
      g.operations().forEachRemaining(op -> {
        if (op.type().equals("Conv2DBackpropFilter")) {
          filterGrads.add(op.name());
        } else if (op.type().equals("Conv2DBackpropInput")) {
          inputGrads.add(op.name());
        } else if (op.type().startsWith("FusedBatchNormGrad")) {
          batchNormGrads.add(op.name());
        }
      });
      // stage3/block3 (v2, identity shortcut) has three convolutions: three kernel gradients and
      // three input gradients (down to its bn1, whose gamma/beta train), four batch-norm
      // gradients (bn1-3 and head/bn); nothing for stage3/block2 or below.
      assertThat(filterGrads).hasSize(3);
      assertThat(inputGrads).hasSize(3);
      assertThat(batchNormGrads).hasSize(4);
      assertThat(net.trainableVariables().keySet()).allMatch(n -> n.startsWith("stage3/block3/") || n.startsWith("head/"));
    }
  }

  @Test
  void smallImageDepthsFollowTheSixAndNineNPlusTwoRules() {
    assertThat(ResNetSpec.smallImage(20, 16, BlockType.BASIC).stageBlocks()).containsExactly(3, 3, 3);
    assertThat(ResNetSpec.smallImage(29, 16, BlockType.BOTTLENECK).stageBlocks())
        .containsExactly(3, 3, 3);
    assertThat(ResNetSpec.smallImage(29, 16, BlockType.BOTTLENECK).architecture())
        .isEqualTo("resnet-29-bottleneck-v2 w16");
    assertThatThrownBy(() -> ResNetSpec.smallImage(21, 16, BlockType.BOTTLENECK))
        .hasMessageContaining("9n+2");
  }
}
