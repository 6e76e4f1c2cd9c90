package io.vidlabel.ingest;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.Java2DFrameConverter;

/**
 * The JPEG-frames mode: decodes a source and hands on one JPEG picture per {@code 1/fps} seconds
 * of video, for the {@code video.frames} topic (one image per record). Cheaper for the classifier
 * than segments when only a few frames per second matter, and the only choice for consumers that
 * want still images. Like {@link StreamSegmenter}, one instance serves one stream across
 * reconnects: numbering and clock go on.
 *
 * <p>Each image is a {@link Segment} of one frame, so {@link SegmentPublisher} publishes it with
 * the same sequence and start-time headers.
 */
public final class FrameSnapshots implements SourceSession {

  private final double fps;
  private final int maxHeight;
  private final float quality;
  private final Consumer<Segment> sink;
  private final long intervalMicros;
  private long nextSeq;
  private long clockMicros;
  private long nextDueMicros;

  /**
   * @param fps pictures per second of video (at most one per decoded frame)
   * @param maxHeight downscale taller video to this height; 0 keeps the size
   * @param quality JPEG quality between 0 and 1
   * @param sink receives each picture as it is encoded
   */
  public FrameSnapshots(double fps, int maxHeight, float quality, long firstSeq, Consumer<Segment> sink) {
    if (!(fps > 0) || fps > 240) {
      throw new IllegalArgumentException("frames per second must be in (0, 240], not " + fps);
    }
    if (!(quality > 0 && quality <= 1)) {
      throw new IllegalArgumentException("JPEG quality must be in (0, 1], not " + quality);
    }
    this.fps = fps;
    this.maxHeight = maxHeight;
    this.quality = quality;
    this.sink = sink;
    this.nextSeq = firstSeq;
    this.intervalMicros = Math.round(1_000_000 / fps);
  }

  @Override
  public long published() {
    return nextSeq;
  }

  /** Where the stream clock stands: the end of the last run's video, microseconds. */
  public long clockMicros() {
    return clockMicros;
  }

  @Override
  public long run(FFmpegFrameGrabber grabber, BooleanSupplier stop) throws FrameGrabber.Exception {
    if (grabber.getImageWidth() <= 0 || grabber.getImageHeight() <= 0) {
      throw new FrameGrabber.Exception("no video stream");
    }
    StreamSegmenter.scaledSize(grabber, maxHeight);
    long frameMicros = Math.round(1_000_000 / StreamSegmenter.frameRate(grabber));
    long first = Long.MIN_VALUE;
    long last = -1;
    long read = 0;
    try (Java2DFrameConverter converter = new Java2DFrameConverter()) {
      Frame frame;
      while (!stop.getAsBoolean() && (frame = grabber.grabImage()) != null) {
        if (first == Long.MIN_VALUE) {
          first = frame.timestamp;
        }
        long rel = frame.timestamp - first;
        rel = rel > last ? rel : (last < 0 ? 0 : last + frameMicros);
        last = rel;
        read++;
        long at = clockMicros + rel;
        if (at < nextDueMicros) {
          continue;
        }
        // Keep the grid of due times unless the source skipped past several of them.
        nextDueMicros = at - nextDueMicros < intervalMicros ? nextDueMicros + intervalMicros : at + intervalMicros;
        byte[] jpeg = jpeg(converter.getBufferedImage(frame), quality);
        sink.accept(new Segment(nextSeq++, at, frameMicros, 1, jpeg));
      }
    } finally {
      if (read > 0) {
        clockMicros += last + frameMicros;
      }
    }
    return read;
  }

  /** {@code image} as a baseline JPEG of the given quality. */
  static byte[] jpeg(BufferedImage image, float quality) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(quality);
      writer.setOutput(stream);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException("JPEG encoding failed", e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }
}
