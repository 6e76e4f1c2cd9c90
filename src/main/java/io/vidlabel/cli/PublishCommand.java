package io.vidlabel.cli;

import io.quarkus.arc.Unremovable;
import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.ingest.SegmentCutter;
import io.vidlabel.ingest.SegmentPublisher;
import io.vidlabel.kafka.KafkaClients;
import jakarta.enterprise.context.Dependent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Cuts a local video into MPEG-TS segments and produces them to the segments topic. */
@Dependent
@Unremovable
@Command(name = "publish", description = "Cut a local video into segments and produce them to video.segments.")
public class PublishCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "FILE", description = "Video file.")
  Path file;

  @Option(names = "--stream", required = true, paramLabel = "ID", description = "Stream id (the record key).")
  String stream;

  @Option(names = "--segment-seconds", defaultValue = "2", description = "Segment length (default: ${DEFAULT-VALUE}).")
  double segmentSeconds;

  @Option(names = "--max-height", defaultValue = "720", description = "Downscale taller video to this height; 0 keeps it (default: ${DEFAULT-VALUE}).")
  int maxHeight;

  @Option(names = "--bootstrap-servers", paramLabel = "HOSTS", description = "Default: vidlabel.kafka.bootstrap-servers.")
  String bootstrapServers;

  private final VidlabelConfig config;

  public PublishCommand(VidlabelConfig config) {
    this.config = config;
  }

  @Override
  public Integer call() throws Exception {
    String servers = bootstrapServers != null ? bootstrapServers : config.kafka().bootstrapServers().orElse(null);
    if (servers == null) {
      System.err.println("publish: no Kafka cluster: pass --bootstrap-servers or set vidlabel.kafka.bootstrap-servers");
      return 2;
    }
    if (!Files.isReadable(file)) {
      System.err.println("publish: " + file + ": not a readable file");
      return 1;
    }
    return publish(
        config, servers, file, stream, new SegmentCutter.Options(segmentSeconds, maxHeight, 0), true);
  }

  /**
   * Shared with {@code demo}: publishes a file, with a progress line on stderr when asked (the demo
   * does not ask: its label lines would land on the same terminal line).
   */
  static int publish(
      VidlabelConfig config,
      String servers,
      Path file,
      String stream,
      SegmentCutter.Options options,
      boolean progress)
      throws Exception {
    long[] segments = {0};
    long[] frames = {0};
    long[] bytes = {0};
    try (SegmentPublisher publisher =
        new SegmentPublisher(
            KafkaClients.producer(config, servers),
            config.topics().segments(),
            config.kafka().maxRecordBytes())) {
      // The cutter splits segments that encode over the record limit, so the publisher's own
      // check below it never has to refuse one.
      new SegmentCutter(options, config.kafka().maxRecordBytes())
          .cut(
              file,
              segment -> {
                publisher.publish(stream, segment);
                segments[0]++;
                frames[0] += segment.frames();
                bytes[0] += segment.bytes().length;
                if (!progress) {
                  return;
                }
                System.err.printf(
                    "\rpublish: %s -> %s: %d segments, %d frames, %.1f MB",
                    file.getFileName(), stream, segments[0], frames[0], bytes[0] / 1e6);
              });
    }
    if (progress) {
      System.err.println();
    }
    System.err.printf(
        "publish: %d segments, %d frames, %.1f MB of %s sent to %s as stream '%s'%n",
        segments[0], frames[0], bytes[0] / 1e6, file.getFileName(), config.topics().segments(), stream);
    return 0;
  }
}
