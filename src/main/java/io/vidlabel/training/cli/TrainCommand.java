package io.vidlabel.training.cli;

import io.vidlabel.model.ModelStore;
import io.vidlabel.training.Evaluation;
import io.vidlabel.training.FashionMnist.Split;
import io.vidlabel.training.FashionMnist;
import io.vidlabel.training.ImageFolder;
import io.vidlabel.training.ImageSet;
import io.vidlabel.training.ModelExporter;
import io.vidlabel.training.Normalisation;
import io.vidlabel.training.TrainConfig.Schedule;
import io.vidlabel.training.TrainConfig;
import io.vidlabel.training.Trainer.EpochStats;
import io.vidlabel.training.Trainer.TrainResult;
import io.vidlabel.training.Trainer;
import io.vidlabel.training.resnet.ResNetSpec.BlockType;
import io.vidlabel.training.resnet.ResNetSpec.Shortcut;
import io.vidlabel.training.resnet.ResNetSpec.Version;
import io.vidlabel.training.resnet.ResNetSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import io.vidlabel.util.Directories;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code train}: trains a small-image ResNet on Fashion-MNIST or on a folder of labelled images
 * ({@link ImageFolder}), evaluates it on the test images and exports it as a model version ({@code
 * <out>/model}: SavedModel + model.json) that the service serves and fine-tunes.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train a ResNet on Fashion-MNIST or on your own images (a folder with one directory per class)",
      "and export it as a SavedModel with model.json.",
      "Writes <out>/checkpoints, <out>/model, <out>/metrics.json, <out>/confusion.svg."
    })
public class TrainCommand implements Callable<Integer> {

  /** Block type names on the command line. */
  public enum Block {
    basic,
    bottleneck
  }

  /** Stem names on the command line. */
  public enum StemChoice {
    /** 3x3 convolution, three stages: for small images (28-64 pixels). */
    small,
    /** 7x7/2 convolution and max-pool, four stages (He et al. 2015): for 112-224 pixel frames. */
    imagenet
  }

  /**
   * The {@code model.json} training fact counting the images held back from training (the last of
   * the training images in the dataset's order), so that fine-tuning can score forgetting on them.
   */
  public static final String HELD_BACK = "heldBack";

  /**
   * Image folders: the content hash of the first held-back image. The held-back images are the
   * training share's images whose hash sorts from it on, a rule that stays true when files are
   * added or fail to decode.
   */
  public static final String HELD_BACK_FROM = "heldBackFrom";

  @Spec CommandSpec commandSpec;

  @Option(names = "--data", description = "Fashion-MNIST IDX directory, or a folder with one directory of JPEG/PNG"
      + " images per class, named after it (default: ${DEFAULT-VALUE}).")
  Path data = FashionMnist.DEFAULT_DIR;

  @Option(names = "--test-data", paramLabel = "DIR",
      description = "Image folder to evaluate on (its directories must name classes of --data); default: hold out"
          + " --test-percent of --data.")
  Path testData;

  @Option(names = "--test-percent",
      description = "Image folders: share of --data held out for evaluation, chosen by content hash, when there is"
          + " no --test-data (default: ${DEFAULT-VALUE}).")
  int testPercent = 10;

  @Option(names = "--input-size", paramLabel = "WxH",
      description = "Image folders: network input size, e.g. 32 or 64x48; images are scaled to it as the service"
          + " scales frames (default: ${DEFAULT-VALUE}). Fashion-MNIST is 28x28.")
  String inputSize = "32";

  @Option(names = "--out", required = true, description = "Run directory.")
  Path out;

  @Option(names = "--stem", description = "small (3x3, three stages) or imagenet (7x7/2 and max-pool, four stages;"
      + " --depth 18, 34, 50, 101 or 152) (default: ${DEFAULT-VALUE}).")
  StemChoice stem = StemChoice.small;

  @Option(names = "--depth", description = "small: 9n+2 (bottleneck) or 6n+2 (basic); imagenet: 18, 34 (basic),"
      + " 50, 101, 152 (bottleneck) (default: ${DEFAULT-VALUE}).")
  int depth = 29;

  @Option(names = "--stage-blocks", split = ",", paramLabel = "N,N,...",
      description = "Blocks per stage instead of the depth's layout, e.g. 3,12,3 (as many stages as the stem has:"
          + " 3 small, 4 imagenet).")
  List<Integer> stageBlocks;

  @Option(names = "--width", description = "First-stage width (default: ${DEFAULT-VALUE}; 64 in the paper's ImageNet"
      + " networks).")
  int width = 16;

  @Option(names = "--block", description = "small stem: basic or bottleneck (default: ${DEFAULT-VALUE});"
      + " the imagenet depth decides.")
  Block block = Block.bottleneck;

  @Option(names = "--preactivation", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "v2 pre-activation blocks; --no-preactivation for v1 (default: ${DEFAULT-VALUE}).")
  boolean preactivation = true;

  @Option(names = "--zero-pad-shortcut",
      description = "Option A shortcuts (subsample + zero channels) instead of 1x1 projections.")
  boolean zeroPadShortcut;

  @Option(names = "--epochs", description = "Epochs (default: ${DEFAULT-VALUE}).")
  int epochs = 30;

  @Option(names = "--batch-size", description = "Images per step (default: ${DEFAULT-VALUE}).")
  int batchSize = 128;

  @Option(names = "--lr", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
  float lr = 0.1f;

  @Option(names = "--momentum", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
  float momentum = 0.9f;

  @Option(names = "--nesterov", negatable = true, defaultValue = "true", fallbackValue = "true", description = "Nesterov momentum (default: ${DEFAULT-VALUE}).")
  boolean nesterov = true;

  @Option(names = "--weight-decay", description = "L2 on kernels (default: ${DEFAULT-VALUE}).")
  float weightDecay = 5e-4f;

  @Option(names = "--schedule", description = "COSINE or STEP (default: ${DEFAULT-VALUE}).")
  Schedule schedule = Schedule.COSINE;

  @Option(names = "--warmup-epochs", description = "Linear warm-up (default: ${DEFAULT-VALUE}).")
  float warmupEpochs = 1f;

  @Option(names = "--seed", description = "Seed for weights, shuffling, augmentation (default: ${DEFAULT-VALUE}).")
  long seed = 1;

  @Option(names = "--limit", description = "Train on the first N images; 0 = all (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--hold-back", paramLabel = "N",
      description = "Leave N training images out of training and record them in model.json: fine-tuning then"
          + " measures forgetting on images the model never saw (Fashion-MNIST: the last N in file order; a folder:"
          + " the last N of its training share in content-hash order) (default: ${DEFAULT-VALUE}).")
  int holdBack;

  @Option(names = "--eval-limit", description = "Evaluate on the first N test images; 0 = all (default: ${DEFAULT-VALUE}).")
  int evalLimit;

  @Option(names = "--eval-every",
      description = "Report test top-1 every N epochs while training; 0 = only at the end (default: ${DEFAULT-VALUE}).")
  int evalEvery;

  @Option(names = "--resume", description = "Continue from <out>/checkpoints if present.")
  boolean resume;

  @Option(names = "--crop-padding", description = "Random-crop padding in pixels; 0 = off (default: ${DEFAULT-VALUE}).")
  int cropPadding = 4;

  @Option(names = "--flip", negatable = true, defaultValue = "true", fallbackValue = "true", description = "Random horizontal flips (default: ${DEFAULT-VALUE}).")
  boolean flip = true;

  @Option(names = "--erasing", description = "Random-erasing probability; 0 = off (default: ${DEFAULT-VALUE}).")
  float erasing;

  @Option(names = "--checkpoint-every", description = "Epochs between checkpoints (default: ${DEFAULT-VALUE}).")
  int checkpointEvery = 1;

  @Option(names = "--features", description = "Output behind the 'features' signature, e.g. stage2, stage3/block1, pooled (default: last stage).")
  String features;

  @Option(names = "--name", description = "Model name in model.json (default: ${DEFAULT-VALUE}).")
  String name = "fashion-resnet";

  @Option(names = "--model-version", description = "Model version in model.json (default: UTC time of the export).")
  String modelVersion;

  @Option(names = "--no-export", description = "Train and evaluate only.")
  boolean noExport;

  @Override
  public Integer call() throws Exception {
    // The name and version become a model store directory once the export is adopted or
    // uploaded: refuse anything that could not be one now, not after an hour of training.
    for (String[] v : new String[][] {{"--name", name}, {"--model-version", modelVersion}}) {
      if (v[1] != null && !ModelStore.isSafeName(v[1])) {
        System.err.println(v[0] + " '" + v[1] + "' is not allowed: use 1-64 letters, digits, '.', '_' or '-',"
            + " starting with a letter or digit, without '..'");
        return 2;
      }
    }
    long start = System.nanoTime();
    TrainingImages images;
    ResNetSpec spec;
    try {
      images = trainingImages();
      ResNetSpec family = stem == StemChoice.imagenet
          ? ResNetSpec.imagenet(depth).withBaseWidth(width)
          : ResNetSpec.smallImage(depth, width, block == Block.basic ? BlockType.BASIC : BlockType.BOTTLENECK);
      if (stageBlocks != null && stageBlocks.size() != family.stageBlocks().size()) {
        throw new IllegalArgumentException("--stage-blocks " + stageBlocks + ": the " + stem + " stem has "
            + family.stageBlocks().size() + " stages");
      }
      spec = family.withStageBlocks(stageBlocks != null ? stageBlocks : family.stageBlocks())
          .withVersion(preactivation ? Version.V2 : Version.V1)
          .withShortcut(zeroPadShortcut ? Shortcut.ZERO_PAD : Shortcut.PROJECTION)
          .withInput(images.train().rows(), images.train().cols(), images.train().channels())
          .withClasses(images.train().classes().size());
    } catch (IOException | IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    TrainConfig config = TrainConfig.builder(spec, out)
        .dataDir(data).normalisation(images.normalisation())
        .epochs(epochs).batchSize(batchSize).learningRate(lr).momentum(momentum)
        .nesterov(nesterov).weightDecay(weightDecay).schedule(schedule).warmupEpochs(warmupEpochs)
        .seed(seed).limit(limit).resume(resume).cropPadding(cropPadding).flip(flip).erasing(erasing)
        .checkpointEvery(checkpointEvery).build();
    String featureName = features != null ? features : ResNetSpec.stageName(spec.stages() - 1);
    TrainResult result;
    Evaluation evaluation;
    try (Trainer trainer = new Trainer(config)) {
      System.err.printf(Locale.ROOT, "training %s (%,d trainable parameters) on %,d images of %s, evaluating on %,d%n",
          spec.architecture(), trainer.trainTower().trainableParameterCount(), images.train().count(), data,
          images.test().count());
      result = trainer.train(System.err, images.train(), images.test(), evalEvery);
      evaluation = trainer.evaluate(images.test());
    } catch (IOException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Files.createDirectories(out);
    System.out.print(evaluation.confusionText());
    Files.writeString(out.resolve("confusion.txt"), evaluation.confusionText());
    Files.writeString(out.resolve("confusion.svg"), evaluation.confusionSvg());

    Map<String, Object> metrics = new LinkedHashMap<>(evaluation.toMap());
    metrics.remove("confusion");
    if (!result.history().isEmpty()) {
      EpochStats last = result.history().get(result.history().size() - 1);
      metrics.put("trainLoss", last.loss());
      metrics.put("trainAccuracy", last.accuracy());
      metrics.put("trainImagesPerSecond",
          result.history().stream().mapToDouble(EpochStats::imagesPerSecond).average().orElse(0));
    }
    metrics.put("wallSeconds", seconds);
    Map<String, Object> full = new LinkedHashMap<>(metrics);
    full.put("confusion", evaluation.toMap().get("confusion"));
    full.put("history", result.history());
    Trainer.jsonMapper().writeValue(out.resolve("metrics.json").toFile(), full);

    if (!noExport) {
      Map<String, Object> training = new LinkedHashMap<>();
      training.putAll(images.facts());
      training.put("images", result.trainedImages());
      training.put("epochs", epochs);
      training.put("seed", seed);
      training.put("command", commandLine());
      String version = modelVersion != null ? modelVersion
          : ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
      Path modelDir = out.resolve("model");
      replacePreviousExport(modelDir);
      ModelExporter.export(spec, result.checkpointPrefix(), modelDir, featureName,
          new ModelExporter.Descriptor(name, version, images.train().classes(), images.normalisation(),
              training, metrics, null));
      System.err.println("exported " + spec.architecture() + " to " + modelDir);
    }
    return 0;
  }

  /**
   * The images a run trains and evaluates on.
   *
   * @param facts what model.json records about them under {@code training}
   */
  record TrainingImages(ImageSet train, ImageSet test, Normalisation normalisation, Map<String, Object> facts) {}

  /** Fashion-MNIST's splits, or a folder of classes with a test folder or a held-out share. */
  TrainingImages trainingImages() throws IOException {
    Map<String, Object> facts = new LinkedHashMap<>();
    if (holdBack < 0) {
      throw new IllegalArgumentException("--hold-back must be 0 or more, not " + holdBack);
    }
    if (!ImageFolder.looksLikeImageFolder(data)) {
      ImageSet all = FashionMnist.load(data, Split.TRAIN, 0);
      ImageSet train = all.first(Math.min(limit > 0 ? limit : Integer.MAX_VALUE, trainedCount(all.count())));
      facts.put("dataset", "fashion-mnist");
      putHeldBack(facts);
      return new TrainingImages(train, FashionMnist.load(data, Split.TEST, evalLimit), Normalisation.FASHION_MNIST,
          facts);
    }
    int[] size = parseSize(inputSize);
    ImageFolder.Contents folder = ImageFolder.read(data, size[0], size[1], System.err);
    System.err.println(folder.summary());
    List<ImageFolder.Image> trainImages;
    List<ImageFolder.Image> testImages;
    ImageFolder.Contents testFolder = folder;
    facts.put("dataset", "image-folder");
    facts.put("data", data.toAbsolutePath().normalize().toString());
    if (testData != null) {
      testFolder = ImageFolder.read(testData, folder.classes(), size[0], size[1], 0, System.err);
      System.err.println(testFolder.summary());
      trainImages = folder.images();
      testImages = testFolder.images();
      facts.put("testData", testData.toAbsolutePath().normalize().toString());
    } else {
      if (testPercent < 1 || testPercent > 50) {
        throw new IllegalArgumentException("--test-percent must be 1..50, not " + testPercent);
      }
      trainImages = folder.notInPercent(testPercent);
      testImages = folder.inPercent(testPercent);
      facts.put("testPercent", testPercent);
    }
    int end = trainedCount(trainImages.size());
    putHeldBack(facts);
    if (holdBack > 0) {
      facts.put(HELD_BACK_FROM, trainImages.get(end).hash());
    }
    trainImages = trainImages.subList(0, end);
    trainImages = limit > 0 ? trainImages.subList(0, Math.min(limit, trainImages.size())) : trainImages;
    testImages = evalLimit > 0 ? testImages.subList(0, Math.min(evalLimit, testImages.size())) : testImages;
    if (trainImages.isEmpty() || testImages.isEmpty()) {
      throw new IOException("need training and test images; " + data + " gives " + trainImages.size()
          + " to train on and " + testImages.size() + " to test on");
    }
    ImageSet train = folder.toSet(trainImages);
    facts.put("inputSize", size[0] + "x" + size[1]);
    return new TrainingImages(train, testFolder.toSet(testImages), Normalisation.of(train), facts);
  }

  /** How many of {@code count} training images are trained on: all but the held-back last ones. */
  private int trainedCount(int count) {
    if (holdBack >= count) {
      throw new IllegalArgumentException("--hold-back " + holdBack + " leaves none of the " + count
          + " training images to train on");
    }
    return count - holdBack;
  }

  private void putHeldBack(Map<String, Object> facts) {
    if (holdBack > 0) {
      facts.put(HELD_BACK, holdBack);
    }
  }

  /** {@code 32} or {@code 64x48} as {width, height}. */
  static int[] parseSize(String text) {
    String[] parts = text.strip().toLowerCase(Locale.ROOT).split("x");
    try {
      int w = Integer.parseInt(parts[0]);
      int h = parts.length == 2 ? Integer.parseInt(parts[1]) : parts.length == 1 ? w : -1;
      if (w >= 8 && h >= 8 && w <= 1024 && h <= 1024) {
        return new int[] {w, h};
      }
    } catch (NumberFormatException e) {
      // falls through to the message below
    }
    throw new IllegalArgumentException("--input-size must be N or WxH with sides of 8-1024 pixels, not '" + text + "'");
  }

  /** A rerun (for example with --resume) replaces the export of the previous run. */
  private static void replacePreviousExport(Path modelDir) throws IOException {
    if (!Files.isRegularFile(modelDir.resolve(ModelExporter.DESCRIPTOR))) {
      return;
    }
    Directories.delete(modelDir);
  }

  /** {@code train} and its arguments, as typed, for model.json. */
  private String commandLine() {
    if (commandSpec == null) {
      return "train";
    }
    // originalArgs is the whole command line; run as a subcommand (vidlabel train ...) it starts
    // with this command's name, which must not be counted twice.
    List<String> args = commandSpec.commandLine().getParseResult().originalArgs();
    if (commandSpec.parent() != null) {
      args = args.subList(args.indexOf(commandSpec.name()) + 1, args.size());
    }
    return commandSpec.name() + " " + String.join(" ", args);
  }
}
