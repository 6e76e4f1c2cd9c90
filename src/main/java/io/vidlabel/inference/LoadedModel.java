package io.vidlabel.inference;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import ai.djl.tensorflow.engine.javacpp.JavacppUtils;
import io.vidlabel.decode.VideoFrame;
import io.vidlabel.model.ModelChecksum;
import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.model.ModelException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * One model version loaded into TensorFlow through DJL, with its descriptor. Thread-safe to share;
 * the {@link Predictor}s it hands out are not (one per thread, or one owner thread).
 */
public final class LoadedModel implements AutoCloseable {

  static final String SERVE_TAG = "serve";

  private final Path dir;
  private final ModelDescriptor descriptor;
  private final Precision precision;
  private final FrameTranslator translator;
  private final ZooModel<VideoFrame, Prediction> model;
  /** BF16 only: the same SavedModel in fp32, for batches below {@link Precision#BF16_MIN_BATCH}. */
  private final ZooModel<VideoFrame, Prediction> smallBatches;

  private LoadedModel(
      Path dir,
      ModelDescriptor descriptor,
      Precision precision,
      FrameTranslator translator,
      ZooModel<VideoFrame, Prediction> model,
      ZooModel<VideoFrame, Prediction> smallBatches) {
    this.dir = dir;
    this.descriptor = descriptor;
    this.precision = precision;
    this.translator = translator;
    this.model = model;
    this.smallBatches = smallBatches;
  }

  /** As {@link #load(Path, Precision)} in {@link Precision#FP32}. */
  public static LoadedModel load(Path modelDir) {
    return load(modelDir, Precision.FP32);
  }

  /**
   * Reads {@code model.json}, verifies the checksum if the descriptor has one, checks that the
   * SavedModel's signature matches the descriptor, then loads it with DJL to run in {@code
   * precision} (in {@link Precision#BF16}, a second session in fp32 for small batches).
   *
   * @throws ModelException with the directory and the reason, for any unusable model
   */
  public static LoadedModel load(Path modelDir, Precision precision) {
    Path dir = modelDir.toAbsolutePath().normalize();
    ModelDescriptor descriptor = ModelDescriptor.read(dir);
    verifyChecksum(dir, descriptor);
    // Checked in Java first: a wrong tensor name would otherwise reach DJL's native session call.
    checkSignature(dir, descriptor);

    TensorflowNatives.configure();
    Engine.getEngine("TensorFlow");
    FrameTranslator translator = new FrameTranslator(descriptor);
    ZooModel<VideoFrame, Prediction> model = session(dir, descriptor, translator, precision);
    try {
      ZooModel<VideoFrame, Prediction> smallBatches =
          precision == Precision.BF16 ? session(dir, descriptor, translator, Precision.FP32) : null;
      return new LoadedModel(dir, descriptor, precision, translator, model, smallBatches);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  private static ZooModel<VideoFrame, Prediction> session(
      Path dir, ModelDescriptor descriptor, FrameTranslator translator, Precision precision) {
    // DJL's own session config (thread pools from ai.djl.tensorflow.* properties, GPUs), which it
    // would use if given none, plus the precision's rewrite. Criteria options are strings.
    byte[] session = precision.sessionConfig(JavacppUtils.getSessionConfig()).toByteArray();
    Criteria<VideoFrame, Prediction> criteria =
        Criteria.builder()
            .setTypes(VideoFrame.class, Prediction.class)
            .optEngine("TensorFlow")
            .optModelPath(dir)
            .optModelName(descriptor.name())
            .optOption("Tags", SERVE_TAG)
            .optOption("SignatureDefKey", descriptor.signature())
            .optOption("ConfigProto", Base64.getEncoder().encodeToString(session))
            .optTranslator(translator)
            .build();
    try {
      return criteria.loadModel();
    } catch (ModelNotFoundException | MalformedModelException | IOException | RuntimeException e) {
      throw new ModelException("TensorFlow cannot load the SavedModel in " + dir + ": " + e, e);
    }
  }

  private static void verifyChecksum(Path dir, ModelDescriptor descriptor) {
    if (descriptor.checksum() == null) {
      return;
    }
    String actual;
    try {
      actual = ModelChecksum.compute(dir);
    } catch (UncheckedIOException e) {
      throw new ModelException("cannot verify the checksum of " + dir + ": " + e.getMessage(), e);
    }
    if (!actual.equals(descriptor.checksum())) {
      throw new ModelException(
          "checksum mismatch in " + dir + ": model.json says " + descriptor.checksum()
              + " but saved_model.pb and variables/ hash to " + actual
              + "; the model files were changed or copied incompletely");
    }
  }

  private static void checkSignature(Path dir, ModelDescriptor descriptor) {
    Path pb = dir.resolve(ModelChecksum.SAVED_MODEL_FILE);
    if (!Files.isRegularFile(pb)) {
      throw new ModelException("no " + ModelChecksum.SAVED_MODEL_FILE + " in " + dir);
    }
    SavedModel savedModel;
    try (InputStream in = Files.newInputStream(pb)) {
      savedModel = SavedModel.parseFrom(in);
    } catch (IOException e) {
      throw new ModelException(pb + " is not a TensorFlow SavedModel: " + e.getMessage(), e);
    }
    MetaGraphDef metaGraph =
        savedModel.getMetaGraphsList().stream()
            .filter(m -> m.getMetaInfoDef().getTagsList().contains(SERVE_TAG))
            .findFirst()
            .orElseThrow(
                () -> new ModelException(pb + " has no meta graph tagged '" + SERVE_TAG + "'"));
    Map<String, SignatureDef> signatures = metaGraph.getSignatureDefMap();
    SignatureDef signature = signatures.get(descriptor.signature());
    if (signature == null) {
      throw new ModelException(
          dir + ": signature '" + descriptor.signature() + "' from model.json is not in the"
              + " SavedModel (it has " + signatures.keySet() + ")");
    }
    if (signature.getInputsCount() != 1 || !signature.containsInputs(descriptor.inputTensor())) {
      throw new ModelException(
          dir + ": signature '" + descriptor.signature() + "' must have exactly one input named '"
              + descriptor.inputTensor() + "' but has " + signature.getInputsMap().keySet());
    }
    if (!signature.containsOutputs(descriptor.outputTensor())) {
      throw new ModelException(
          dir + ": signature '" + descriptor.signature() + "' has no output '"
              + descriptor.outputTensor() + "' (outputs: " + signature.getOutputsMap().keySet() + ")");
    }
    TensorInfo input = signature.getInputsOrThrow(descriptor.inputTensor());
    if (input.hasTensorShape() && !input.getTensorShape().getUnknownRank()) {
      List<TensorShapeProto.Dim> dims = input.getTensorShape().getDimList();
      long[] expected =
          descriptor.channelsFirst()
              ? new long[] {-1, 3, descriptor.inputHeight(), descriptor.inputWidth()}
              : new long[] {-1, descriptor.inputHeight(), descriptor.inputWidth(), 3};
      boolean matches = dims.size() == 4;
      for (int i = 1; matches && i < 4; i++) {
        long size = dims.get(i).getSize();
        matches = size < 0 || size == expected[i];
      }
      if (!matches) {
        throw new ModelException(
            dir + ": input '" + descriptor.inputTensor() + "' has shape "
                + dims.stream().map(d -> Long.toString(d.getSize())).toList() + " but model.json"
                + " describes " + descriptor.layout() + " " + descriptor.inputWidth() + "x"
                + descriptor.inputHeight() + "x3");
      }
    }
  }

  public ModelDescriptor descriptor() {
    return descriptor;
  }

  public String name() {
    return descriptor.name();
  }

  public String version() {
    return descriptor.version();
  }

  public Path directory() {
    return dir;
  }

  /** The precision it runs in; a hot swap loads the next version in the same one. */
  public Precision precision() {
    return precision;
  }

  /**
   * Checks a frame against this model's input (size, byte count) without running it.
   *
   * @throws IllegalArgumentException if the model cannot take this frame
   */
  public void checkFrame(VideoFrame frame) {
    translator.check(frame);
  }

  /**
   * A new predictor on the session in {@link #precision()}; not thread-safe, the caller owns and
   * closes it. {@code batchPredict} stacks its frames into one tensor and runs the session once.
   * DJL wraps translator errors (a frame of the wrong size: {@link IllegalArgumentException}) in
   * a {@code TranslateException}.
   */
  public Predictor<VideoFrame, Prediction> newPredictor() {
    return model.newPredictor();
  }

  /**
   * A new predictor for batches of {@code batchSize} frames: {@link #newPredictor()}, except that
   * in {@link Precision#BF16} batches below {@link Precision#BF16_MIN_BATCH} get the fp32 session.
   */
  public Predictor<VideoFrame, Prediction> newPredictor(int batchSize) {
    return sessionFor(batchSize).newPredictor();
  }

  /** Whether a batch of {@code batchSize} frames runs on the fp32 session of a BF16 model. */
  public boolean usesSmallBatchSession(int batchSize) {
    return sessionFor(batchSize) != model;
  }

  private ZooModel<VideoFrame, Prediction> sessionFor(int batchSize) {
    return smallBatches != null && batchSize < Precision.BF16_MIN_BATCH ? smallBatches : model;
  }

  /**
   * Runs mid-grey frames through every session: a single frame and a batch of {@code
   * largestBatch} (in BF16 also a batch of {@link Precision#BF16_MIN_BATCH}), so real batches do
   * not pay for graph setup, the bfloat16 rewrite or the first run at a batch size, which
   * TensorFlow does at a session's first run (about 90 ms for one frame of the default model on
   * the development machine, against 6-8 ms warmed up; docs/performance.md).
   *
   * @throws TranslateException if a session cannot run the frames
   */
  public void warmUp(int largestBatch) throws TranslateException {
    int w = descriptor.inputWidth();
    int h = descriptor.inputHeight();
    byte[] grey = new byte[w * h * 3];
    Arrays.fill(grey, (byte) 128);
    VideoFrame frame = new VideoFrame(0, 0, w, h, grey);
    int[] sizes = smallBatches == null
        ? new int[] {1, largestBatch}
        : new int[] {1, Precision.BF16_MIN_BATCH, largestBatch};
    for (int size : Arrays.stream(sizes).filter(s -> s >= 1).distinct().toArray()) {
      try (Predictor<VideoFrame, Prediction> p = newPredictor(size)) {
        p.batchPredict(Collections.nCopies(size, frame));
      }
    }
  }

  @Override
  public void close() {
    try {
      model.close();
    } finally {
      if (smallBatches != null) {
        smallBatches.close();
      }
    }
  }

  @Override
  public String toString() {
    return "LoadedModel[" + name() + ":" + version() + " " + precision + " from " + dir + "]";
  }
}
