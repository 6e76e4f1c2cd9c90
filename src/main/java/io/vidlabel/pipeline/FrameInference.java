package io.vidlabel.pipeline;

import io.vidlabel.decode.VideoFrame;
import io.vidlabel.inference.Prediction;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * How a {@link SegmentClassifier} gets its frames classified: the service hands them to the
 * shared {@link io.vidlabel.inference.InferenceBatcher}; the benchmark's per-frame baseline calls
 * a model on the caller's thread, one frame at a time.
 */
@FunctionalInterface
public interface FrameInference {

  /** One future per frame, in order; the caller waits for all of them before submitting again. */
  List<CompletableFuture<Prediction>> submitAll(List<VideoFrame> frames);
}
