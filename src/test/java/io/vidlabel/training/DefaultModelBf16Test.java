package io.vidlabel.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.inference.Predictor;
import io.vidlabel.decode.VideoFrame;
import io.vidlabel.inference.Label;
import io.vidlabel.inference.LoadedModel;
import io.vidlabel.inference.ModelBatchHandler;
import io.vidlabel.inference.Precision;
import io.vidlabel.inference.Prediction;
import io.vidlabel.training.FashionMnist.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The default model served in {@link Precision#BF16} labels Fashion-MNIST test images as it does in
 * FP32, with scores a few hundredths apart, and really runs the bfloat16 rewrite (its scores are
 * not bit-identical to FP32's).
 */
class DefaultModelBf16Test {

  private static final Path MODEL = Path.of("models/fashion-resnet/1");
  private static final Path CPU_INFO = Path.of("/proc/cpuinfo");
  private static final int IMAGES = 500;
  /** Several frames per call, as the batcher forms them: the rewrite's case. */
  private static final int BATCH = 50;

  private static List<Prediction> fp32;
  private static List<Prediction> bf16;

  @BeforeAll
  static void classifyInBothPrecisions() throws Exception {
    ImageSet test = FashionMnist.load(TestData.fashionMnist(), Split.TEST, IMAGES);
    List<VideoFrame> frames = IntStream.range(0, test.count()).mapToObj(i -> DefaultModelTest.greyFrame(test, i)).toList();
    fp32 = classify(frames, Precision.FP32);
    bf16 = classify(frames, Precision.BF16);
  }

  private static List<Prediction> classify(List<VideoFrame> frames, Precision precision) throws Exception {
    List<Prediction> out = new ArrayList<>(frames.size());
    try (LoadedModel model = LoadedModel.load(MODEL, precision);
        Predictor<VideoFrame, Prediction> predictor = model.newPredictor()) {
      assertThat(model.precision()).isEqualTo(precision);
      for (int from = 0; from < frames.size(); from += BATCH) {
        out.addAll(predictor.batchPredict(frames.subList(from, Math.min(frames.size(), from + BATCH))));
      }
    }
    return out;
  }

  @Test
  void bf16GivesTheSameTopLabelForNearlyEveryImageWithCloseScores() {
    int same = 0;
    double difference = 0;
    for (int i = 0; i < IMAGES; i++) {
      Label a = fp32.get(i).top();
      Label b = bf16.get(i).top();
      if (a.name().equals(b.name())) {
        same++;
        assertThat(b.score()).as("image %d, %s", i, a.name()).isCloseTo(a.score(), within(0.25f));
        difference += Math.abs(a.score() - b.score());
      }
    }
    assertThat(same).isGreaterThanOrEqualTo(IMAGES * 98 / 100);
    assertThat(difference / same).as("mean score difference").isLessThan(0.01);
  }

  @Test
  void bf16ReallyChangesTheArithmetic() throws IOException {
    // TensorFlow runs the rewrite only on CPUs with AVX-512; elsewhere BF16 is FP32.
    assumeTrue(Files.isReadable(CPU_INFO) && Files.readString(CPU_INFO).contains(" avx512f "), "no AVX-512");
    assertThat(IntStream.range(0, IMAGES).anyMatch(i -> fp32.get(i).top().score() != bf16.get(i).top().score()))
        .isTrue();
  }

  @Test
  void batchesBelowTheBf16MinimumRunOnTheFp32SessionAndTheRestInBf16() throws Exception {
    assumeTrue(Files.isReadable(CPU_INFO) && Files.readString(CPU_INFO).contains(" avx512f "), "no AVX-512");
    ImageSet test = FashionMnist.load(TestData.fashionMnist(), Split.TEST, Precision.BF16_MIN_BATCH);
    List<VideoFrame> frames = IntStream.range(0, test.count()).mapToObj(i -> DefaultModelTest.greyFrame(test, i)).toList();
    List<VideoFrame> small = frames.subList(0, Precision.BF16_MIN_BATCH - 1);
    try (LoadedModel fp32Model = LoadedModel.load(MODEL, Precision.FP32);
        LoadedModel bf16Model = LoadedModel.load(MODEL, Precision.BF16);
        ModelBatchHandler fp32Handler = new ModelBatchHandler(fp32Model);
        ModelBatchHandler bf16Handler = new ModelBatchHandler(bf16Model)) {
      assertThat(bf16Model.usesSmallBatchSession(Precision.BF16_MIN_BATCH - 1)).isTrue();
      assertThat(bf16Model.usesSmallBatchSession(Precision.BF16_MIN_BATCH)).isFalse();
      assertThat(fp32Model.usesSmallBatchSession(1)).isFalse();

      // Bit for bit the fp32 scores: the batch ran on the fp32 session.
      assertThat(bf16Handler.handle(frames.subList(0, 1))).isEqualTo(fp32Handler.handle(frames.subList(0, 1)));
      assertThat(bf16Handler.handle(small)).isEqualTo(fp32Handler.handle(small));
      // A full-size batch runs the bfloat16 rewrite: not bit-identical.
      assertThat(bf16Handler.handle(frames)).isNotEqualTo(fp32Handler.handle(frames));
    }
  }
}
