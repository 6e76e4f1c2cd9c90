package io.vidlabel.bench;

import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.training.TensorFlowRuntime;
import io.vidlabel.util.Stats;
import java.nio.file.Path;
import java.util.Locale;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The CPU's ceiling as TensorFlow sees it: GFLOP/s of one large fp32 matrix product (the best
 * case for the math library: no memory-bound layers, no small shapes), beside the GFLOP/s a
 * model's inference reaches in a bare session. Their quotient says how much of the machine the
 * model can use at all, which bounds what any serving layer on top can reach.
 */
public final class CeilingBench {

  /**
   * ResNet-50's forward pass at 224x224: 3.8 x 10^9 multiply-adds (He et al. 2015, table 1), two
   * floating-point operations each.
   */
  public static final double RESNET50_GFLOP_PER_IMAGE = 2 * 3.8;

  /** One measurement. */
  public record Ceiling(
      int matrixSize,
      double matmulGflops,
      String model,
      int batch,
      double modelImagesPerSecond,
      double modelGflopPerImage,
      double modelGflops,
      double fractionOfMatmul) {}

  private CeilingBench() {}

  /**
   * Times {@code repetitions} products of two {@code n x n} matrices and {@code repetitions} x
   * {@code batches} inference batches of the model, alternating, and reports the medians.
   */
  public static Ceiling run(
      int n, Path modelDir, String modelName, double gflopPerImage, int batch, int batches,
      int repetitions) {
    TensorFlowRuntime.ensureLoaded();
    double[] matmul = new double[repetitions];
    double[] images = new double[repetitions];
    try (Graph graph = new Graph();
        BareModel model = new BareModel(modelDir, ModelDescriptor.read(modelDir), batch, 1L)) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> a = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(n, n)));
      Placeholder<TFloat32> b = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(n, n)));
      // Reduce to a scalar so fetching the result costs nothing next to the product.
      Operand<TFloat32> product = tf.reduceSum(tf.linalg.matMul(a, b), tf.constant(new int[] {0, 1}));
      try (Session session = new Session(graph);
          TFloat32 x = BareModel.randomTensor(Shape.of(n, n), 1L);
          TFloat32 y = BareModel.randomTensor(Shape.of(n, n), 2L)) {
        Runnable multiply = () -> {
          try (Result r = session.runner().feed(a, x).feed(b, y).fetch(product).run()) {
            r.get(0);
          }
        };
        multiply.run(); // warm-up
        model.runBatch();
        for (int r = 0; r < repetitions; r++) {
          long start = System.nanoTime();
          multiply.run();
          matmul[r] = 2.0 * n * n * n / ((System.nanoTime() - start) / 1e9) / 1e9;
          start = System.nanoTime();
          long done = 0;
          for (int i = 0; i < batches; i++) {
            done += model.runBatch();
          }
          images[r] = done / ((System.nanoTime() - start) / 1e9);
        }
      }
    }
    double gflops = Stats.median(matmul);
    double perSecond = Stats.median(images);
    double modelGflops = perSecond * gflopPerImage;
    return new Ceiling(n, gflops, modelName, batch, perSecond, gflopPerImage, modelGflops, modelGflops / gflops);
  }

  /** The row as a Markdown table. */
  public static String markdown(Ceiling c) {
    return "| ceiling | matmul n | matmul GFLOP/s | model | batch | images/s | GFLOP/image | model GFLOP/s"
        + " | model / matmul |\n"
        + "|---|---:|---:|---|---:|---:|---:|---:|---:|\n"
        + String.format(Locale.ROOT, "| TF fp32, bare session | %d | %.1f | %s | %d | %.1f | %.1f | %.1f | %.2f |%n",
            c.matrixSize(), c.matmulGflops(), c.model(), c.batch(), c.modelImagesPerSecond(),
            c.modelGflopPerImage(), c.modelGflops(), c.fractionOfMatmul());
  }
}
