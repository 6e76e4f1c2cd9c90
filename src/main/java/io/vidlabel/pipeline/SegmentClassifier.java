package io.vidlabel.pipeline;

import io.vidlabel.decode.DecodeException;
import io.vidlabel.decode.DecodedVideo;
import io.vidlabel.decode.FrameSampler;
import io.vidlabel.decode.FrameSize;
import io.vidlabel.decode.VideoDecoder;
import io.vidlabel.decode.VideoFrame;
import io.vidlabel.inference.InferenceBatcher;
import io.vidlabel.inference.Prediction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.LongConsumer;

/**
 * Decodes one input record, samples its frames and classifies them (through the shared batcher,
 * in the service).
 *
 * <p>Everything happens inside one call and nothing is kept afterwards: the caller (a stream
 * processor or the {@code classify} command) gets all results before it returns, which is what
 * lets Kafka Streams commit offsets only after the results are produced (DESIGN.md point 5).
 * Thread-safe; concurrent callers share batches.
 */
public final class SegmentClassifier {

  private final VideoDecoder decoder;
  private final FrameSampler sampler;
  private final FrameSize inputSize;
  private final FrameInference inference;
  private volatile LongConsumer decodeTimes = nanos -> {};

  public SegmentClassifier(
      VideoDecoder decoder,
      FrameSampler sampler,
      FrameSize inputSize,
      FrameInference inference) {
    this.decoder = decoder;
    this.sampler = sampler;
    this.inputSize = inputSize;
    this.inference = inference;
  }

  /** Told the duration in nanoseconds of every decode, failed ones included. */
  public void onDecoded(LongConsumer decodeTimes) {
    this.decodeTimes = decodeTimes;
  }

  /** A video segment: frames sampled by the configured policy. */
  public ClassifiedInput classifySegment(byte[] media)
      throws DecodeException, InferenceFailedException, InterruptedException {
    try (InferenceBatcher.Preparation frames = inference.prepare()) {
      return classify(decode(media, sampler));
    }
  }

  /** A still image (or anything decodable): every frame classified. */
  public ClassifiedInput classifyImage(byte[] image)
      throws DecodeException, InferenceFailedException, InterruptedException {
    try (InferenceBatcher.Preparation frames = inference.prepare()) {
      return classify(decode(image, FrameSampler.all()));
    }
  }

  private DecodedVideo decode(byte[] media, FrameSampler frames) throws DecodeException {
    long start = System.nanoTime();
    try {
      return decoder.decode(media, frames, inputSize);
    } finally {
      decodeTimes.accept(System.nanoTime() - start);
    }
  }

  private ClassifiedInput classify(DecodedVideo video)
      throws InferenceFailedException, InterruptedException {
    List<VideoFrame> frames = video.frames();
    List<CompletableFuture<Prediction>> pending = inference.submitAll(frames);
    List<ClassifiedFrame> results = new ArrayList<>(frames.size());
    for (int i = 0; i < frames.size(); i++) {
      VideoFrame frame = frames.get(i);
      try {
        results.add(new ClassifiedFrame(frame.index(), frame.ptsMicros(), pending.get(i).get(), frame));
      } catch (ExecutionException e) {
        throw new InferenceFailedException(
            "inference failed for frame " + frame.index() + ": " + rootMessage(e.getCause()),
            e.getCause());
      }
    }
    return new ClassifiedInput(video.framesDecoded(), results);
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
