package io.vidlabel.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vidlabel.decode.DecodeLimits;
import io.vidlabel.decode.DecodedVideo;
import io.vidlabel.decode.FrameSampler;
import io.vidlabel.decode.FrameSize;
import io.vidlabel.decode.VideoDecoder;
import io.vidlabel.decode.VideoFrame;
import io.vidlabel.ingest.FashionSampleVideo.Item;
import io.vidlabel.ingest.FashionSampleVideo.Sidecar;
import io.vidlabel.training.FashionMnist.Split;
import io.vidlabel.training.FashionMnist;
import io.vidlabel.training.ImageSet;
import io.vidlabel.training.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's bundled sample (src/main/resources/samples) against the dataset it was rendered from:
 * it shows the items its sidecar names, one per 2-s segment, and rendering it again from the
 * dataset gives the same items.
 */
class FashionSampleVideoTest {

  private static final Path BUNDLED = Path.of("src/main/resources/samples");
  /** Frames compared at the model's input size, as the service decodes them. */
  private static final FrameSize ITEM_SIZE = new FrameSize(28, 28);
  /**
   * Mean absolute grey-level difference (0-255) allowed between a decoded frame and its item.
   * Scaling 112 back to 28 blurs edges (FFmpeg's bilinear filter reaches into the neighbouring
   * 4x4 blocks): measured 6 to 13, the same at 5 times the bit rate; between two different items
   * of the video it is 38 or more.
   */
  private static final double SAME_ITEM = 20;

  private static ImageSet test;
  private final VideoDecoder decoder = new VideoDecoder(DecodeLimits.defaults());

  @BeforeAll
  static void loadTestSet() throws Exception {
    test = FashionMnist.load(TestData.fashionMnist(), Split.TEST, 0);
  }

  @Test
  void sidecarNamesTheFirstTestImageOfEachClassInClassOrder() throws Exception {
    Sidecar sidecar = FashionSampleVideo.bundledSidecar();

    assertThat(sidecar.items()).isEqualTo(FashionSampleVideo.firstOfEachClass(test));
    assertThat(sidecar.labels()).isEqualTo(FashionMnist.LABELS);
    assertThat(sidecar.items())
        .allSatisfy(
            item -> assertThat(FashionMnist.LABELS.get(test.label(item.testIndex()))).isEqualTo(item.label()));
  }

  @Test
  void bundledVideoShowsEachItemForTwoSecondsInSidecarOrder() throws Exception {
    Sidecar sidecar = FashionSampleVideo.bundledSidecar();
    byte[] media = Files.readAllBytes(BUNDLED.resolve(FashionSampleVideo.VIDEO_FILE));

    DecodedVideo video = decoder.decode(media, FrameSampler.all(), ITEM_SIZE);

    assertThat(media.length).as("committed file size").isLessThan(500_000);
    assertThat(video.format()).isEqualTo("mpegts");
    assertThat(video.codec()).isEqualTo("h264");
    assertThat(video.sourceWidth()).isEqualTo(sidecar.width()).isEqualTo(112);
    assertThat(video.sourceHeight()).isEqualTo(sidecar.height()).isEqualTo(112);
    assertThat(video.frameRate()).isEqualTo(sidecar.fps());
    assertThat(video.framesDecoded())
        .isEqualTo(sidecar.items().size() * sidecar.framesPerItem())
        .isEqualTo(500);
    for (VideoFrame frame : video.frames()) {
      assertShowsItem(frame, sidecar.items(), frame.index() / sidecar.framesPerItem());
    }
  }

  @Test
  void publishingCutsOneItemPerSegment() throws Exception {
    Sidecar sidecar = FashionSampleVideo.bundledSidecar();
    List<Segment> segments = new ArrayList<>();

    new SegmentCutter(new SegmentCutter.Options(2.0, 720, 0))
        .cut(BUNDLED.resolve(FashionSampleVideo.VIDEO_FILE), segments::add);

    assertThat(segments).hasSize(sidecar.items().size());
    for (Segment segment : segments) {
      DecodedVideo video = decoder.decode(segment.bytes(), FrameSampler.all(), ITEM_SIZE);
      assertThat(video.framesDecoded())
          .as("segment %d", segment.seq())
          .isEqualTo(sidecar.framesPerItem());
      for (VideoFrame frame : video.frames()) {
        assertShowsItem(frame, sidecar.items(), (int) segment.seq());
      }
    }
  }

  @Test
  void renderingAgainFromTheDatasetGivesTheSameItems(@TempDir Path dir) throws Exception {
    Sidecar bundled = FashionSampleVideo.bundledSidecar();

    Sidecar again = FashionSampleVideo.write(test, dir);

    assertThat(again).isEqualTo(bundled);
    List<VideoFrame> before = decodeAll(BUNDLED.resolve(FashionSampleVideo.VIDEO_FILE));
    List<VideoFrame> after = decodeAll(dir.resolve(FashionSampleVideo.VIDEO_FILE));
    assertThat(after).hasSameSizeAs(before);
    for (int i = 0; i < before.size(); i++) {
      // H.264 bytes need not be identical across encoder builds; the pictures must be.
      assertThat(meanAbsDiff(after.get(i), before.get(i))).as("frame %d", i).isLessThan(2.0);
    }
  }

  private List<VideoFrame> decodeAll(Path file) throws Exception {
    return decoder.decode(Files.readAllBytes(file), FrameSampler.all(), ITEM_SIZE).frames();
  }

  /** The frame is close to item {@code expected} and closer to it than to any other item. */
  private static void assertShowsItem(VideoFrame frame, List<Item> items, int expected) {
    double[] diffs = new double[items.size()];
    for (int k = 0; k < items.size(); k++) {
      diffs[k] = meanAbsDiff(frame, items.get(k).testIndex());
    }
    assertThat(diffs[expected])
        .as("frame %d against item %d", frame.index(), expected)
        .isLessThan(SAME_ITEM);
    for (int k = 0; k < items.size(); k++) {
      if (k != expected) {
        assertThat(diffs[k])
            .as("frame %d against item %d", frame.index(), k)
            .isGreaterThan(diffs[expected]);
      }
    }
  }

  /** Mean absolute difference between a decoded 28x28 frame (all three channels) and a test image. */
  private static double meanAbsDiff(VideoFrame frame, int testIndex) {
    long sum = 0;
    for (int y = 0; y < test.rows(); y++) {
      for (int x = 0; x < test.cols(); x++) {
        int at = (y * test.cols() + x) * 3;
        for (int c = 0; c < 3; c++) {
          sum += Math.abs((frame.rgb()[at + c] & 0xFF) - test.pixel(testIndex, y, x));
        }
      }
    }
    return sum / (3.0 * test.rows() * test.cols());
  }

  private static double meanAbsDiff(VideoFrame a, VideoFrame b) {
    long sum = 0;
    for (int i = 0; i < a.rgb().length; i++) {
      sum += Math.abs((a.rgb()[i] & 0xFF) - (b.rgb()[i] & 0xFF));
    }
    return sum / (double) a.rgb().length;
  }
}
