package io.vidlabel.training;

import ai.djl.engine.Engine;
import io.vidlabel.inference.TensorflowNatives;
import org.tensorflow.Result;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Small helpers around the TensorFlow Java core API shipped in DJL's tensorflow-api jar. */
public final class TensorFlowRuntime {

  private TensorFlowRuntime() {}

  /**
   * Loads the TensorFlow native library through DJL. Call before touching {@code org.tensorflow.*}:
   * the core API classes do not load natives themselves here (DESIGN.md, point 1).
   */
  public static void ensureLoaded() {
    TensorflowNatives.configure();
    Engine.getEngine("TensorFlow");
  }

  /** A new float32 tensor holding {@code values} (row-major). */
  public static TFloat32 tensor(Shape shape, float[] values) {
    return TFloat32.tensorOf(shape, DataBuffers.of(values, true, false));
  }

  /** Copies a float32 tensor into a new array. */
  public static float[] floats(Tensor tensor) {
    TFloat32 t = (TFloat32) tensor;
    float[] out = new float[(int) t.shape().size()];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  /** The float32 output {@code index} of a run, copied into a new array. */
  public static float[] floats(Result result, int index) {
    return floats(result.get(index));
  }

  /** A float32 scalar result. */
  public static float scalar(Result result, int index) {
    return ((TFloat32) result.get(index)).getFloat();
  }
}
