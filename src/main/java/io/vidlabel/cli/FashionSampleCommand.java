package io.vidlabel.cli;

import io.vidlabel.ingest.FashionSampleVideo.Item;
import io.vidlabel.ingest.FashionSampleVideo.Sidecar;
import io.vidlabel.ingest.FashionSampleVideo;
import io.vidlabel.training.FashionMnist.Split;
import io.vidlabel.training.FashionMnist;
import io.vidlabel.training.ImageSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.bytedeco.ffmpeg.global.avutil;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Rebuilds the demo's bundled sample (src/main/resources/samples/fashion-mnist.ts and its label
 * sidecar) from the Fashion-MNIST test set; see {@link FashionSampleVideo} for what it shows.
 */
@Command(
    name = "build-fashion-sample",
    hidden = true,
    description = "Render the demo's Fashion-MNIST sample video and its label sidecar.")
public class FashionSampleCommand implements Callable<Integer> {

  @Option(names = "--data", description = "Fashion-MNIST IDX directory (default: ${DEFAULT-VALUE}).")
  Path data = FashionMnist.DEFAULT_DIR;

  @Option(names = "--out", defaultValue = "src/main/resources/samples", description = "Output directory (default: ${DEFAULT-VALUE}).")
  Path out;

  @Override
  public Integer call() throws IOException {
    ImageSet test;
    try {
      test = FashionMnist.load(data, Split.TEST, 0);
    } catch (IOException e) {
      System.err.println("build-fashion-sample: " + e.getMessage());
      return 1;
    }
    // FFmpeg's stream dump and OpenH264's notices about its own defaults would bury the summary.
    avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    Sidecar sidecar = FashionSampleVideo.write(test, out);
    Path video = out.resolve(FashionSampleVideo.VIDEO_FILE);
    System.err.printf(
        "build-fashion-sample: wrote %s (%d bytes, %dx%d, %d items x %d frames at %d fps) and %s%n",
        video, Files.size(video), sidecar.width(), sidecar.height(), sidecar.items().size(),
        sidecar.framesPerItem(), sidecar.fps(), out.resolve(FashionSampleVideo.SIDECAR_FILE));
    for (Item item : sidecar.items()) {
      System.err.printf("  test image %5d  %s%n", item.testIndex(), item.label());
    }
    return 0;
  }
}
