package io.vidlabel.bench;

import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.training.TensorFlowRuntime;
import java.nio.file.Path;
import java.util.Random;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TFloat32;

/**
 * The reference every serving benchmark divides by: a bare TensorFlow session on the same
 * SavedModel, fed one input tensor built before timing, fetching the scores the service reads.
 * No decoding, no normalisation, no batching, no Kafka: only the model's own compute.
 */
final class BareModel implements AutoCloseable {

  private final SavedModelBundle bundle;
  private final String input;
  private final String output;
  private final TFloat32 batch;
  private final int batchSize;

  BareModel(Path modelDir, ModelDescriptor d, int batchSize, long seed) {
    this.bundle = SavedModelBundle.load(modelDir.toString(), "serve");
    try {
      SignatureDef signature = bundle.metaGraphDef().getSignatureDefOrThrow(d.signature());
      this.input = signature.getInputsOrThrow(d.inputTensor()).getName();
      this.output = signature.getOutputsOrThrow(d.outputTensor()).getName();
      Shape shape = d.channelsFirst()
          ? Shape.of(batchSize, d.channels(), d.inputHeight(), d.inputWidth())
          : Shape.of(batchSize, d.inputHeight(), d.inputWidth(), d.channels());
      this.batch = randomTensor(shape, seed);
      this.batchSize = batchSize;
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  /** Runs the model on the prepared batch; returns the images it scored. */
  long runBatch() {
    try (Result r = bundle.session().runner().feed(input, batch).fetch(output).run()) {
      return r.get(0).shape().get(0);
    }
  }

  /** Runs batches until at least {@code images} images are scored; returns how many were. */
  long run(long images) {
    long done = 0;
    while (done < images) {
      done += runBatch();
    }
    return done;
  }

  int batchSize() {
    return batchSize;
  }

  static TFloat32 randomTensor(Shape shape, long seed) {
    Random random = new Random(seed);
    float[] values = new float[(int) shape.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return TensorFlowRuntime.tensor(shape, values);
  }

  @Override
  public void close() {
    batch.close();
    bundle.close();
  }
}
