package io.vidlabel.ingest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.FrameRecorder;

/**
 * Cuts a local video into self-contained H.264 MPEG-TS segments of a fixed duration. Each segment
 * starts with a key frame (it is encoded afresh), so the classifier can decode every record on its
 * own. Transcoding costs CPU on the publishing side but accepts anything FFmpeg reads and bounds the
 * record size through the output height.
 *
 * <p>Every segment it hands out fits {@code maxSegmentBytes} (the record limit): a segment that
 * encodes larger is decoded again and re-encoded as two segments of half its frames each, as
 * often as needed, so busy scenes become shorter records instead of records the broker or the
 * classifier refuses. A single frame over the limit cannot be split: that fails with a message
 * naming the remedy (a lower height or bit rate).
 */
public final class SegmentCutter {

  /** How segments are encoded. {@code maxHeight} 0 keeps the source size. */
  public record Options(double segmentSeconds, int maxHeight, int bitrate) {
    public Options {
      if (segmentSeconds <= 0) {
        throw new IllegalArgumentException("segment length must be positive");
      }
    }
  }

  private final Options options;
  private final int maxSegmentBytes;

  /** Without a size limit on segments. */
  public SegmentCutter(Options options) {
    this(options, Integer.MAX_VALUE);
  }

  /** Every segment handed out holds at most {@code maxSegmentBytes} bytes. */
  public SegmentCutter(Options options, int maxSegmentBytes) {
    if (maxSegmentBytes <= 0) {
      throw new IllegalArgumentException("maxSegmentBytes must be positive: " + maxSegmentBytes);
    }
    this.options = options;
    this.maxSegmentBytes = maxSegmentBytes;
  }

  /** Reads {@code video} and hands each finished segment to {@code sink}, in order. */
  public void cut(Path video, Consumer<Segment> sink) throws FrameGrabber.Exception, FrameRecorder.Exception {
    Emitter emitter = new Emitter(sink);
    try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toFile())) {
      grabber.start();
      if (grabber.getImageWidth() <= 0 || grabber.getImageHeight() <= 0) {
        throw new FrameGrabber.Exception(video + " has no video stream");
      }
      int width = grabber.getImageWidth();
      int height = grabber.getImageHeight();
      if (options.maxHeight() > 0 && height > options.maxHeight()) {
        width = even(Math.round(width * (float) options.maxHeight() / height));
        height = even(options.maxHeight());
        grabber.setImageWidth(width);
        grabber.setImageHeight(height);
      }
      double fps = grabber.getFrameRate() > 0 && grabber.getFrameRate() < 240 ? grabber.getFrameRate() : 25;
      emitter.width = width;
      emitter.height = height;
      emitter.fps = fps;
      long segmentMicros = Math.round(options.segmentSeconds() * 1_000_000);
      Open open = null;
      Frame frame;
      long lastPts = -1;
      int index = 0;
      while ((frame = grabber.grabImage()) != null) {
        // Inputs without timestamps (raw Annex-B, MJPEG) get them from the frame rate.
        long pts = frame.timestamp > lastPts ? frame.timestamp : Math.round(index * 1_000_000 / fps);
        lastPts = pts;
        index++;
        if (open != null && pts - open.startMicros >= segmentMicros) {
          emitter.emit(open.finish(0, pts));
          open = null;
        }
        if (open == null) {
          open = new Open(pts, width, height, fps, options.bitrate());
        }
        open.recorder.record(frame, grabber.getPixelFormat());
        open.frames++;
      }
      if (open != null) {
        emitter.emit(open.finish(0, lastPts + Math.round(1_000_000 / fps)));
      }
    }
  }

  /** Numbers segments in order and splits those over the size limit. */
  private final class Emitter {
    private final Consumer<Segment> sink;
    private long seq;
    int width;
    int height;
    double fps;

    Emitter(Consumer<Segment> sink) {
      this.sink = sink;
    }

    void emit(Segment s) throws FrameGrabber.Exception, FrameRecorder.Exception {
      if (s.bytes().length <= maxSegmentBytes) {
        sink.accept(new Segment(seq++, s.startMicros(), s.durationMicros(), s.frames(), s.bytes()));
        return;
      }
      if (s.frames() <= 1) {
        throw new FrameRecorder.Exception("one " + width + "x" + height + " frame encodes to " + s.bytes().length
            + " bytes, over the " + maxSegmentBytes + "-byte record limit; lower --max-height (or the bit rate)");
      }
      split(s);
    }

    /** Decodes {@code s} and re-encodes its frames as two segments, each emitted (and split) in turn. */
    private void split(Segment s) throws FrameGrabber.Exception, FrameRecorder.Exception {
      int firstHalf = s.frames() / 2;
      Open first = null;
      Open second = null;
      long firstTs = -1;
      int index = 0;
      try (FFmpegFrameGrabber again = new FFmpegFrameGrabber(new ByteArrayInputStream(s.bytes()), 0)) {
        again.setFormat("mpegts");
        again.start();
        Frame frame;
        while ((frame = again.grabImage()) != null) {
          if (firstTs < 0) {
            firstTs = frame.timestamp;
          }
          long pts = s.startMicros() + Math.max(0, frame.timestamp - firstTs);
          if (index < firstHalf) {
            if (first == null) {
              first = new Open(s.startMicros(), width, height, fps, options.bitrate());
            }
            first.recorder.record(frame, again.getPixelFormat());
            first.frames++;
          } else {
            if (second == null) {
              second = new Open(pts, width, height, fps, options.bitrate());
            }
            second.recorder.record(frame, again.getPixelFormat());
            second.frames++;
          }
          index++;
        }
      }
      if (first == null || second == null) {
        throw new FrameRecorder.Exception("segment " + seq + " of " + s.bytes().length
            + " bytes is over the record limit and could not be split (" + index + " frames decoded)");
      }
      long end = s.startMicros() + s.durationMicros();
      emit(first.finish(0, second.startMicros));
      emit(second.finish(0, end));
    }
  }

  private static int even(int v) {
    return Math.max(2, v - (v % 2));
  }

  /** A segment being encoded. */
  private static final class Open {
    final long startMicros;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final FFmpegFrameRecorder recorder;
    int frames;

    Open(long startMicros, int width, int height, double fps, int bitrate) throws FrameRecorder.Exception {
      this.startMicros = startMicros;
      recorder = new FFmpegFrameRecorder(out, width, height, 0);
      recorder.setFormat("mpegts");
      recorder.setVideoCodec(avcodec.AV_CODEC_ID_H264);
      recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
      recorder.setFrameRate(fps);
      recorder.setGopSize((int) Math.max(1, Math.round(fps)));
      if (bitrate > 0) {
        recorder.setVideoBitrate(bitrate);
      }
      recorder.start();
    }

    Segment finish(long seq, long endMicros) throws FrameRecorder.Exception {
      recorder.stop();
      recorder.release();
      return new Segment(seq, startMicros, endMicros - startMicros, frames, out.toByteArray());
    }
  }
}
