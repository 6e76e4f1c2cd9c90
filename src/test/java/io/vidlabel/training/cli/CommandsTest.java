package io.vidlabel.training.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class CommandsTest {

  /** The application's command tree, reduced to the command under test. */
  @Command(name = "vidlabel", subcommands = TrainCommand.class)
  static class TopCommand {}

  @Test
  void switchesOnByDefaultAreTurnedOffByTheirNoForm() {
    TrainCommand plain = new TrainCommand();
    new CommandLine(plain).parseArgs("--out", "x");
    TrainCommand off = new TrainCommand();
    new CommandLine(off).parseArgs("--out", "x", "--no-preactivation", "--no-nesterov", "--no-flip");
    TrainCommand on = new TrainCommand();
    new CommandLine(on).parseArgs("--out", "x", "--preactivation", "--nesterov", "--flip");

    assertThat(new boolean[] {plain.preactivation, plain.nesterov, plain.flip}).containsOnly(true);
    assertThat(new boolean[] {on.preactivation, on.nesterov, on.flip}).containsOnly(true);
    assertThat(new boolean[] {off.preactivation, off.nesterov, off.flip}).containsOnly(false);
  }

  @Test
  void holdBackLeavesTheLastTrainingImagesOutAndRecordsThem() throws Exception {
    TrainCommand held = new TrainCommand();
    new CommandLine(held).parseArgs("--out", "x", "--data", dataDir().toString(), "--hold-back", "5000");
    TrainCommand heldAndLimited = new TrainCommand();
    new CommandLine(heldAndLimited).parseArgs("--out", "x", "--data", dataDir().toString(), "--hold-back", "5000",
        "--limit", "58000");
    TrainCommand everything = new TrainCommand();
    new CommandLine(everything).parseArgs("--out", "x", "--data", dataDir().toString(), "--hold-back", "60000");

    TrainCommand.TrainingImages images = held.trainingImages();
    assertThat(images.train().count()).isEqualTo(55_000);
    assertThat(images.facts()).containsEntry(TrainCommand.HELD_BACK, 5000);
    assertThat(heldAndLimited.trainingImages().train().count()).as("--limit cannot reach into the held-back images")
        .isEqualTo(55_000);
    assertThatThrownBy(everything::trainingImages).hasMessageContaining("leaves none of the 60000");
  }

  private static Path dataDir() {
    Path dir = Path.of(System.getProperty("vidlabel.fashion-mnist.dir", "/usr/share/datasets/fashion-mnist"));
    assertThat(dir.resolve("train-images-idx3-ubyte.gz"))
        .as("Fashion-MNIST: install the Debian package dataset-fashion-mnist")
        .exists();
    return dir;
  }

  @Test
  void trainExportsAModelThatEvaluateReadsAndResumeContinuesTheRun(@TempDir Path tmp) throws Exception {
    Path data = dataDir();
    Path out = tmp.resolve("run");
    String[] common = {
      "--data", data.toString(), "--out", out.toString(), "--depth", "11", "--width", "4",
      "--batch-size", "64", "--limit", "128", "--eval-limit", "100", "--seed", "9",
      "--model-version", "7"
    };
    String[] firstArgs = concat(common, "--epochs", "1", "--eval-every", "1");
    // As the application runs it: a subcommand of the top-level command.
    int first = new CommandLine(new TopCommand()).execute(concat(new String[] {"train"}, firstArgs));
    assertThat(first).isZero();
    assertThat(out.resolve("model/saved_model.pb")).exists();
    assertThat(out.resolve("confusion.svg")).content().startsWith("<svg");
    Map<?, ?> model = new ObjectMapper().readValue(out.resolve("model/model.json").toFile(), Map.class);
    assertThat(model.get("version")).isEqualTo("7");
    Map<?, ?> training = (Map<?, ?>) model.get("training");
    assertThat(training.get("epochs")).isEqualTo(1);
    assertThat(training.get("seed")).isEqualTo(9);
    assertThat(training.get("command")).isEqualTo("train " + String.join(" ", firstArgs));
    assertThat(((Map<?, ?>) model.get("metrics")).get("top1")).isInstanceOf(Number.class);
    Map<?, ?> runMetrics = new ObjectMapper().readValue(out.resolve("metrics.json").toFile(), Map.class);
    Map<?, ?> epoch1 = (Map<?, ?>) ((java.util.List<?>) runMetrics.get("history")).get(0);
    assertThat(((Number) epoch1.get("monitorAccuracy")).doubleValue())
        .isEqualTo(((Number) runMetrics.get("top1")).doubleValue());

    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    String[] secondArgs = concat(common, "--epochs", "2", "--resume");
    int second;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      second = new CommandLine(new TrainCommand()).execute(secondArgs);
    } finally {
      System.setErr(stderr);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(second).as(log).isZero();
    Map<?, ?> resumed = new ObjectMapper().readValue(out.resolve("model/model.json").toFile(), Map.class);
    assertThat(((Map<?, ?>) resumed.get("training")).get("command"))
        .isEqualTo("train " + String.join(" ", secondArgs));
    assertThat(log).contains("resuming after epoch 1").contains("epoch 2/2").doesNotContain("epoch 1/2");

    Path json = tmp.resolve("eval.json");
    Path svg = tmp.resolve("eval.svg");
    int evaluated = new CommandLine(new EvaluateCommand()).execute(
        "--model", out.resolve("model").toString(), "--data", data.toString(), "--limit", "100",
        "--json", json.toString(), "--svg", svg.toString());
    assertThat(evaluated).isZero();
    Map<?, ?> metrics = new ObjectMapper().readValue(json.toFile(), Map.class);
    assertThat(metrics.get("images")).isEqualTo(100);
    Map<?, ?> exported = new ObjectMapper().readValue(out.resolve("model/model.json").toFile(), Map.class);
    // The exported graph (RGB in) scores the same test images as the training graph did.
    assertThat(((Number) metrics.get("top1")).doubleValue())
        .isEqualTo(((Number) ((Map<?, ?>) exported.get("metrics")).get("top1")).doubleValue());
    assertThat(svg).content().contains("Confusion matrix");
  }

  @Test
  void trainNamesTheDebianPackageWhenTheDatasetIsMissing(@TempDir Path tmp) {
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      code = new CommandLine(new TrainCommand()).execute(
          "--data", tmp.resolve("nothing").toString(), "--out", tmp.resolve("run").toString(),
          "--depth", "11", "--width", "4");
    } finally {
      System.setErr(stderr);
    }
    assertThat(code).isEqualTo(2);
    assertThat(captured.toString(StandardCharsets.UTF_8)).contains("dataset-fashion-mnist");
  }

  @Test
  void trainRejectsADepthThatIsNotNineNPlusTwo(@TempDir Path tmp) {
    int code = new CommandLine(new TrainCommand()).execute(
        "--out", tmp.toString(), "--depth", "12");
    assertThat(code).isEqualTo(2);
  }

  @Test
  void stageBlocksReplaceTheDepthsLayoutAndMustNameEveryStage(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("run");
    int code = new CommandLine(new TrainCommand()).execute("--data", dataDir().toString(), "--out", out.toString(),
        "--stage-blocks", "1,2,1", "--width", "4", "--epochs", "1", "--batch-size", "32", "--limit", "64",
        "--eval-limit", "32");
    assertThat(code).isZero();
    Map<?, ?> network = (Map<?, ?>) new ObjectMapper().readValue(out.resolve("model/model.json").toFile(), Map.class)
        .get("network");
    assertThat(network.get("stageBlocks")).isEqualTo(java.util.List.of(1, 2, 1));

    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int wrong;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      wrong = new CommandLine(new TrainCommand()).execute("--out", tmp.resolve("two").toString(),
          "--stage-blocks", "3,3");
    } finally {
      System.setErr(stderr);
    }
    assertThat(wrong).isEqualTo(2);
    assertThat(captured.toString(StandardCharsets.UTF_8)).contains("--stage-blocks [3, 3]: the small stem has 3 stages");
  }

  @Test
  void trainRefusesANameOrVersionThatCouldNotBeAStoreDirectory(@TempDir Path tmp) {
    for (String[] bad : new String[][] {{"--name", "../../etc"}, {"--model-version", ".."},
        {"--model-version", "/etc"}, {"--name", "a%2Fb"}}) {
      int code = new CommandLine(new TrainCommand()).execute("--out", tmp.toString(), bad[0], bad[1]);
      assertThat(code).as(String.join(" ", bad)).isEqualTo(2);
    }
    assertThat(tmp.resolve("model")).doesNotExist();
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
