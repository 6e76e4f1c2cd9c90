package io.vidlabel.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.vidlabel.decode.VideoFrame;
import io.vidlabel.model.ColourModelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBatchHandlerTest {

  static final int SIZE = 16;

  @TempDir Path store;

  @Test
  void shouldClassifyFramesFromConcurrentCallersThroughOneBatcher() throws Exception {
    Path dir = ColourModelBuilder.build(store, "colour", "1", SIZE);
    List<String> names = new ArrayList<>(LoadedModelTest.COLOURS.keySet());
    ExecutorService callers = Executors.newFixedThreadPool(4);
    try (LoadedModel model = LoadedModel.load(dir);
        ModelBatchHandler handler = new ModelBatchHandler(model);
        InferenceBatcher<VideoFrame, Prediction> batcher =
            new InferenceBatcher<>("cpu", handler, 8, Duration.ofMillis(5), 64)) {
      List<Future<List<String>>> results = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        int offset = c;
        results.add(
            callers.submit(
                () -> {
                  List<VideoFrame> frames = new ArrayList<>();
                  for (int i = 0; i < 24; i++) {
                    int[] rgb = LoadedModelTest.COLOURS.get(names.get((i + offset) % 8));
                    frames.add(Frames.solid(SIZE, rgb[0], rgb[1], rgb[2]));
                  }
                  return batcher.submitAll(frames).stream()
                      .map(f -> f.join().top().name())
                      .toList();
                }));
      }
      for (int c = 0; c < 4; c++) {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
          expected.add(names.get((i + c) % 8));
        }
        assertThat(results.get(c).get(60, TimeUnit.SECONDS)).containsExactlyElementsOf(expected);
      }
      assertThat(batcher.stats().items()).isEqualTo(96);
      assertThat(batcher.stats().recentBatchSizes()).allSatisfy(s -> assertThat(s).isBetween(1, 8));
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void shouldFailOnlyTheCallerWhoseFrameHasTheWrongSize() throws Exception {
    Path dir = ColourModelBuilder.build(store, "colour", "1", SIZE);
    try (LoadedModel model = LoadedModel.load(dir);
        ModelBatchHandler handler = new ModelBatchHandler(model);
        InferenceBatcher<VideoFrame, Prediction> batcher =
            new InferenceBatcher<>("cpu", handler, 4, Duration.ofMillis(5), 16)) {
      CompletableFuture<Prediction> wrong = batcher.submit(Frames.solid(SIZE * 2, 255, 0, 0));
      CompletableFuture<Prediction> right = batcher.submit(Frames.solid(SIZE, 0, 0, 255));

      assertThat(wrong).failsWithin(Duration.ofSeconds(30))
          .withThrowableOfType(ExecutionException.class)
          .havingCause().isInstanceOf(IllegalArgumentException.class)
          .withMessageContaining("expects 16x16");
      assertThat(right).succeedsWithin(Duration.ofSeconds(30))
          .extracting(p -> p.top().name()).isEqualTo("blue");
    }
  }

  @Test
  void shouldServeNextBatchesFromSwappedModel() throws Exception {
    Path v1 = ColourModelBuilder.build(store, "colour", "1", SIZE);
    Path v2 = ColourModelBuilder.build(store, "colour", "2", SIZE);
    VideoFrame red = Frames.solid(SIZE, 255, 0, 0);
    try (LoadedModel first = LoadedModel.load(v1);
        ModelBatchHandler handler = new ModelBatchHandler(first);
        InferenceBatcher<VideoFrame, Prediction> batcher =
            new InferenceBatcher<>("cpu", handler, 4, Duration.ofMillis(1), 16)) {
      assertThat(batcher.submit(red).get(30, TimeUnit.SECONDS).modelVersion()).isEqualTo("1");

      LoadedModel previous = handler.swap(LoadedModel.load(v2));

      assertThat(previous).isSameAs(first);
      Prediction after = batcher.submit(red).get(30, TimeUnit.SECONDS);
      assertThat(after.modelVersion()).isEqualTo("2");
      assertThat(after.top().name()).isEqualTo("red");
      handler.current().close(); // v2; v1 is closed by try-with-resources
    }
  }
}
