package io.vidlabel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.arc.Unremovable;
import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.decode.DecodeException;
import io.vidlabel.decode.FrameSampler;
import io.vidlabel.pipeline.ClassifiedFrame;
import io.vidlabel.pipeline.ClassifiedInput;
import io.vidlabel.pipeline.InferenceFailedException;
import io.vidlabel.pipeline.Pipeline;
import jakarta.enterprise.context.Dependent;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Classifies a local video without Kafka: one JSON line per classified frame on stdout. */
@Dependent
@Unremovable
@Command(
    name = "classify",
    description = "Decode and classify a local video or image; JSON lines on stdout.")
public class ClassifyCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "FILE", description = "Video or image file.")
  Path file;

  @Option(names = "--model", paramLabel = "DIR", description = "Model directory (default: vidlabel.model.path).")
  Path model;

  @Option(names = "--sample", paramLabel = "SPEC", description = "all, every:N or fps:F (default: vidlabel.sampling.frames).")
  String sample;

  @Option(names = "--top-k", paramLabel = "K", description = "Labels per frame (default: vidlabel.model.top-k).")
  Integer topK;

  private final VidlabelConfig config;
  private final ObjectMapper json = new ObjectMapper();

  public ClassifyCommand(VidlabelConfig config) {
    this.config = config;
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    byte[] media;
    try {
      long size = Files.size(file);
      if (size > config.decode().maxInputBytes()) {
        return fail("file of " + size + " bytes exceeds vidlabel.decode.max-input-bytes ("
            + config.decode().maxInputBytes() + "); cut it with `publish` or raise the limit");
      }
      media = Files.readAllBytes(file);
    } catch (IOException e) {
      return fail("cannot read: " + e.getMessage());
    }
    int k = topK != null ? topK : config.model().topK();
    try (Pipeline pipeline =
        Pipeline.open(
            model != null ? model : Path.of(config.model().path()),
            config.model().precision(),
            Pipeline.decodeLimits(config.decode()),
            FrameSampler.parse(sample != null ? sample : config.sampling().frames()),
            Pipeline.Batching.from(config.batching()),
            false)) {
      ClassifiedInput result = pipeline.classifier().classifySegment(media);
      PrintStream out = System.out;
      for (ClassifiedFrame frame : result.frames()) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("file", file.toString());
        line.put("frame", frame.index());
        line.put("ptsMicros", frame.ptsMicros());
        line.put("model", frame.prediction().modelName());
        line.put("modelVersion", frame.prediction().modelVersion());
        line.put("labels", frame.prediction().topK(k));
        out.println(json.writeValueAsString(line));
      }
      out.flush();
      System.err.printf(
          "classify: %s: %d frames decoded, %d classified%n",
          file, result.framesDecoded(), result.frames().size());
      return 0;
    } catch (DecodeException e) {
      return fail(e.reason() + ": " + e.getMessage());
    } catch (InferenceFailedException e) {
      return fail("INFERENCE_FAILED: " + e.getMessage());
    }
  }

  private int fail(String reason) {
    System.err.println("classify: " + file + ": " + reason);
    return 1;
  }
}
