package io.vidlabel.training.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vidlabel.decode.DecodeLimits;
import io.vidlabel.feedback.FeedbackImages;
import io.vidlabel.finetune.FeatureCache;
import io.vidlabel.finetune.FineTuner;
import io.vidlabel.finetune.Replay;
import io.vidlabel.finetune.ShiftedVideo.Look;
import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.testing.FashionImages;
import io.vidlabel.testing.ImageFolders;
import io.vidlabel.training.FashionMnist;
import io.vidlabel.training.ImageFolder;
import io.vidlabel.training.ImageSet;
import io.vidlabel.training.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * A team's own images, start to finish: train a ResNet on a folder of colour JPEG and PNG files
 * (one directory per class), evaluate it on the share held out, and fine-tune it on feedback of
 * another look with replay from the folder it was trained on.
 */
@TestMethodOrder(OrderAnnotation.class)
class OwnImagesTest {

  /** Four Fashion-MNIST classes, as a team's folder would have them. */
  private static final List<String> CLASSES = List.of("Trouser", "Bag", "Sneaker", "Dress");
  private static final int PER_CLASS = 200;
  private static final int HELD_BACK = 40;
  private static final int TEST_PERCENT = 20;

  @Command(name = "vidlabel", subcommands = {TrainCommand.class, EvaluateCommand.class})
  static class TopCommand {}

  @TempDir static Path tmp;
  static Path data;
  static Path model;

  @BeforeAll
  static void writeTheFolder() {
    data = ImageFolders.fashion(tmp.resolve("images"), CLASSES, PER_CLASS, 0);
    model = tmp.resolve("run/model");
  }

  private static Map<?, ?> json(Path file) throws Exception {
    return new ObjectMapper().readValue(file.toFile(), Map.class);
  }

  @Test
  @Order(1)
  void trainsInColourOnTheFolderAndRecordsWhatItTrainedOn() throws Exception {
    int exit = new CommandLine(new TopCommand()).execute("train", "--data", data.toString(),
        "--out", tmp.resolve("run").toString(), "--depth", "11", "--width", "8", "--epochs", "4",
        "--batch-size", "32", "--lr", "0.05", "--input-size", "32", "--test-percent", String.valueOf(TEST_PERCENT),
        "--hold-back", String.valueOf(HELD_BACK), "--seed", "1", "--name", "own", "--model-version", "1");

    assertThat(exit).isZero();
    Map<?, ?> descriptor = json(model.resolve("model.json"));
    assertThat(descriptor.get("labels")).isEqualTo(List.of("Bag", "Dress", "Sneaker", "Trouser"));
    assertThat(descriptor.get("inputWidth")).isEqualTo(32);
    Map<?, ?> network = (Map<?, ?>) descriptor.get("network");
    assertThat(network.get("channels")).as("a colour network").isEqualTo(3);
    assertThat(network.get("classes")).isEqualTo(4);
    List<?> mean = (List<?>) descriptor.get("mean");
    assertThat(mean.get(0)).as("per-channel statistics of the tinted images").isNotEqualTo(mean.get(2));
    Map<?, ?> training = (Map<?, ?>) descriptor.get("training");
    assertThat(training.get("dataset")).isEqualTo("image-folder");
    assertThat(training.get("data")).isEqualTo(data.toAbsolutePath().normalize().toString());
    assertThat(training.get("testPercent")).isEqualTo(TEST_PERCENT);
    ImageFolder.Contents folder = ImageFolder.read(data, 32, 32, null);
    List<ImageFolder.Image> trainShare = folder.notInPercent(TEST_PERCENT);
    assertThat(training.get("images")).isEqualTo(trainShare.size() - HELD_BACK);
    assertThat(training.get(TrainCommand.HELD_BACK)).isEqualTo(HELD_BACK);
    assertThat(training.get(TrainCommand.HELD_BACK_FROM)).as("the first held-back image in hash order")
        .isEqualTo(trainShare.get(trainShare.size() - HELD_BACK).hash());
    double top1 = ((Number) ((Map<?, ?>) descriptor.get("metrics")).get("top1")).doubleValue();
    assertThat(top1).as("four classes: chance is 25%").isGreaterThan(0.6);
  }

  @Test
  @Order(2)
  void evaluateOnTheTrainingFolderScoresTheShareTrainHeldOut() throws Exception {
    Path report = tmp.resolve("evaluation.json");
    int exit = new CommandLine(new TopCommand()).execute("evaluate", "--model", model.toString(),
        "--data", data.toString(), "--json", report.toString());

    assertThat(exit).isZero();
    int heldOut = ImageFolder.read(data, 32, 32, null).inPercent(TEST_PERCENT).size();
    Map<?, ?> evaluation = json(report);
    double trained = ((Number) ((Map<?, ?>) json(model.resolve("model.json")).get("metrics")).get("top1")).doubleValue();
    assertThat(((Number) evaluation.get("images")).intValue()).isEqualTo(heldOut);
    assertThat(((Number) evaluation.get("top1")).doubleValue())
        .as("the exported SavedModel, fed as the service feeds it, scores as the training graph did")
        .isCloseTo(trained, within(1.0 / heldOut + 1e-9));
  }

  @Test
  @Order(3)
  void fineTunesTheOwnModelOnAnotherLookWithReplayFromItsTrainingFolder() throws Exception {
    ModelDescriptor parent = ModelDescriptor.read(model);
    Replay replay = Replay.parse("training-data:100", parent, TestData.fashionMnist(), System.err);

    assertThat(replay.train()).hasSize(100);
    int trainShare = ImageFolder.read(data, 32, 32, null).notInPercent(TEST_PERCENT).size();
    assertThat(replay.reference())
        .as("too few held back for a reference set of their own: the rest of the training share, not the test share")
        .hasSize(trainShare - 100);
    assertThat(replay.train().get(0).hash()).as("cache keys follow the content").hasSize(64);

    // feedback: inverted gray frames of other images of the same classes, decoded as the service would
    FeedbackImages images = new FeedbackImages(parent, DecodeLimits.defaults(), 1 << 20);
    ImageSet test = FashionImages.test();
    Map<Integer, Integer> seen = new HashMap<>();
    List<FineTuner.Example> feedback = new ArrayList<>();
    for (int i = 0; i < test.count() && feedback.size() < 240; i++) {
      String label = FashionMnist.LABELS.get(test.label(i));
      if (CLASSES.contains(label) && seen.merge(test.label(i), 1, Integer::sum) > PER_CLASS) {
        feedback.add(new FineTuner.Example("inv-" + i, images.labelIndex(label),
            images.pixels(FashionImages.png(i, Look.INVERTED))));
      }
    }
    FineTuner tuner = new FineTuner(parent, model, new FineTuner.Settings(3, 4, 16, 0.05f, 5e-4f, false, 0.2f, 1),
        new FeatureCache(tmp.resolve("cache")));

    FineTuner.Result result = tuner.run(feedback.subList(0, 200), replay.train(), feedback.subList(200, 240),
        replay.reference(), tmp.resolve("work"), System.err);

    assertThat(result.referenceExamples()).isEqualTo(replay.reference().size());
    assertThat(result.candidateHoldoutAccuracy()).as("the new look is learnt")
        .isGreaterThan(result.parentHoldoutAccuracy() + 0.15);
  }

  @Test
  @Order(4)
  void trainsTheImageNetLayoutForLargerFrames() throws Exception {
    Path run = tmp.resolve("run18");
    int exit = new CommandLine(new TopCommand()).execute("train", "--data", data.toString(), "--out", run.toString(),
        "--stem", "imagenet", "--depth", "18", "--width", "4", "--epochs", "1", "--batch-size", "32",
        "--input-size", "64x48", "--no-preactivation", "--seed", "1", "--model-version", "1");

    assertThat(exit).isZero();
    Map<?, ?> descriptor = json(run.resolve("model/model.json"));
    assertThat(descriptor.get("inputWidth")).isEqualTo(64);
    assertThat(descriptor.get("inputHeight")).isEqualTo(48);
    Map<?, ?> network = (Map<?, ?>) descriptor.get("network");
    assertThat(network.get("stem")).isEqualTo("IMAGENET");
    assertThat(network.get("stageBlocks")).isEqualTo(List.of(2, 2, 2, 2));
    assertThat(network.get("version")).isEqualTo("V1");
    assertThat(descriptor.get("architecture")).asString().contains("18");
  }
}
