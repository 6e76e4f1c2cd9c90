package io.vidlabel.training;

import io.vidlabel.model.ModelChecksum;
import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.training.resnet.ResNet;
import io.vidlabel.training.resnet.ResNetBuilder.Mode;
import io.vidlabel.training.resnet.ResNetBuilder;
import io.vidlabel.training.resnet.ResNetSpec;
import io.vidlabel.training.resnet.VariableStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Writes a trained ResNet as a SavedModel plus the {@code model.json} descriptor the service reads.
 *
 * <p>The export graph is built fresh in inference mode, with variables that have no initializers,
 * and filled from the training checkpoint by name; so it holds no optimiser state, no training
 * tower and no init op a loader could run over the restored weights.
 *
 * <p>The serving input is what the service produces for every model: {@code images}, float32
 * [N, H, W, 3], RGB, already scaled by {@code scale} and normalised with {@code mean}/{@code std}
 * per channel. A network trained on one channel gets a fixed luma conversion first (ITU-R BT.601
 * weights, which sum to 1, so a gray frame normalised per channel maps exactly to the normalised
 * gray value the network was trained on).
 *
 * <p>Signatures: {@code serving_default} (images -> {@code probabilities}, {@code logits}) and
 * {@code features} (images -> {@code features}, the output of a chosen stage or block).
 */
public final class ModelExporter {

  public static final String SERVING_SIGNATURE = "serving_default";
  public static final String FEATURES_SIGNATURE = "features";
  public static final String INPUT = "images";
  public static final String PROBABILITIES = "probabilities";
  public static final String LOGITS = "logits";
  public static final String FEATURES = "features";
  public static final String DESCRIPTOR = "model.json";

  private static final float[] LUMA = {0.299f, 0.587f, 0.114f};

  /**
   * What goes into {@code model.json} besides what the exporter knows itself.
   *
   * @param name model name in the store
   * @param version model version
   * @param labels class names in output order
   * @param normalisation per-channel mean and std of the pixels scaled to [0, 1]
   * @param training free-form training facts (dataset, images, epochs, seed, command)
   * @param metrics free-form metrics (top1, perClass, ...)
   * @param parent version this model was fine-tuned from, or null
   */
  public record Descriptor(
      String name,
      String version,
      List<String> labels,
      Normalisation normalisation,
      Map<String, Object> training,
      Map<String, Object> metrics,
      String parent) {}

  private ModelExporter() {}

  /**
   * Exports the weights at {@code checkpointPrefix} into {@code dir} (which must not exist or be
   * empty).
   *
   * @param featureName name of the {@link ResNet#features()} entry behind the {@code features}
   *     signature, for example {@code stage3} or {@code pooled}
   * @return the written {@code model.json} descriptor
   */
  public static ModelDescriptor export(
      ResNetSpec spec, Path checkpointPrefix, Path dir, String featureName, Descriptor descriptor)
      throws IOException {
    writeSavedModel(spec, checkpointPrefix, dir, featureName);
    ModelDescriptor written = descriptor(spec, descriptor).withChecksum(ModelChecksum.compute(dir));
    written.write(dir);
    return written;
  }

  /**
   * Writes only the SavedModel (no {@code model.json}) of the weights at {@code checkpointPrefix}
   * into {@code dir}, which must not exist or be empty. The checkpoint may hold more variables
   * (optimiser state); only the network's are read.
   */
  public static void writeSavedModel(ResNetSpec spec, Path checkpointPrefix, Path dir, String featureName)
      throws IOException {
    TensorFlowRuntime.ensureLoaded();
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        if (s.findAny().isPresent()) {
          throw new IOException("export directory " + dir + " is not empty");
        }
      }
    }
    Files.createDirectories(dir.getParent() == null ? dir.toAbsolutePath().getParent() : dir.getParent());
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> images = tf.withName(INPUT).placeholder(
          TFloat32.class, Placeholder.shape(Shape.of(-1, spec.inputHeight(), spec.inputWidth(), 3)));
      Operand<TFloat32> input = networkInput(tf, images, spec);
      ResNet net = ResNetBuilder.builder(spec)
          .optMode(Mode.INFERENCE)
          .build(tf, VariableStore.uninitialized(tf), input);
      Operand<TFloat32> logits = tf.withName(LOGITS).identity(net.logits());
      Operand<TFloat32> probabilities = tf.withName(PROBABILITIES).nn.softmax(net.logits());
      Operand<TFloat32> features = tf.withName(FEATURES).identity(net.feature(featureName));
      try (Session session = new Session(graph)) {
        session.restore(checkpointPrefix.toString());
        Signature serving = Signature.builder(SERVING_SIGNATURE)
            .input(INPUT, images)
            .output(PROBABILITIES, probabilities)
            .output(LOGITS, logits)
            .build();
        Signature featureSig = Signature.builder(FEATURES_SIGNATURE)
            .input(INPUT, images)
            .output(FEATURES, features)
            .build();
        SavedModelBundle.exporter(dir.toString())
            .withSession(session)
            .withSignatures(serving, featureSig)
            .export();
      }
    }
  }

  /**
   * What the network sees of the serving input: the RGB images themselves, or their luma (fixed
   * BT.601 weights) for a network trained on one channel.
   */
  public static Operand<TFloat32> networkInput(Ops tf, Operand<TFloat32> rgbImages, ResNetSpec spec) {
    if (spec.channels() == 3) {
      return rgbImages;
    }
    if (spec.channels() != 1) {
      throw new IllegalArgumentException("can serve 1- or 3-channel networks, not " + spec.channels());
    }
    float[][][][] kernel = {{{{LUMA[0]}, {LUMA[1]}, {LUMA[2]}}}};
    return tf.withSubScope("to_gray")
        .nn.conv2d(rgbImages, tf.constant(kernel), List.of(1L, 1L, 1L, 1L), "VALID");
  }

  private static ModelDescriptor descriptor(ResNetSpec spec, Descriptor d) {
    return new ModelDescriptor(
        d.name(),
        d.version(),
        spec.architecture(),
        spec.inputWidth(),
        spec.inputHeight(),
        3,
        ModelDescriptor.LAYOUT_NHWC,
        ModelDescriptor.ORDER_RGB,
        1.0 / 255.0,
        d.normalisation().rgbMeans(),
        d.normalisation().rgbStds(),
        d.labels(),
        SERVING_SIGNATURE,
        INPUT,
        PROBABILITIES,
        true,
        d.training(),
        d.metrics(),
        d.parent(),
        null,
        spec.toNetwork());
  }
}
