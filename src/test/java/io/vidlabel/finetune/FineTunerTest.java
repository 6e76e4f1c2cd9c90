package io.vidlabel.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vidlabel.inference.LoadedModel;
import io.vidlabel.model.ModelChecksum;
import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.training.FashionMnist.Split;
import io.vidlabel.training.FashionMnist;
import io.vidlabel.training.ImageSet;
import io.vidlabel.training.ModelExporter;
import io.vidlabel.training.MomentumSgd;
import io.vidlabel.training.Normalisation;
import io.vidlabel.training.ServingInput;
import io.vidlabel.training.TestData;
import io.vidlabel.training.TrainConfig;
import io.vidlabel.training.Trainer;
import io.vidlabel.training.resnet.ResNetSpec.BlockType;
import io.vidlabel.training.resnet.ResNetSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fine-tuning a small exported ResNet: the split graph, the cache, and the trained suffix. */
class FineTunerTest {

  private static final ResNetSpec SPEC = ResNetSpec.smallImage(11, 4, BlockType.BOTTLENECK);

  @TempDir static Path work;
  static Path model;
  static ImageSet test;

  @BeforeAll
  static void exportASmallTrainedModel() throws Exception {
    TrainConfig config = TrainConfig.builder(SPEC, work.resolve("run"))
        .dataDir(TestData.fashionMnist()).limit(256).epochs(1).batchSize(32).learningRate(0.05f).seed(3).build();
    model = work.resolve("store/tiny/1");
    try (Trainer trainer = new Trainer(config)) {
      var result = trainer.train(System.err);
      ModelExporter.export(SPEC, result.checkpointPrefix(), model, "stage3",
          new ModelExporter.Descriptor("tiny", "1", FashionMnist.LABELS, Normalisation.FASHION_MNIST,
              Map.of(), Map.of(), null));
    }
    test = FashionMnist.load(TestData.fashionMnist(), Split.TEST, 200);
  }

  private static List<FineTuner.Example> examples(int from, int to, boolean inverted) {
    List<FineTuner.Example> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      float[] pixels = ServingInput.rgb(test, i, 1, Normalisation.FASHION_MNIST);
      if (inverted) {
        for (int k = 0; k < pixels.length; k++) {
          pixels[k] = ((1 - (pixels[k] * FashionMnist.STD + FashionMnist.MEAN)) - FashionMnist.MEAN) / FashionMnist.STD;
        }
      }
      out.add(new FineTuner.Example((inverted ? "inv-" : "img-") + i, test.label(i), pixels));
    }
    return out;
  }

  @Test
  void theLastStageDefaultCountsTheModelsOwnLastStage() {
    FineTuner.Settings lastStage = new FineTuner.Settings(FineTuner.Settings.LAST_STAGE, 2, 16, 0.05f, 0, false, 0, 1);

    assertThat(lastStage.trainBlocks(ResNetSpec.smallImage(29, 16, BlockType.BOTTLENECK))).isEqualTo(3);
    assertThat(lastStage.trainBlocks(SPEC.withStageBlocks(List.of(4, 40, 2)))).isEqualTo(2);
    assertThat(lastStage.trainBlocks(ResNetSpec.imagenet(18))).isEqualTo(2);
    assertThat(new FineTuner.Settings(1, 2, 16, 0.05f, 0, false, 0, 1).trainBlocks(SPEC.withStageBlocks(List.of(4, 40, 2))))
        .as("a number given is kept").isEqualTo(1);
    assertThatThrownBy(() -> new FineTuner.Settings(-2, 2, 16, 0.05f, 0, false, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aRoundWhosePrefixOutputsCannotFitTheHeapIsRefusedBeforeComputingThem() {
    long sixGib = 6L << 30;
    int defaultCut = 14 * 14 * 128;
    int resnet50Cut = 14 * 14 * 1024;
    // the scenario's round on the default model: 5,791 examples of 98 KiB, 0.5 GiB
    FineTuner.checkMemory(5582, 209, defaultCut, sixGib);

    // ResNet-50 at 224x224: 9,000 examples of 784 KiB are 6.7 GiB
    assertThatThrownBy(() -> FineTuner.checkMemory(8000, 1000, resnet50Cut, sixGib))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("8,000 training and 1,000 holdout examples (200,704 floats each) need 6.7 GiB")
        .hasMessageContaining("(6.0 GiB at most)")
        .hasMessageContaining("vidlabel.finetune.max-train-images")
        .hasMessageNotContaining("one Java array");
    // a big heap still cannot hold 11,000 x 200,704 floats in one array
    assertThatThrownBy(() -> FineTuner.checkMemory(11_000, 10, resnet50Cut, 64L << 30))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("more than one Java array holds");
    FineTuner.checkMemory(10_000, 10, resnet50Cut, 64L << 30);
  }

  @Test
  void theSuffixOnPrefixOutputsIsTheWholeNetwork() {
    for (int trainBlocks : new int[] {0, 1, 2, 3}) {
      try (FineTuneGraph graph = new FineTuneGraph(SPEC, model, trainBlocks, new MomentumSgd(0.9f, true, 0), true, 1)) {
        int n = 8;
        float[] images = new float[n * 28 * 28 * 3];
        for (int j = 0; j < n; j++) {
          System.arraycopy(examples(j, j + 1, false).get(0).pixels(), 0, images, j * 28 * 28 * 3, 28 * 28 * 3);
        }
        float[] whole = graph.classify(images, n);
        float[] viaCut = graph.classifyFeatures(graph.prefix(images, n), n);
        assertThat(viaCut).as("cut after " + graph.cut()).containsExactly(whole, within(1e-5f));
      }
    }
  }

  @Test
  void theDistillationTermIsTheWeightedSquaredGapToTheTargetLogitsPerExample() {
    try (FineTuneGraph graph = new FineTuneGraph(SPEC, model, 1, new MomentumSgd(0.9f, true, 0), false, 1)) {
      int n = 4;
      int classes = SPEC.classes();
      float[] images = new float[n * 28 * 28 * 3];
      float[] oneHot = new float[n * classes];
      List<FineTuner.Example> four = examples(0, n, false);
      for (int j = 0; j < n; j++) {
        System.arraycopy(four.get(j).pixels(), 0, images, j * 28 * 28 * 3, 28 * 28 * 3);
        oneHot[j * classes + four.get(j).label()] = 1f;
      }
      float[] features = graph.prefix(images, n);
      float[] zeros = new float[n * classes];
      // a learning rate of 0 leaves the weights as they are, so every step sees the same logits
      float crossEntropy = graph.stepOnFeatures(features, new FineTuneGraph.Targets(oneHot, zeros, new float[n]), n, 0f).loss();
      float allOnes = graph.stepOnFeatures(features, new FineTuneGraph.Targets(oneHot, zeros, new float[] {1, 1, 1, 1}), n, 0f).loss();
      float allTwos = graph.stepOnFeatures(features, new FineTuneGraph.Targets(oneHot, zeros, new float[] {2, 2, 2, 2}), n, 0f).loss();
      float eachAlone = 0;
      for (int j = 0; j < n; j++) {
        float[] w = new float[n];
        w[j] = 1;
        eachAlone += graph.stepOnFeatures(features, new FineTuneGraph.Targets(oneHot, zeros, w), n, 0f).loss() - crossEntropy;
      }

      assertThat(allOnes).isGreaterThan(crossEntropy);
      assertThat(allTwos - crossEntropy).isCloseTo(2 * (allOnes - crossEntropy), within(1e-3f * allOnes));
      assertThat(eachAlone).isCloseTo(allOnes - crossEntropy, within(1e-3f * allOnes));
    }
  }

  @Test
  void timesAnEpochOfEachPathOnTheSameExamples() throws Exception {
    ModelDescriptor parent = ModelDescriptor.read(model);
    FineTuner tuner = new FineTuner(parent, model, new FineTuner.Settings(2, 1, 16, 0.05f, 5e-4f, false, 0.2f, 1),
        new FeatureCache(work.resolve("timing-cache")));

    double[] seconds = tuner.epochSeconds(examples(0, 48, true), examples(48, 64, false), 2);

    assertThat(seconds).hasSize(2);
    assertThat(seconds[0]).as("cached features").isPositive().isFinite();
    assertThat(seconds[1]).as("recomputing the prefix").isPositive().isFinite();
  }

  @Test
  void learnsTheFeedbackReusesCachedFeaturesAndExportsALoadableVersion() throws Exception {
    ModelDescriptor parent = ModelDescriptor.read(model);
    FineTuner tuner = new FineTuner(parent, model, new FineTuner.Settings(2, 6, 16, 0.05f, 5e-4f, false, 0, 1),
        new FeatureCache(work.resolve("cache")));
    List<FineTuner.Example> train = examples(0, 160, true);
    List<FineTuner.Example> holdout = examples(160, 200, true);

    FineTuner.Result first = tuner.run(train, List.of(), holdout, List.of(), work.resolve("a"), System.err);
    FineTuner.Result second = tuner.run(train, List.of(), holdout, examples(160, 200, false), work.resolve("b"), System.err);

    assertThat(first.cut()).isEqualTo("stage1/block1");
    assertThat(first.featuresComputed()).isEqualTo(200);
    assertThat(second.featuresComputed()).as("all from the cache; the reference is scored from images").isZero();
    var epochs = first.epochs();
    assertThat(epochs.get(epochs.size() - 1).loss()).isLessThan(epochs.get(0).loss());
    assertThat(epochs.get(epochs.size() - 1).accuracy()).isGreaterThan(epochs.get(0).accuracy());
    assertThat(first.parentReferenceAccuracy()).isNaN();
    assertThat(second.referenceExamples()).isEqualTo(40);

    Path version = work.resolve("store/tiny/2");
    ModelExporter.writeSavedModel(SPEC, first.checkpoint(), version, "stage3");
    parent.derive("2", "1", Map.of("method", "finetune"), Map.of("holdoutTop1", first.candidateHoldoutAccuracy()))
        .withChecksum(ModelChecksum.compute(version)).write(version);
    try (LoadedModel loaded = LoadedModel.load(version)) {
      assertThat(loaded.version()).isEqualTo("2");
      assertThat(loaded.descriptor().parent()).isEqualTo("1");
      assertThat(loaded.descriptor().network()).isEqualTo(parent.network());
    }
  }

  @Test
  void distillsTheRehearsalTowardsAnotherVersionsLogitsWhenItIsTheTeacher() throws Exception {
    // version 2 of the same network, adapted to inverted images: its logits on normal images differ from version 1's
    ModelDescriptor first = ModelDescriptor.read(model);
    FineTuner.Result adapted = new FineTuner(first, model, new FineTuner.Settings(2, 4, 16, 0.05f, 0, false, 0, 1),
        new FeatureCache(work.resolve("teacher-cache"))).run(
            examples(0, 160, true), List.of(), examples(160, 200, true), List.of(), work.resolve("adapt"), System.err);
    Path second = work.resolve("teacher-store/tiny/2");
    ModelExporter.writeSavedModel(SPEC, adapted.checkpoint(), second, "stage3");
    first.derive("2", "1", Map.of(), Map.of()).write(second);
    ModelDescriptor parent = ModelDescriptor.read(second);
    FineTuner.Settings settings = new FineTuner.Settings(2, 1, 16, 0.01f, 0, false, 0.2f, 1);
    List<FineTuner.Example> rehearsal = examples(0, 96, false);

    float[] parentTeaches = new FineTuner(parent, second, settings, new FeatureCache(work.resolve("c1")))
        .distillationTargets(rehearsal);
    float[] firstTeaches = new FineTuner(parent, second, settings, new FeatureCache(work.resolve("c2")), model)
        .distillationTargets(rehearsal);
    float[] firstAsParent = new FineTuner(first, model, settings, new FeatureCache(work.resolve("c3")))
        .distillationTargets(rehearsal);

    assertThat(firstTeaches).hasSize(96 * 10).containsExactly(firstAsParent, within(1e-4f));
    double gap = 0;
    for (int i = 0; i < firstTeaches.length; i++) {
      gap = Math.max(gap, Math.abs(firstTeaches[i] - parentTeaches[i]));
    }
    assertThat(gap).as("version 2's logits are not version 1's").isGreaterThan(0.1);
  }

  @Test
  void aVersionReadsItsParentsPrefixOutputsWhenItKeptThePrefixAndAFalseRecordIsCaught() throws Exception {
    ModelDescriptor first = ModelDescriptor.read(model);
    FeatureCache cache = new FeatureCache(work.resolve("shared-cache"));
    FineTuner.Settings oneBlock = new FineTuner.Settings(1, 2, 16, 0.05f, 0, false, 0, 1);
    FineTuner.Settings headOnly = new FineTuner.Settings(0, 2, 16, 0.05f, 0, false, 0, 1);
    FineTuner.Settings lastStage = new FineTuner.Settings(FineTuner.Settings.LAST_STAGE, 2, 16, 0.05f, 0, false, 0, 1);
    List<FineTuner.Example> train = examples(0, 160, true);
    List<FineTuner.Example> holdout = examples(160, 200, true);
    FineTuner.Result adapted = new FineTuner(first, model, oneBlock, cache)
        .run(train, List.of(), holdout, List.of(), work.resolve("s1"), System.err);
    new FineTuner(first, model, headOnly, cache).run(train, List.of(), holdout, List.of(), work.resolve("s2"), System.err);
    Path second = work.resolve("shared-store/tiny/2");
    ModelExporter.writeSavedModel(SPEC, adapted.checkpoint(), second, "stage3");
    ModelDescriptor child = first.derive("2", "1", Map.of("method", "finetune", "cut", adapted.cut()), Map.of());
    child.write(second);
    // the same weights, with a record claiming that only the head was trained
    ModelDescriptor claimsHeadOnly = first.derive("2", "1", Map.of("method", "finetune", "cut", "stage3/block1"), Map.of());
    ByteArrayOutputStream log = new ByteArrayOutputStream();

    FineTuner.Result shared = new FineTuner(child, second, oneBlock, cache).sharingPrefixWith(List.of(child, first))
        .run(train, List.of(), holdout, List.of(), work.resolve("s3"), System.err);
    FineTuner.Result caught = new FineTuner(claimsHeadOnly, second, headOnly, cache)
        .sharingPrefixWith(List.of(claimsHeadOnly, first))
        .run(train, List.of(), holdout, List.of(), work.resolve("s4"), new PrintStream(log, true));

    assertThat(adapted.cut()).isEqualTo("stage2/block1");
    assertThat(FineTuner.prefixVersion(List.of(child, first), oneBlock)).as("cut at stage2/block1").isEqualTo("1");
    assertThat(FineTuner.prefixVersion(List.of(child, first), lastStage)).as("the last stage is one block here")
        .isEqualTo("1");
    assertThat(FineTuner.prefixVersion(List.of(child, first), headOnly))
        .as("cut at stage3/block1, which version 2 trained: its output there is its own").isEqualTo("2");
    assertThat(shared.featuresComputed()).as("version 1's outputs serve version 2").isZero();
    assertThat(shared.parentHoldoutAccuracy()).as("version 2 on version 1's prefix outputs scores as it did in training")
        .isEqualTo(adapted.candidateHoldoutAccuracy());
    assertThat(caught.featuresComputed()).as("the false record is caught: version 2's own outputs").isEqualTo(200);
    assertThat(log.toString()).contains("cached prefix outputs of 1 differ from 2's own");
  }

  @Test
  void theNetworkInModelJsonIsTheSpec() {
    assertThat(ResNetSpec.fromNetwork(SPEC.toNetwork())).isEqualTo(SPEC);
    assertThat(ResNetSpec.fromNetwork(ModelDescriptor.read(model).network())).isEqualTo(SPEC);
    assertThat(ResNetSpec.fromNetwork(ModelDescriptor.read(Path.of("models/fashion-resnet/1")).network()))
        .isEqualTo(ResNetSpec.smallImage(29, 16, BlockType.BOTTLENECK));
  }
}
