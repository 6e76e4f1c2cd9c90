package io.vidlabel.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vidlabel.inference.LoadedModel;
import io.vidlabel.model.ModelChecksum;
import io.vidlabel.training.FashionMnist.Split;
import io.vidlabel.training.resnet.ResNetSpec.BlockType;
import io.vidlabel.training.resnet.ResNetSpec;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

class ExportRoundTripTest {

  private static final int N = 6;

  @Test
  void exportedModelGivesTheSameProbabilitiesInTensorFlowJavaAndDjl(@TempDir Path out) throws Exception {
    Path data = TestData.fashionMnist();
    ResNetSpec spec = ResNetSpec.smallImage(11, 4, BlockType.BOTTLENECK);
    TrainConfig config = TrainConfig.builder(spec, out.resolve("run"))
        .dataDir(data).limit(64).epochs(1).batchSize(32).learningRate(0.05f).seed(5).build();
    Path modelDir = out.resolve("model");
    ImageSet test = FashionMnist.load(data, Split.TEST, N);
    float[] towerProbabilities;
    try (Trainer trainer = new Trainer(config)) {
      var result = trainer.train(System.err);
      towerProbabilities = trainer.probabilities(test);
      ModelExporter.export(spec, result.checkpointPrefix(), modelDir, "stage3",
          new ModelExporter.Descriptor("fashion-test", "1", FashionMnist.LABELS,
              Normalisation.FASHION_MNIST, Map.of("dataset", "fashion-mnist"), Map.of(), null));
    }

    // The service's input: RGB frames, scaled and normalised per model.json.
    float[] rgb = ServingInput.rgb(test, 0, N, Normalisation.FASHION_MNIST);
    float[] viaTensorFlow;
    float[] features;
    try (SavedModelBundle bundle = SavedModelBundle.load(modelDir.toString(), "serve");
        TFloat32 input = TensorFlowRuntime.tensor(Shape.of(N, 28, 28, 3), rgb);
        Result r = bundle.function("serving_default").call(Map.of("images", input));
        Result f = bundle.function("features").call(Map.of("images", input))) {
      viaTensorFlow = TensorFlowRuntime.floats(r.get("probabilities").orElseThrow());
      Tensor feat = f.get("features").orElseThrow();
      assertThat(feat.shape().asArray()).containsExactly(N, 7, 7, 64);
      features = TensorFlowRuntime.floats(feat);
    }
    assertThat(features).isNotEmpty();

    float[] viaDjl;
    Criteria<NDList, NDList> criteria = Criteria.builder()
        .setTypes(NDList.class, NDList.class)
        .optModelPath(modelDir)
        .optEngine("TensorFlow")
        .build();
    try (ZooModel<NDList, NDList> model = criteria.loadModel();
        Predictor<NDList, NDList> predictor = model.newPredictor();
        NDManager manager = NDManager.newBaseManager("TensorFlow")) {
      NDArray x = manager.create(rgb, new ai.djl.ndarray.types.Shape(N, 28, 28, 3));
      x.setName("images");
      NDList output = predictor.predict(new NDList(x));
      NDArray probabilities = output.get("probabilities");
      if (probabilities == null) {
        probabilities = output.head();
      }
      viaDjl = probabilities.toFloatArray();
    }

    assertThat(viaTensorFlow).hasSize(N * 10);
    for (int i = 0; i < viaTensorFlow.length; i++) {
      assertThat(viaDjl[i]).as("DJL probability %d", i).isCloseTo(viaTensorFlow[i], within(1e-5f));
      // RGB in, luma inside the graph: same as the gray training tower in inference mode.
      assertThat(viaTensorFlow[i]).as("tower probability %d", i).isCloseTo(towerProbabilities[i], within(1e-5f));
    }
    for (int i = 0; i < N; i++) {
      float sum = 0;
      for (int c = 0; c < 10; c++) {
        sum += viaTensorFlow[i * 10 + c];
      }
      assertThat(sum).isCloseTo(1f, within(1e-4f));
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> descriptor = new ObjectMapper().readValue(modelDir.resolve("model.json").toFile(), Map.class);
    assertThat(descriptor.keySet()).containsExactly(
        "name", "version", "architecture", "inputWidth", "inputHeight", "channels", "layout",
        "colourOrder", "scale", "mean", "std", "labels", "signature", "inputTensor", "outputTensor",
        "outputIsProbabilities", "network", "training", "metrics", "checksum"); // no parent: trained from scratch
    assertThat(descriptor.get("architecture")).isEqualTo("resnet-11-bottleneck-v2 w4");
    assertThat(descriptor.get("channels")).isEqualTo(3);
    assertThat(descriptor.get("labels")).isEqualTo(FashionMnist.LABELS);
    assertThat(descriptor.get("checksum")).isEqualTo(ModelChecksum.compute(modelDir));
    // and the service's loader accepts it, checksum verified
    try (LoadedModel served = LoadedModel.load(modelDir)) {
      assertThat(served.descriptor().labels()).isEqualTo(FashionMnist.LABELS);
    }
  }
}
