package io.vidlabel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.quarkus.arc.Unremovable;
import io.vidlabel.bench.BatcherBench;
import io.vidlabel.bench.EndToEndBench;
import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.inference.LoadedModel;
import io.vidlabel.kafka.EmbeddedKafka;
import io.vidlabel.pipeline.Pipeline;
import jakarta.enterprise.context.Dependent;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Measures the service side by side in one run and prints one table (or JSON). */
@Dependent
@Unremovable
@Command(
    name = "bench",
    description = "Benchmark: batcher vs bare predictor at batch 1/4/16, and end-to-end through an embedded broker.")
public class BenchCommand implements Callable<Integer> {

  @Option(names = "--model", paramLabel = "DIR", description = "Model directory (default: vidlabel.model.path).")
  Path model;

  @Option(names = "--frames", defaultValue = "1024", description = "Frames per batcher measurement (default: ${DEFAULT-VALUE}).")
  int frames;

  @Option(names = "--streams", defaultValue = "2", description = "Concurrent streams end to end (default: ${DEFAULT-VALUE}).")
  int streams;

  @Option(names = "--json", description = "Print JSON instead of a table.")
  boolean json;

  private final VidlabelConfig config;

  public BenchCommand(VidlabelConfig config) {
    this.config = config;
  }

  @Override
  public Integer call() throws Exception {
    Path dir = model != null ? model : Path.of(config.model().path());
    List<BatcherBench.Row> rows;
    String modelName;
    try (LoadedModel loaded = LoadedModel.load(dir)) {
      modelName = loaded.name() + "/" + loaded.version();
      System.err.println("bench: batcher vs bare predictor on " + modelName + " ...");
      rows = BatcherBench.run(loaded, frames, new int[] {1, 4, 16});
    }
    System.err.println("bench: end to end through an embedded Kafka broker ...");
    EndToEndBench.Result e2e;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(config.kafka().maxRecordBytes() + 1024 * 1024)) {
      e2e = EndToEndBench.run(config, kafka.bootstrapServers(), dir, streams, Pipeline.Batching.from(config.batching()));
    }
    if (json) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("model", modelName);
      out.put("cores", Runtime.getRuntime().availableProcessors());
      out.put("batcher", rows);
      out.put("endToEnd", e2e);
      System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
      return 0;
    }
    System.out.printf("model %s, %d cores%n%n", modelName, Runtime.getRuntime().availableProcessors());
    System.out.println("| batch | bare predictor frames/s | batcher frames/s | batcher / bare | mean batch formed |");
    System.out.println("|------:|------------------------:|-----------------:|---------------:|------------------:|");
    for (BatcherBench.Row r : rows) {
      System.out.printf(
          "| %5d | %23.0f | %16.0f | %14.2f | %17.1f |%n",
          r.batchSize(), r.bareFramesPerSecond(), r.batcherFramesPerSecond(), r.ratio(), r.meanBatch());
    }
    System.out.println();
    System.out.println("| end to end | streams | segments | frames | frames/s | p50 ms | p99 ms |");
    System.out.println("|------------|--------:|---------:|-------:|---------:|-------:|-------:|");
    System.out.printf(
        "| embedded broker, exactly_once_v2 | %d | %d | %d | %.0f | %.0f | %.0f |%n",
        e2e.streams(), e2e.segments(), e2e.frames(), e2e.framesPerSecond(), e2e.p50Millis(), e2e.p99Millis());
    return 0;
  }
}
