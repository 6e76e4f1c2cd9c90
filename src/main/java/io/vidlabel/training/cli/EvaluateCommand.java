package io.vidlabel.training.cli;

import io.vidlabel.inference.Precision;
import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.model.ModelException;
import io.vidlabel.training.Evaluation;
import io.vidlabel.training.FashionMnist.Split;
import io.vidlabel.training.FashionMnist;
import io.vidlabel.training.ImageFolder;
import io.vidlabel.training.ImageSet;
import io.vidlabel.training.Normalisation;
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
 * split or on a folder of labelled images exactly as the service would feed it: RGB, scaled and
 * normalised as model.json says.
 */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = "Evaluate an exported model on the Fashion-MNIST test split or on a folder of labelled images.")
public class EvaluateCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory (saved_model.pb, variables/, model.json).")
  Path model;

  @Option(names = "--data", description = "Fashion-MNIST IDX directory, or a folder with one directory of images"
      + " per label (default: ${DEFAULT-VALUE}).")
  Path data = FashionMnist.DEFAULT_DIR;

  @Option(names = "--test-percent",
      description = "Image folders: evaluate only the share held out by content hash, as train --test-percent does;"
          + " 0 = every image (default: the model's own share if --data is the folder it was trained on, else 0).")
  Integer testPercent;

  @Option(names = "--json", paramLabel = "FILE",
      description = "Write metrics and the confusion matrix as JSON to FILE; '-' prints JSON to stdout instead of the table.")
  Path json;

  @Option(names = "--svg", paramLabel = "FILE", description = "Write the confusion matrix as SVG to this file.")
  Path svg;

  @Option(names = "--limit", description = "First N test images; 0 = all (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--mirror", description = "Evaluate the images mirrored left to right (objects facing the other way).")
  boolean mirror;

  @Option(names = "--batch-size", description = "Images per run (default: ${DEFAULT-VALUE}).")
  int batchSize = 256;

  @Option(names = "--precision", description = "FP32 or BF16, as vidlabel.model.precision (default: ${DEFAULT-VALUE}).")
  Precision precision = Precision.FP32;

  @Override
  public Integer call() throws Exception {
    ModelDescriptor descriptor;
    ImageSet test;
    try {
      descriptor = ModelDescriptor.read(model);
      test = testImages(descriptor);
      if (mirror) {
        test = test.mirrored();
      }
    } catch (IOException | ModelException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    int width = descriptor.inputWidth();
    int height = descriptor.inputHeight();
    if (width != test.cols() || height != test.rows()) {
      System.err.printf("model expects %dx%d input, the images are %dx%d%n", width, height, test.cols(), test.rows());
      return 2;
    }
    double scale = descriptor.scale();
    if (Math.abs(scale * 255 - 1) > 1e-6) {
      System.err.println("only models with scale 1/255 are supported here, not " + scale);
      return 2;
    }
    Normalisation normalisation = Normalisation.of(descriptor);
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
        float[] batch = ServingInput.rgb(test, from, n, normalisation,
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

  /** Fashion-MNIST's test split, or the folder's images (those held out, with a test share). */
  private ImageSet testImages(ModelDescriptor descriptor) throws IOException {
    if (!ImageFolder.looksLikeImageFolder(data)) {
      return FashionMnist.load(data, Split.TEST, limit);
    }
    ImageFolder.Contents folder = ImageFolder.read(
        data, descriptor.labels(), descriptor.inputWidth(), descriptor.inputHeight(), 0, System.err);
    System.err.println(folder.summary());
    int percent = testPercent != null ? testPercent : trainedTestPercent(descriptor);
    List<ImageFolder.Image> images = percent > 0 ? folder.inPercent(percent) : folder.images();
    if (limit > 0) {
      images = images.subList(0, Math.min(limit, images.size()));
    }
    if (images.isEmpty()) {
      throw new IOException("no test image in " + data + (percent > 0 ? " (held-out share " + percent + "%)" : ""));
    }
    System.err.printf("evaluating on %,d images%s%n", images.size(),
        percent > 0 ? " (the " + percent + "% held out by hash)" : "");
    return folder.toSet(images);
  }

  /** The test share {@code train} held out of this folder, or 0 if the model was trained on other data. */
  private int trainedTestPercent(ModelDescriptor descriptor) {
    Map<String, Object> training = descriptor.training();
    if (training != null && training.get("testPercent") instanceof Number n
        && data.toAbsolutePath().normalize().toString().equals(training.get("data"))) {
      return n.intValue();
    }
    return 0;
  }
}
