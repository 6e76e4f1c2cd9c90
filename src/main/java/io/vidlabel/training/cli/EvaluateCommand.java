package io.vidlabel.training.cli;

import io.vidlabel.inference.Precision;
import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.model.ModelException;
import io.vidlabel.training.Evaluation;
import io.vidlabel.training.FashionMnist.Dataset;
import io.vidlabel.training.FashionMnist.Split;
import io.vidlabel.training.FashionMnist;
import io.vidlabel.training.ServingInput;
import io.vidlabel.training.TensorFlowRuntime;
import io.vidlabel.training.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code evaluate}: runs an exported model (SavedModel + model.json) on the Fashion-MNIST test
 * split exactly as the service would feed it: RGB, scaled and normalised as model.json says.
 */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = "Evaluate an exported model on the Fashion-MNIST test split.")
public class EvaluateCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory (saved_model.pb, variables/, model.json).")
  Path model;

  @Option(names = "--data", description = "Fashion-MNIST IDX directory (default: ${DEFAULT-VALUE}).")
  Path data = FashionMnist.DEFAULT_DIR;

  @Option(names = "--json", paramLabel = "FILE",
      description = "Write metrics and the confusion matrix as JSON to FILE; '-' prints JSON to stdout instead of the table.")
  Path json;

  @Option(names = "--svg", paramLabel = "FILE", description = "Write the confusion matrix as SVG to this file.")
  Path svg;

  @Option(names = "--limit", description = "First N test images; 0 = all (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--batch-size", description = "Images per run (default: ${DEFAULT-VALUE}).")
  int batchSize = 256;

  @Option(names = "--precision", description = "FP32 or BF16, as vidlabel.model.precision (default: ${DEFAULT-VALUE}).")
  Precision precision = Precision.FP32;

  @Override
  public Integer call() throws Exception {
    ModelDescriptor descriptor;
    Dataset test;
    try {
      descriptor = ModelDescriptor.read(model);
      test = FashionMnist.load(data, Split.TEST, limit);
    } catch (IOException | ModelException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    int width = descriptor.inputWidth();
    int height = descriptor.inputHeight();
    if (width != test.cols() || height != test.rows()) {
      System.err.printf("model expects %dx%d input, Fashion-MNIST is %dx%d%n", width, height, test.cols(), test.rows());
      return 2;
    }
    double scale = descriptor.scale();
    if (Math.abs(scale * 255 - 1) > 1e-6) {
      System.err.println("only models with scale 1/255 are supported here, not " + scale);
      return 2;
    }
    // Fashion-MNIST is grey: the exporter repeats one mean and std for the three channels.
    float mean = descriptor.mean().get(0).floatValue();
    float std = descriptor.std().get(0).floatValue();
    List<String> labels = descriptor.labels();
    String signature = descriptor.signature();
    String input = descriptor.inputTensor();
    String output = descriptor.outputTensor();

    TensorFlowRuntime.ensureLoaded();
    Evaluation evaluation = new Evaluation(labels);
    int classes = labels.size();
    int[] truth = new int[batchSize];
    float[] buffer = new float[batchSize * width * height * 3];
    try (SavedModelBundle bundle = SavedModelBundle.loader(model.toString()).withTags("serve")
        .withConfigProto(precision.sessionConfig(ConfigProto.getDefaultInstance())).load()) {
      SessionFunction function = bundle.function(signature);
      for (int from = 0; from < test.count(); from += batchSize) {
        int n = Math.min(batchSize, test.count() - from);
        float[] batch = ServingInput.rgbFromGray(test, from, n, mean, std,
            n == batchSize ? buffer : new float[n * width * height * 3]);
        for (int i = 0; i < n; i++) {
          truth[i] = test.label(from + i);
        }
        try (TFloat32 t = TensorFlowRuntime.tensor(Shape.of(n, height, width, 3), batch);
            Result r = function.call(Map.of(input, t))) {
          float[] scores = TensorFlowRuntime.floats(r.get(output).orElseThrow(
              () -> new IllegalStateException("signature " + signature + " has no output " + output)));
          if (scores.length != n * classes) {
            throw new IllegalStateException("output " + output + " has " + scores.length / n + " classes, labels " + classes);
          }
          evaluation.addBatch(scores, truth, n);
        }
      }
    }
    if (json != null && json.toString().equals("-")) {
      System.out.println(Trainer.jsonMapper().writeValueAsString(evaluation.toMap()));
    } else {
      System.out.print(evaluation.confusionText());
      if (json != null) {
        Trainer.jsonMapper().writeValue(json.toFile(), evaluation.toMap());
      }
    }
    if (svg != null) {
      Files.writeString(svg, evaluation.confusionSvg());
    }
    return 0;
  }
}
