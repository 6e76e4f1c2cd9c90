package io.vidlabel.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** The pipeline's counters and timers, registered under {@code vidlabel.*}. */
public final class PipelineMetrics {

  private final MeterRegistry registry;
  private final Timer processing;

  public PipelineMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.processing =
        Timer.builder("vidlabel.record.processing")
            .description("Time to decode and classify one input record")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
  }

  public void recordProcessed(String source, String stream, int framesDecoded, int framesClassified, Duration took) {
    counter("vidlabel.frames.decoded", "Video frames decoded", source, stream).increment(framesDecoded);
    counter("vidlabel.frames.classified", "Frames classified", source, stream)
        .increment(framesClassified);
    counter("vidlabel.frames.skipped", "Decoded frames not sampled for classification", source, stream)
        .increment(framesDecoded - framesClassified);
    processing.record(took);
  }

  public void deadLettered(String source, String reason) {
    Counter.builder("vidlabel.dead.letters")
        .description("Input records sent to the dead-letter topic")
        .tag("source", source)
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  public double deadLetters(String reason) {
    return registry.find("vidlabel.dead.letters").tag("reason", reason).counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  private Counter counter(String name, String description, String source, String stream) {
    return Counter.builder(name)
        .description(description)
        .tag("source", source)
        .tag("stream", stream)
        .register(registry);
  }
}
