package io.vidlabel.pipeline;

import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.decode.DecodeLimits;
import io.vidlabel.decode.FrameSampler;
import io.vidlabel.decode.FrameSize;
import io.vidlabel.decode.VideoDecoder;
import io.vidlabel.decode.VideoFrame;
import io.vidlabel.inference.InferenceBatcher;
import io.vidlabel.inference.LoadedModel;
import io.vidlabel.inference.ModelBatchHandler;
import io.vidlabel.inference.Precision;
import io.vidlabel.inference.Prediction;
import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.model.ModelException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The decoding and inference half of the service, without Kafka: a loaded model, its batcher and
 * the classifier that drives both. Used by the stream topology, the {@code classify} command and
 * the benchmark alike.
 */
public final class Pipeline implements AutoCloseable {

  /** How inference batches are formed. */
  public record Batching(int maxBatchSize, Duration maxQueueDelay, int queueCapacity) {
    public static Batching from(VidlabelConfig.Batching c) {
      return new Batching(c.maxBatchSize(), c.maxQueueDelay(), c.queueCapacity());
    }
  }

  private final ModelBatchHandler handler;
  private final InferenceBatcher<VideoFrame, Prediction> batcher;
  private final SegmentClassifier classifier;
  private volatile PipelineMetrics metrics; // null until attachMetrics
  /** Predictors of the per-frame baseline, one per calling thread; closed with the pipeline. */
  private final List<ModelBatchHandler> perThread = new CopyOnWriteArrayList<>();

  private Pipeline(
      LoadedModel model, DecodeLimits limits, FrameSampler sampler, Batching batching,
      boolean perFrame) {
    this.handler = new ModelBatchHandler(model);
    this.batcher =
        new InferenceBatcher<>(
            "cpu",
            handler,
            batching.maxBatchSize(),
            batching.maxQueueDelay(),
            batching.queueCapacity());
    ModelDescriptor d = model.descriptor();
    this.classifier =
        new SegmentClassifier(
            new VideoDecoder(limits),
            sampler,
            new FrameSize(d.inputWidth(), d.inputHeight()),
            perFrame ? perFrameInference(model) : FrameInference.batched(batcher));
  }

  /**
   * The way simple Kafka Streams + model examples classify: every stream thread calls its own
   * predictor once per frame, no batching across threads. A benchmark baseline only: it follows
   * no model swaps and reports no batch metrics.
   */
  private FrameInference perFrameInference(LoadedModel model) {
    ThreadLocal<ModelBatchHandler> own = ThreadLocal.withInitial(() -> {
      ModelBatchHandler h = new ModelBatchHandler(model);
      perThread.add(h);
      return h;
    });
    return new FrameInference() {
      @Override
      public InferenceBatcher.Preparation prepare() {
        return InferenceBatcher.Preparation.NONE;
      }

      @Override
      public List<CompletableFuture<Prediction>> submitAll(List<VideoFrame> frames) {
        ModelBatchHandler h = own.get();
        List<CompletableFuture<Prediction>> out = new ArrayList<>(frames.size());
        for (VideoFrame frame : frames) {
          try {
            out.add(CompletableFuture.completedFuture(h.handle(List.of(frame)).get(0)));
          } catch (Exception e) {
            out.add(CompletableFuture.failedFuture(e));
          }
        }
        return out;
      }
    };
  }

  public static Pipeline open(
      Path modelDir, DecodeLimits limits, FrameSampler sampler, Batching batching) {
    return open(modelDir, Precision.FP32, limits, sampler, batching, false);
  }

  /**
   * As {@link #open(Path, DecodeLimits, FrameSampler, Batching)}, with the model in {@code
   * precision}; with {@code perFrame}, the benchmark's baseline instead of the batcher: each
   * calling thread runs the model one frame at a time on its own predictor.
   */
  public static Pipeline open(
      Path modelDir, Precision precision, DecodeLimits limits, FrameSampler sampler,
      Batching batching, boolean perFrame) {
    LoadedModel model = LoadedModel.load(modelDir, precision);
    try {
      return new Pipeline(model, limits, sampler, batching, perFrame);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /**
   * The service's pipeline: the configured model, limits, sampling and batching, with the model
   * {@linkplain LoadedModel#warmUp(int) warmed up} at one frame and the largest batch, so the first
   * real batches do not pay TensorFlow's graph setup, and a model that loads but cannot classify a
   * frame stops the start instead of sending every frame to the dead letters.
   *
   * @throws ModelException if the model cannot be loaded or cannot classify a frame
   */
  public static Pipeline open(VidlabelConfig config) {
    Pipeline pipeline = open(
        Path.of(config.model().path()),
        config.model().precision(),
        decodeLimits(config.decode()),
        FrameSampler.parse(config.sampling().frames()),
        Batching.from(config.batching()),
        false);
    LoadedModel model = pipeline.model();
    try {
      model.warmUp(pipeline.maxBatchSize());
      return pipeline;
    } catch (Exception e) {
      pipeline.close();
      throw new ModelException("model " + model.name() + ":" + model.version() + " from "
          + config.model().path() + " loads but cannot classify a frame: " + e.getMessage(), e);
    }
  }

  public static DecodeLimits decodeLimits(VidlabelConfig.Decode c) {
    return new DecodeLimits(
        c.maxInputBytes(),
        c.maxWidth(),
        c.maxHeight(),
        c.maxPixels(),
        c.maxFrames(),
        c.maxDuration(),
        c.maxDecodeTime(),
        DecodeLimits.defaults().allowedFormats());
  }

  /**
   * Records decode times, batch sizes, queue delays, inference times and the served model version
   * (kept current across {@link #swapModel swaps}) in {@code metrics}.
   */
  public void attachMetrics(PipelineMetrics metrics) {
    this.metrics = metrics;
    batcher.setListener(metrics);
    classifier.onDecoded(metrics::decoded);
    metrics.modelServed(model().name(), model().version());
  }

  public SegmentClassifier classifier() {
    return classifier;
  }

  /** Largest batch the model is handed. */
  public int maxBatchSize() {
    return batcher.maxBatchSize();
  }

  /** The model the next batch will use. */
  public LoadedModel model() {
    return handler.current();
  }

  /**
   * Serves {@code next} from the next batch on (no batch mixes two models). Blocks until the batch
   * in flight has finished; the returned previous model is then unused and may be closed.
   *
   * @throws IllegalArgumentException if {@code next} takes another input size: frames already
   *     being decoded are scaled for the current one
   */
  public LoadedModel swapModel(LoadedModel next) {
    var current = handler.current().descriptor();
    var d = next.descriptor();
    if (!d.inputWidth().equals(current.inputWidth()) || !d.inputHeight().equals(current.inputHeight())) {
      throw new IllegalArgumentException("model " + d.name() + ":" + d.version() + " takes "
          + d.inputWidth() + "x" + d.inputHeight() + " frames, not " + current.inputWidth() + "x"
          + current.inputHeight());
    }
    LoadedModel previous = handler.swap(next);
    PipelineMetrics m = metrics;
    if (m != null) {
      m.modelServed(next.name(), next.version());
    }
    return previous;
  }

  public InferenceBatcher<VideoFrame, Prediction> batcher() {
    return batcher;
  }

  @Override
  public void close() {
    batcher.close();
    perThread.forEach(ModelBatchHandler::close);
    handler.close();
    handler.current().close();
  }
}
