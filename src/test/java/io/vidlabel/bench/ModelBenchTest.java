package io.vidlabel.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vidlabel.bench.ModelBench.Network;
import io.vidlabel.bench.ModelBench.Phase;
import io.vidlabel.bench.ModelBench.Row;
import io.vidlabel.bench.ModelBench.Workload;
import io.vidlabel.inference.Precision;
import io.vidlabel.training.resnet.ResNetSpec;
import io.vidlabel.training.resnet.ResNetSpec.BlockType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The model benchmark on a tiny network: structure only, never timing thresholds (the machine is
 * shared and noisy).
 */
class ModelBenchTest {

  private static final ResNetSpec TINY =
      ResNetSpec.smallImage(11, 2, BlockType.BOTTLENECK).withInput(12, 12, 1).withClasses(3);

  @Test
  void measuresTrainingAndInferenceOfBothSidesOnTheSameNumberOfImages() throws Exception {
    Workload workload = new Workload(2, 4, 3, 5, 2);
    Network network = new Network(
        "tiny", TINY, ModelBench.randomImages(12, 12, 4 * 3, TINY.classes()), null, workload);

    List<Row> rows = ModelBench.run(List.of(network), System.err);

    assertThat(rows).extracting(Row::phase, Row::precision).containsExactly(
        tuple(Phase.TRAINING, Precision.FP32),
        tuple(Phase.INFERENCE, Precision.FP32),
        tuple(Phase.INFERENCE, Precision.BF16));
    Row training = rows.get(0);
    Row inference = rows.get(1);
    Row bf16 = rows.get(2);
    assertThat(training.batchSize()).isEqualTo(4);
    assertThat(training.batchesPerRepetition()).isEqualTo(3);
    assertThat(training.projectImages()).isEqualTo(2 * 3 * 4).isEqualTo(training.bareImages());
    assertThat(inference.batchSize()).isEqualTo(5);
    assertThat(inference.batchesPerRepetition()).isEqualTo(2);
    assertThat(inference.projectImages()).isEqualTo(2 * 2 * 5).isEqualTo(inference.bareImages());
    assertThat(bf16.projectImages()).isEqualTo(inference.projectImages());
    for (Row r : rows) {
      assertThat(r.network()).isEqualTo("tiny");
      assertThat(r.architecture()).isEqualTo(TINY.architecture());
      assertThat(r.input()).isEqualTo("12x12x1");
      assertThat(r.repetitions()).isEqualTo(2);
      assertThat(r.projectImagesPerSecond()).isPositive().isFinite();
      assertThat(r.bareImagesPerSecond()).isPositive().isFinite();
      assertThat(r.ratio()).isPositive().isFinite()
          .isCloseTo(r.projectImagesPerSecond() / r.bareImagesPerSecond(), within(1e-9));
      assertThat(r.ratioLowest()).isPositive().isLessThanOrEqualTo(r.ratioHighest());
      assertThat(r.ratioHighest()).isFinite();
    }

    assertThat(ModelBench.markdown(rows).lines())
        .hasSize(5)
        .anyMatch(l -> l.startsWith("| tiny (" + TINY.architecture() + ") | 12x12x1 | training | 4 | 2 x 12 |"))
        .anyMatch(l -> l.startsWith("| tiny (" + TINY.architecture() + ") | 12x12x1 | inference | 5 | 2 x 10 |"))
        .anyMatch(l -> l.startsWith("| tiny (" + TINY.architecture() + ") | 12x12x1 | inference bf16 | 5 | 2 x 10 |"));
    JsonNode json = new ObjectMapper().valueToTree(rows);
    assertThat(json.get(0).get("phase").asText()).isEqualTo("TRAINING");
    assertThat(json.get(2).get("precision").asText()).isEqualTo("BF16");
    assertThat(json.get(1).get("ratio").asDouble()).isEqualTo(inference.ratio());
  }

  @Test
  void refusesTooFewTrainingImagesForOneRepetition() {
    Network network = new Network(
        "tiny", TINY, ModelBench.randomImages(12, 12, 4, TINY.classes()), null, new Workload(1, 4, 2, 1, 1));

    assertThatThrownBy(() -> ModelBench.run(List.of(network), System.err))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fewer than 2 batches of 4");
  }
}
