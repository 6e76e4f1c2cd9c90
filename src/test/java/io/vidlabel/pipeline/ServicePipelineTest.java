package io.vidlabel.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vidlabel.decode.DecodeLimits;
import io.vidlabel.decode.FrameSampler;
import io.vidlabel.faults.StandaloneConfig;
import io.vidlabel.model.ColourModelBuilder;
import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.model.ModelException;
import io.vidlabel.testing.TestVideos;
import java.awt.Color;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline the service opens from its configuration runs the model once before it serves. */
class ServicePipelineTest {

  @TempDir Path models;

  @Test
  void opensAWorkingModelReadyToClassify() throws Exception {
    Path dir = ColourModelBuilder.build(models, "colour", "1", 32);

    try (Pipeline pipeline = Pipeline.open(StandaloneConfig.load(Map.of("vidlabel.model.path", dir.toString())))) {
      var result = pipeline.classifier().classifySegment(TestVideos.solidColours("mpegts", 64, 48, 10, 3, Color.BLUE));

      assertThat(result.framesDecoded()).isEqualTo(3);
      assertThat(result.frames()).isNotEmpty();
      assertThat(result.frames()).allSatisfy(f -> assertThat(f.prediction().top().name()).isEqualTo("blue"));
    }
  }

  @Test
  void aModelThatLoadsButCannotClassifyAFrameStopsTheStartWithTheReason() throws Exception {
    // given a model whose model.json declares one label more than the graph outputs
    // (model.json is outside the checksum, so the model loads)
    Path dir = ColourModelBuilder.build(models, "colour", "9-labels", 32);
    ModelDescriptor d = ModelDescriptor.read(dir);
    List<String> labels = new ArrayList<>(d.labels());
    labels.add("ultraviolet");
    new ModelDescriptor(
            d.name(), d.version(), d.architecture(), d.inputWidth(), d.inputHeight(), d.channels(),
            d.layout(), d.colourOrder(), d.scale(), d.mean(), d.std(), labels, d.signature(),
            d.inputTensor(), d.outputTensor(), d.outputIsProbabilities(), d.training(), d.metrics(),
            d.parent(), d.checksum(), null)
        .write(dir);
    Pipeline.open(dir, DecodeLimits.defaults(), FrameSampler.all(), new Pipeline.Batching(4, Duration.ofMillis(2), 16))
        .close();

    // when the service opens it, then the start fails naming the model and the mismatch,
    // instead of every frame going to the dead letters later
    assertThatThrownBy(() -> Pipeline.open(StandaloneConfig.load(Map.of("vidlabel.model.path", dir.toString()))))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("colour:9-labels")
        .hasMessageContaining("cannot classify a frame")
        .hasMessageContaining("9 labels are declared");
  }
}
