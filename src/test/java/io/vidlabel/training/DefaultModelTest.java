package io.vidlabel.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.inference.Predictor;
import io.vidlabel.decode.VideoFrame;
import io.vidlabel.inference.LoadedModel;
import io.vidlabel.inference.Prediction;
import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.training.FashionMnist.Split;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed default model, fed the 10,000 Fashion-MNIST test images the way the service feeds
 * video frames (packed RGB through the serving translator, preprocessing from model.json), must
 * reproduce the top-1 accuracy its model.json and MODEL_CARD.md state.
 */
class DefaultModelTest {

  private static final Path MODEL = Path.of("models/fashion-resnet/1");
  private static final int BATCH = 250;

  @Test
  void servingPathReproducesTheRecordedTestAccuracy() throws Exception {
    ModelDescriptor descriptor = ModelDescriptor.read(MODEL);
    double recorded = ((Number) descriptor.metrics().get("top1")).doubleValue();
    ImageSet test = FashionMnist.load(FashionMnist.DEFAULT_DIR, Split.TEST, 0);

    int correct = 0;
    try (LoadedModel model = LoadedModel.load(MODEL);
        Predictor<VideoFrame, Prediction> predictor = model.newPredictor()) {
      for (int from = 0; from < test.count(); from += BATCH) {
        List<VideoFrame> frames = new ArrayList<>(BATCH);
        for (int i = from; i < Math.min(test.count(), from + BATCH); i++) {
          frames.add(greyFrame(test, i));
        }
        List<Prediction> predictions = predictor.batchPredict(frames);
        for (int k = 0; k < predictions.size(); k++) {
          String truth = FashionMnist.LABELS.get(test.label(from + k));
          if (predictions.get(k).top().name().equals(truth)) {
            correct++;
          }
        }
      }
    }
    double top1 = correct / (double) test.count();
    assertThat(top1).isGreaterThanOrEqualTo(0.94).isCloseTo(recorded, within(0.001));
  }

  /** A grey test image as the decoder would hand it over: R = G = B. */
  static VideoFrame greyFrame(ImageSet test, int index) {
    byte[] rgb = new byte[test.rows() * test.cols() * 3];
    for (int y = 0; y < test.rows(); y++) {
      for (int x = 0; x < test.cols(); x++) {
        byte v = (byte) test.pixel(index, y, x);
        int at = (y * test.cols() + x) * 3;
        rgb[at] = v;
        rgb[at + 1] = v;
        rgb[at + 2] = v;
      }
    }
    return new VideoFrame(index, 0, test.cols(), test.rows(), rgb);
  }
}
