package io.vidlabel.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vidlabel.training.FashionMnist;
import io.vidlabel.training.ImageSet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

/**
 * The demo's bundled sample: Fashion-MNIST test images rendered as an H.264 MPEG-TS video, plus a
 * JSON sidecar with the true label of every item in order.
 *
 * <p>The items are the first test image of each class, in class order (T-shirt/top, Trouser, ...,
 * Ankle boot): a fixed rule that does not look at what any model answers, so the demo shows the
 * default model's mistakes as well as its hits. Each item fills the whole frame, grey on black as
 * in the dataset, upscaled {@value #SCALE}x by pixel replication (the decoder scales frames back
 * down to the model's 28x28), and stays still for {@value #FRAMES_PER_ITEM} frames at {@value
 * #FPS} fps: two seconds, so every 2-s segment that {@code publish} (and the demo) cuts shows
 * exactly one item and each segment label can be checked against the sidecar.
 *
 * <p>The committed copy lives under {@code src/main/resources/samples}; {@code
 * build-fashion-sample} rewrites it from the dataset.
 */
public final class FashionSampleVideo {

  /** File name {@link #write} gives the video. */
  public static final String VIDEO_FILE = "fashion-mnist.ts";

  /** File name {@link #write} gives the sidecar. */
  public static final String SIDECAR_FILE = "fashion-mnist.json";

  /** Class-path location of the bundled video. */
  public static final String VIDEO_RESOURCE = "samples/" + VIDEO_FILE;

  /** Class-path location of the bundled video's sidecar. */
  public static final String SIDECAR_RESOURCE = "samples/" + SIDECAR_FILE;

  /** Upscaling factor: 28x28 items become 112x112 frames (7x7 H.264 macroblocks). */
  public static final int SCALE = 4;

  /** Frame rate of the video. */
  public static final int FPS = 25;

  /** Two seconds per item, the length of {@code publish}'s default segments. */
  public static final int FRAMES_PER_ITEM = 2 * FPS;

  /**
   * Target bit rate. Still 112x112 pictures need far less (at five times the rate the decoded items
   * come out no closer to the originals), so rate control never blurs an item; most of the file is
   * MPEG-TS packet overhead, not picture data.
   */
  private static final int BITRATE = 200_000;

  private static final String SOURCE =
      "Fashion-MNIST test set (t10k-images-idx3-ubyte), Debian package "
          + FashionMnist.DEBIAN_PACKAGE;
  private static final String SELECTION = "first test image of each class, in class order";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * One item of the video.
   *
   * @param testIndex index of the image in the Fashion-MNIST test set
   * @param label its true class name
   */
  public record Item(int testIndex, String label) {}

  /**
   * The sidecar: how the video was made and what it shows, item by item.
   *
   * @param video file name of the video it describes
   * @param source where the images come from
   * @param selection the rule that chose the items
   * @param width frame width in pixels
   * @param height frame height in pixels
   * @param fps frames per second
   * @param framesPerItem consecutive frames showing each item
   * @param items the items in the order they appear
   */
  public record Sidecar(
      String video,
      String source,
      String selection,
      int width,
      int height,
      int fps,
      int framesPerItem,
      List<Item> items) {

    public Sidecar {
      items = List.copyOf(items);
    }

    /** True labels in the order the items appear: item {@code i} is segment {@code i} of the demo. */
    public List<String> labels() {
      return items.stream().map(Item::label).toList();
    }
  }

  private FashionSampleVideo() {}

  /**
   * The items {@link #write} renders: the first image of each class in {@code test}, in class
   * order.
   *
   * @throws IllegalArgumentException if a class has no image in {@code test}
   */
  public static List<Item> firstOfEachClass(ImageSet test) {
    List<Item> items = new ArrayList<>(FashionMnist.LABELS.size());
    for (int label = 0; label < FashionMnist.LABELS.size(); label++) {
      int index = 0;
      while (index < test.count() && test.label(index) != label) {
        index++;
      }
      if (index == test.count()) {
        throw new IllegalArgumentException(
            "no image of class " + FashionMnist.LABELS.get(label) + " among " + test.count());
      }
      items.add(new Item(index, FashionMnist.LABELS.get(label)));
    }
    return items;
  }

  /**
   * Renders the first test image of each class of {@code test} into {@code dir}: {@value
   * #VIDEO_FILE} and its sidecar {@value #SIDECAR_FILE}.
   */
  public static Sidecar write(ImageSet test, Path dir) throws IOException {
    List<Item> items = firstOfEachClass(test);
    int width = test.cols() * SCALE;
    int height = test.rows() * SCALE;
    Files.createDirectories(dir);
    try (FFmpegFrameRecorder recorder =
            new FFmpegFrameRecorder(dir.resolve(VIDEO_FILE).toFile(), width, height, 0);
        Frame frame = new Frame(width, height, Frame.DEPTH_UBYTE, 1)) {
      recorder.setFormat("mpegts");
      recorder.setVideoCodec(avcodec.AV_CODEC_ID_H264);
      recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
      recorder.setFrameRate(FPS);
      recorder.setGopSize(FRAMES_PER_ITEM); // a key frame where each item starts
      recorder.setVideoBitrate(BITRATE);
      recorder.start();
      for (Item item : items) {
        paint(frame, test, item.testIndex());
        for (int i = 0; i < FRAMES_PER_ITEM; i++) {
          recorder.record(frame, avutil.AV_PIX_FMT_GRAY8);
        }
      }
      recorder.stop();
    }
    Sidecar sidecar =
        new Sidecar(VIDEO_FILE, SOURCE, SELECTION, width, height, FPS, FRAMES_PER_ITEM, items);
    JSON.writeValue(dir.resolve(SIDECAR_FILE).toFile(), sidecar);
    return sidecar;
  }

  /** Reads a sidecar written by {@link #write}. */
  public static Sidecar readSidecar(InputStream in) throws IOException {
    return JSON.readValue(in, Sidecar.class);
  }

  /** The bundled video's sidecar, from the class path. */
  public static Sidecar bundledSidecar() throws IOException {
    try (InputStream in = openResource(SIDECAR_RESOURCE)) {
      return readSidecar(in);
    }
  }

  /**
   * Copies the bundled video out of the class path to {@code file} (FFmpeg reads files, not jar
   * entries) and returns its sidecar.
   */
  public static Sidecar copyBundled(Path file) throws IOException {
    try (InputStream in = openResource(VIDEO_RESOURCE)) {
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
    }
    return bundledSidecar();
  }

  private static InputStream openResource(String name) throws IOException {
    InputStream in = FashionSampleVideo.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IOException(
          name + " is not on the class path; the build copies it from src/main/resources");
    }
    return in;
  }

  /** Item {@code index} upscaled by pixel replication into the grey frame. */
  private static void paint(Frame frame, ImageSet test, int index) {
    ByteBuffer pixels = (ByteBuffer) frame.image[0];
    int stride = frame.imageStride;
    for (int y = 0; y < frame.imageHeight; y++) {
      for (int x = 0; x < frame.imageWidth; x++) {
        pixels.put(y * stride + x, (byte) test.pixel(index, y / SCALE, x / SCALE));
      }
    }
  }
}
