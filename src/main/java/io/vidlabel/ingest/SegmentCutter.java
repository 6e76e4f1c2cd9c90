package io.vidlabel.ingest;

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

  public SegmentCutter(Options options) {
    this.options = options;
  }

  /** Reads {@code video} and hands each finished segment to {@code sink}, in order. */
  public void cut(Path video, Consumer<Segment> sink) throws FrameGrabber.Exception, FrameRecorder.Exception {
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
      long segmentMicros = Math.round(options.segmentSeconds() * 1_000_000);
      long seq = 0;
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
          sink.accept(open.finish(seq++, pts));
          open = null;
        }
        if (open == null) {
          open = new Open(pts, width, height, fps, options.bitrate());
        }
        open.recorder.record(frame, grabber.getPixelFormat());
        open.frames++;
      }
      if (open != null) {
        sink.accept(open.finish(seq, lastPts + Math.round(1_000_000 / fps)));
      }
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
