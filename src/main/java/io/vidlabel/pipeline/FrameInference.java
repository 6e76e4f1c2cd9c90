package io.vidlabel.pipeline;

import io.vidlabel.decode.VideoFrame;
import io.vidlabel.inference.InferenceBatcher;
import io.vidlabel.inference.Prediction;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * How a {@link SegmentClassifier} gets its frames classified: the service hands them to the
 * shared {@link io.vidlabel.inference.InferenceBatcher}; the benchmark's per-frame baseline calls
 * a model on the caller's thread, one frame at a time.
 */
public interface FrameInference {

  /**
   * Says the calling thread is about to decode an input whose frames it will pass to {@link
   * #submitAll} next, so a batch may wait for them ({@link InferenceBatcher#prepare}).
   */
  InferenceBatcher.Preparation prepare();

  /** One future per frame, in order; the caller waits for all of them before submitting again. */
  List<CompletableFuture<Prediction>> submitAll(List<VideoFrame> frames);

  /** Through the shared batcher. */
  static FrameInference batched(InferenceBatcher<VideoFrame, Prediction> batcher) {
    return new FrameInference() {
      @Override
      public InferenceBatcher.Preparation prepare() {
        return batcher.prepare();
      }

      @Override
      public List<CompletableFuture<Prediction>> submitAll(List<VideoFrame> frames) {
        return batcher.submitAll(frames);
      }
    };
  }
}
