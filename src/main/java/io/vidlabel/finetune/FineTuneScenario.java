package io.vidlabel.finetune;

import ai.djl.inference.Predictor;
import io.vidlabel.decode.DecodeLimits;
import io.vidlabel.decode.FrameSampler;
import io.vidlabel.decode.FrameSize;
import io.vidlabel.decode.VideoDecoder;
import io.vidlabel.decode.VideoFrame;
import io.vidlabel.feedback.Feedback;
import io.vidlabel.feedback.FeedbackException;
import io.vidlabel.feedback.FeedbackImages;
import io.vidlabel.feedback.FeedbackSender;
import io.vidlabel.finetune.ShiftedVideo.Look;
import io.vidlabel.inference.LoadedModel;
import io.vidlabel.inference.Prediction;
import io.vidlabel.kafka.EmbeddedKafka;
import io.vidlabel.kafka.KafkaClients;
import io.vidlabel.kafka.TopicSetup;
import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.model.ModelStore;
import io.vidlabel.training.FashionMnist;
import io.vidlabel.training.ImageSet;
import io.vidlabel.training.resnet.ResNetSpec;
import io.vidlabel.util.Directories;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import javax.imageio.ImageIO;

/**
 * The fine-tuning scenario benchmark: a camera starts sending Fashion-MNIST items with a look the
 * default model handles poorly; people label N of its frames; one fine-tuning round runs. For each
 * N it reports accuracy on held-out shifted frames and on normal images before and after, the wall
 * time of the round, and (once) the per-epoch speed of the cached-features path against
 * recomputing the frozen prefix.
 *
 * <p>Everything goes through the product's own parts: the shifted test images are encoded as H.264
 * and decoded by the classifier's decoder; feedback frames travel as PNG records through a real
 * (embedded) Kafka broker to the fine-tuning job; accuracy is measured with the serving path (DJL
 * predictor on the exported SavedModel). Feedback frames come from test images 0..4999 and the
 * held-out shifted frames from 5000..9999, so they never share an image; the in-domain score uses
 * test images 5000..9999 as they are.
 */
public final class FineTuneScenario {

  private static final int POOL_END = 5000;
  private static final int SCALE = 2;
  /** Largest record the scenario's broker, topics and producer take: a PNG feedback frame fits many times. */
  private static final int MAX_RECORD_BYTES = 8 * 1024 * 1024;

  /** One row: what N feedback frames bought. */
  public record Row(
      int feedback,
      double shiftedBefore,
      double shiftedAfter,
      double inDomainBefore,
      double inDomainAfter,
      String servedVersion,
      String decision,
      double roundSeconds,
      double trainSeconds) {}

  /**
   * Seconds per epoch over the largest N's training set (with replay) for one split point.
   *
   * @param trainBlocks last blocks trained with the head
   * @param cachedSeconds the suffix on cached prefix outputs
   * @param recomputeSeconds the same epoch recomputing the frozen prefix every step
   */
  public record EpochTiming(int trainBlocks, double cachedSeconds, double recomputeSeconds, double speedup) {}

  /**
   * The whole result.
   *
   * @param lineage whether the rounds ran on one lineage (counts are totals) or each from the model
   * @param recoveryTarget 90% of the parent's in-domain accuracy: what shifted accuracy must reach
   * @param epochs per-epoch timings, the configured split point first
   */
  public record Report(
      String model,
      boolean lineage,
      String look,
      int trainBlocks,
      String replay,
      int heldOutFrames,
      double recoveryTarget,
      List<Row> rows,
      List<EpochTiming> epochs) {}

  private final FineTuneJob.Settings base;
  private final Path fashionMnistDir;

  /**
   * @param base fine-tuning settings (model, training, replay); the store, dataset, cache and topics
   *     are replaced by the scenario's own for every N
   */
  public FineTuneScenario(FineTuneJob.Settings base, Path fashionMnistDir) {
    this.base = base;
    this.fashionMnistDir = fashionMnistDir;
  }

  /**
   * @param lineage run the rounds on one lineage: the counts are totals, each round adds the frames
   *     beyond the previous count to the same feedback topic and fine-tunes the version the previous
   *     round left served (as {@code finetune --loop} does), instead of starting every count afresh
   *     from the configured version
   * @param timedBlocks further split points (last blocks trained) to time epochs for, besides the
   *     configured one
   */
  public Report run(
      List<Integer> feedbackCounts, boolean lineage, Look look, int epochRounds, List<Integer> timedBlocks,
      PrintStream progress) throws Exception {
    int largest = feedbackCounts.stream().mapToInt(Integer::intValue).max().orElseThrow();
    if (largest > POOL_END) {
      throw new IllegalArgumentException("at most " + POOL_END + " feedback frames");
    }
    for (int i = 1; lineage && i < feedbackCounts.size(); i++) {
      if (feedbackCounts.get(i) <= feedbackCounts.get(i - 1)) {
        throw new IllegalArgumentException("on one lineage the feedback counts are totals and must grow: " + feedbackCounts);
      }
    }
    Path work = Files.createTempDirectory("vidlabel-scenario");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(MAX_RECORD_BYTES)) {
      Path parentDir = base.places().store().directory(base.modelName(), base.fallbackVersion());
      ModelDescriptor parent = ModelDescriptor.read(parentDir);
      ImageSet test = FashionMnist.load(fashionMnistDir, FashionMnist.Split.TEST, 0);
      progress.printf("scenario: rendering %s test images as H.264 and decoding them ...%n", look.label());
      List<VideoFrame> pool = decode(render(work.resolve("feedback.ts"), test, 0, largest, look), FrameSize.NATIVE);
      FrameSize modelSize = new FrameSize(parent.inputWidth(), parent.inputHeight());
      List<VideoFrame> shifted = decode(render(work.resolve("heldout.ts"), test, POOL_END, test.count(), look), modelSize);
      List<VideoFrame> normal = grayFrames(test, POOL_END, test.count());
      int[] truth = new int[test.count() - POOL_END];
      for (int i = 0; i < truth.length; i++) {
        truth[i] = test.label(POOL_END + i);
      }
      Material material = new Material(parentDir, test, pool, shifted, normal, truth, kafka.bootstrapServers(), progress);
      Scores before = material.score(parentDir);
      progress.printf(Locale.ROOT, "scenario: %s/%s top-1 on %d held-out frames: %s %.2f%%, normal %.2f%%%n",
          parent.name(), parent.version(), truth.length, look.label(), 100 * before.shifted(), 100 * before.normal());

      List<Row> rows = new ArrayList<>();
      for (int n : feedbackCounts) {
        Row previous = lineage && !rows.isEmpty() ? rows.get(rows.size() - 1) : null;
        rows.add(previous == null
            ? round(material, 0, n, before, work.resolve(lineage ? "lineage" : "n" + n))
            : round(material, previous.feedback(), n, new Scores(previous.shiftedAfter(), previous.inDomainAfter()),
                work.resolve("lineage")));
      }

      List<EpochTiming> epochs = new ArrayList<>();
      int configuredBlocks = base.training().trainBlocks(ResNetSpec.fromNetwork(parent.network()));
      List<Integer> blocks = new ArrayList<>(List.of(configuredBlocks));
      timedBlocks.stream().filter(k -> !blocks.contains(k)).forEach(blocks::add);
      List<FineTuner.Example> train = timingExamples(parent, pool, test, largest);
      List<FineTuner.Example> rehearsal =
          Replay.parse(base.replay(), parent, base.places().fashionMnistDir(), null).train();
      for (int k : blocks) {
        progress.printf("scenario: timing epochs of both paths, last %d blocks trained ...%n", k);
        FineTuner.Settings t = base.training();
        FineTuner tuner = new FineTuner(parent, parentDir,
            new FineTuner.Settings(k, t.epochs(), t.batchSize(), t.learningRate(), t.weightDecay(), t.anchored(),
                t.distillation(), t.seed()),
            new FeatureCache(work.resolve("timing")));
        double[] seconds = tuner.epochSeconds(train, rehearsal, epochRounds);
        epochs.add(new EpochTiming(k, seconds[0], seconds[1], seconds[1] / seconds[0]));
      }
      return new Report(parent.name() + "/" + parent.version(), lineage, look.label(), configuredBlocks,
          base.replay(), truth.length, 0.9 * before.normal(), rows, epochs);
    } finally {
      Directories.deleteQuietly(work);
    }
  }

  /**
   * What every round of a run shares: the configured model, the test images, the rendered frames
   * (feedback pool, held-out shifted and normal) with their labels, the broker and the log.
   */
  private record Material(
      Path parentDir, ImageSet test, List<VideoFrame> pool, List<VideoFrame> shifted, List<VideoFrame> normal,
      int[] truth, String servers, PrintStream progress) {

    /** Top-1 of the model in {@code modelDir} on the held-out frames. */
    Scores score(Path modelDir) throws Exception {
      try (LoadedModel m = LoadedModel.load(modelDir)) {
        return new Scores(top1(m, shifted, truth), top1(m, normal, truth));
      }
    }
  }

  /** Top-1 on the held-out shifted and normal frames. */
  private record Scores(double shifted, double normal) {}

  /**
   * Sends feedback frames {@code sent..n-1} and runs one round in {@code dir} (its store, dataset,
   * cache and topics; the first round there copies the configured version into the store).
   */
  private Row round(Material material, int sent, int n, Scores before, Path dir) throws Exception {
    PrintStream progress = material.progress();
    progress.printf("scenario: --- %d feedback frames ---%n", n);
    ModelStore store = new ModelStore(dir.resolve("store"));
    Path first = store.directory(base.modelName(), base.fallbackVersion());
    if (!Files.exists(first)) {
      Directories.copy(material.parentDir(), first);
    }
    String prefix = "scenario-" + dir.getFileName();
    FineTuneJob.Settings s = base
        .withDirectories(store, dir.resolve("dataset"), dir.resolve("cache"))
        .withTopics(prefix + ".feedback", prefix + ".dead-letters", prefix + ".model-updates");
    Properties client = KafkaClients.common(material.servers(), Map.of());
    Properties producer = new Properties();
    producer.putAll(client);
    producer.put("max.request.size", MAX_RECORD_BYTES);
    for (String topic : List.of(s.topics().feedback(), s.topics().deadLetters())) {
      TopicSetup.ensureMediaTopic(client, topic, MAX_RECORD_BYTES);
    }
    try (FeedbackSender sender = new FeedbackSender(producer, s.topics().feedback())) {
      for (int i = sent; i < n; i++) {
        sender.send(new Feedback(FashionMnist.LABELS.get(material.test().label(i)), png(material.pool().get(i)),
            "scenario-camera", "scenario"));
      }
    }
    long start = System.nanoTime();
    FineTuneJob.Outcome outcome = new FineTuneJob(s, client).runOnce(progress);
    double seconds = (System.nanoTime() - start) / 1e9;
    if (outcome.verdict() == FineTuneJob.Verdict.FAILED) {
      throw new IllegalStateException("scenario: the fine-tuning round with N=" + n + " failed: " + outcome.decision());
    }
    String served = outcome.promotedVersion() != null ? outcome.promotedVersion() : outcome.parentVersion();
    Scores after = material.score(store.directory(base.modelName(), served));
    progress.printf(Locale.ROOT, "scenario: N=%d: shifted %.2f%% -> %.2f%%, normal %.2f%% -> %.2f%%, %.0f s%n",
        n, 100 * before.shifted(), 100 * after.shifted(), 100 * before.normal(), 100 * after.normal(), seconds);
    return new Row(n, before.shifted(), after.shifted(), before.normal(), after.normal(), served, outcome.decision(),
        seconds, outcome.result() == null ? 0 : outcome.result().trainSeconds());
  }

  /** What an epoch of the largest N trains on: its feedback frames (and their mirror images) and the replay. */
  private List<FineTuner.Example> timingExamples(ModelDescriptor parent, List<VideoFrame> pool, ImageSet test, int n) {
    FeedbackImages images = new FeedbackImages(parent, DecodeLimits.defaults(), base.feedback().maxImageBytes());
    List<FineTuner.Example> train = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      try {
        train.add(new FineTuner.Example("pool-" + i, test.label(i), images.pixels(png(pool.get(i)))));
      } catch (FeedbackException e) {
        throw new IllegalStateException("scenario frame " + i + " does not decode: " + e.getMessage(), e);
      }
    }
    if (base.feedback().mirror()) {
      train.addAll(FineTuner.mirrored(train, parent.inputWidth(), parent.inputHeight()));
    }
    return train;
  }

  private static Path render(Path file, ImageSet data, int from, int to, Look look) throws IOException {
    ShiftedVideo.write(file, data, from, to, look, SCALE);
    return file;
  }

  private static List<VideoFrame> decode(Path file, FrameSize size) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    DecodeLimits limits = DecodeLimits.defaults()
        .withMaxInputBytes(Math.max(bytes.length, 1))
        .withMaxFrames(POOL_END * 2)
        .withMaxDuration(Duration.ofHours(1))
        .withMaxDecodeTime(Duration.ofMinutes(10));
    return new VideoDecoder(limits).decode(bytes, FrameSampler.all(), size).frames();
  }

  /** Images as gray RGB frames, exactly the pixels the model was trained on. */
  private static List<VideoFrame> grayFrames(ImageSet data, int from, int to) {
    List<VideoFrame> out = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      byte[] rgb = new byte[data.rows() * data.cols() * 3];
      int k = 0;
      for (int y = 0; y < data.rows(); y++) {
        for (int x = 0; x < data.cols(); x++) {
          byte v = (byte) data.pixel(i, y, x);
          rgb[k++] = v;
          rgb[k++] = v;
          rgb[k++] = v;
        }
      }
      out.add(new VideoFrame(i - from, 0, data.cols(), data.rows(), rgb));
    }
    return out;
  }

  /** Top-1 through the serving path. */
  private static double top1(LoadedModel model, List<VideoFrame> frames, int[] truth) throws Exception {
    if (frames.size() != truth.length) {
      throw new IllegalStateException("decoded " + frames.size() + " frames for " + truth.length + " images");
    }
    int correct = 0;
    List<String> labels = model.descriptor().labels();
    try (Predictor<VideoFrame, Prediction> p = model.newPredictor()) {
      for (int from = 0; from < frames.size(); from += 250) {
        List<Prediction> out = p.batchPredict(frames.subList(from, Math.min(frames.size(), from + 250)));
        for (int j = 0; j < out.size(); j++) {
          if (labels.indexOf(out.get(j).ranked().get(0).name()) == truth[from + j]) {
            correct++;
          }
        }
      }
    }
    return correct / (double) truth.length;
  }

  /** A decoded frame as PNG: what a labelling tool would send back. */
  private static byte[] png(VideoFrame frame) {
    BufferedImage image = new BufferedImage(frame.width(), frame.height(), BufferedImage.TYPE_INT_RGB);
    byte[] rgb = frame.rgb();
    for (int y = 0, k = 0; y < frame.height(); y++) {
      for (int x = 0; x < frame.width(); x++, k += 3) {
        image.setRGB(x, y, (rgb[k] & 0xFF) << 16 | (rgb[k + 1] & 0xFF) << 8 | (rgb[k + 2] & 0xFF));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

}
