package io.vidlabel.ingest;

import java.io.ByteArrayOutputStream;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.FrameRecorder;

/**
 * Cuts a source into self-contained MPEG-TS segments as it is read, so a live stream is published
 * segment by segment while it plays; the same code cuts files. One instance serves one stream for
 * its whole life: sequence numbers and start times go on across {@link #run} calls, so a camera
 * that reconnects continues its numbering where it broke off, and a directory published as one
 * stream reads as one long video.
 *
 * <p>Timestamps: each run's clock starts at its first frame, and the stream clock advances by
 * what each run covered, so a source that restarts its timestamps after a reconnect does not make
 * segments jump back in time.
 */
public final class StreamSegmenter implements SourceSession {

  private final SegmentEncoding encoding;
  private final Consumer<Segment> sink;
  private final long segmentMicros;
  private long nextSeq;
  private long clockMicros;
  private long frames;

  /**
   * @param firstSeq sequence number of the first segment
   * @param sink receives each segment as soon as it is closed
   */
  public StreamSegmenter(SegmentEncoding encoding, long firstSeq, Consumer<Segment> sink) {
    this.encoding = encoding;
    this.sink = sink;
    this.nextSeq = firstSeq;
    this.segmentMicros = Math.round(encoding.segmentSeconds() * 1_000_000);
  }

  @Override
  public long published() {
    return nextSeq;
  }

  /** Video frames that went into segments so far. */
  public long frames() {
    return frames;
  }

  /** Where the stream clock stands: the end of the last run's video, microseconds. */
  public long clockMicros() {
    return clockMicros;
  }

  @Override
  public long run(FFmpegFrameGrabber grabber, BooleanSupplier stop)
      throws FrameGrabber.Exception, FrameRecorder.Exception {
    if (grabber.getImageWidth() <= 0 || grabber.getImageHeight() <= 0) {
      throw new FrameGrabber.Exception("no video stream");
    }
    return encoding.codec() == SegmentEncoding.Codec.COPY ? copy(grabber, stop) : transcode(grabber, stop);
  }

  private long transcode(FFmpegFrameGrabber grabber, BooleanSupplier stop)
      throws FrameGrabber.Exception, FrameRecorder.Exception {
    int[] size = scaledSize(grabber, encoding.maxHeight());
    double fps = frameRate(grabber);
    long frameMicros = Math.round(1_000_000 / fps);
    Open open = null;
    long first = Long.MIN_VALUE;
    long last = -1;
    long read = 0;
    try {
      Frame frame;
      while (!stop.getAsBoolean() && (frame = grabber.grabImage()) != null) {
        if (first == Long.MIN_VALUE) {
          first = frame.timestamp;
        }
        // Relative to the run's first frame; inputs without usable timestamps get them from the rate.
        long rel = frame.timestamp - first;
        rel = rel > last ? rel : (last < 0 ? 0 : last + frameMicros);
        last = rel;
        read++;
        if (open != null && rel - open.startRel >= segmentMicros) {
          Segment done = open.finish(nextSeq, clockMicros, rel);
          open = null;
          emit(done);
        }
        if (open == null) {
          open = Open.encoder(rel, size[0], size[1], fps, encoding);
        }
        open.recorder.record(frame, grabber.getPixelFormat());
        open.frames++;
      }
    } finally {
      endOfRun(open, read, last + frameMicros);
    }
    return read;
  }

  /**
   * A run of one connection ended (end of input, a broken connection, or a stop): the segment
   * being cut is published, and the clock moves on by the run's length ({@code endRel}) so the
   * next run's segments continue the timeline.
   */
  private void endOfRun(Open open, long read, long endRel) throws FrameRecorder.Exception {
    if (open != null) {
      emit(open.finish(nextSeq, clockMicros, endRel));
    }
    if (read > 0) {
      clockMicros += endRel;
    }
  }

  private long copy(FFmpegFrameGrabber grabber, BooleanSupplier stop)
      throws FrameGrabber.Exception, FrameRecorder.Exception {
    AVFormatContext input = grabber.getFormatContext();
    int videoIndex = -1;
    for (int i = 0; i < input.nb_streams(); i++) {
      if (input.streams(i).codecpar().codec_type() == avutil.AVMEDIA_TYPE_VIDEO) {
        videoIndex = i;
        break;
      }
    }
    if (videoIndex < 0) {
      throw new FrameGrabber.Exception("no video stream");
    }
    AVStream stream = input.streams(videoIndex);
    AVRational timeBase = stream.time_base();
    long frameMicros = Math.round(1_000_000 / frameRate(grabber));
    Open open = null;
    long first = Long.MIN_VALUE;
    long last = -1;
    long read = 0;
    try {
      AVPacket packet;
      while (!stop.getAsBoolean() && (packet = grabber.grabPacket()) != null) {
        if (packet.stream_index() != videoIndex) {
          continue;
        }
        boolean key = (packet.flags() & avcodec.AV_PKT_FLAG_KEY) != 0;
        if (open == null && !key) {
          continue; // nothing before the first key frame decodes on its own
        }
        long ts = packet.pts() != avutil.AV_NOPTS_VALUE ? packet.pts() : packet.dts();
        long micros =
            ts == avutil.AV_NOPTS_VALUE
                ? (last < 0 ? 0 : last + frameMicros)
                : avutil.av_rescale_q(ts, timeBase, avutil.av_make_q(1, 1_000_000));
        if (first == Long.MIN_VALUE) {
          first = micros;
        }
        long rel = Math.max(0, micros - first);
        last = Math.max(last, rel);
        read++;
        if (open != null && key && rel - open.startRel >= segmentMicros) {
          Segment done = open.finish(nextSeq, clockMicros, rel);
          open = null;
          emit(done);
        }
        if (open == null) {
          open = Open.remuxer(rel, grabber);
        }
        open.recorder.recordPacket(packet);
        open.frames++;
      }
    } finally {
      endOfRun(open, read, last + frameMicros);
    }
    return read;
  }

  private void emit(Segment segment) {
    nextSeq++;
    frames += segment.frames();
    sink.accept(segment);
  }

  /** Width and height after downscaling to {@code maxHeight}, applied to the grabber. */
  static int[] scaledSize(FFmpegFrameGrabber grabber, int maxHeight) {
    int width = grabber.getImageWidth();
    int height = grabber.getImageHeight();
    if (maxHeight > 0 && height > maxHeight) {
      width = even(Math.round(width * (float) maxHeight / height));
      height = even(maxHeight);
      grabber.setImageWidth(width);
      grabber.setImageHeight(height);
    }
    return new int[] {width, height};
  }

  /** The source's frame rate if plausible, else 25. */
  static double frameRate(FFmpegFrameGrabber grabber) {
    double fps = grabber.getFrameRate();
    return fps > 0 && fps < 240 ? fps : 25;
  }

  private static int even(int v) {
    return Math.max(2, v - (v % 2));
  }

  /** A segment being written. */
  private static final class Open {
    final long startRel;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final FFmpegFrameRecorder recorder;
    int frames;

    private Open(long startRel, int width, int height) {
      this.startRel = startRel;
      this.recorder = new FFmpegFrameRecorder(out, width, height, 0);
      recorder.setFormat("mpegts");
    }

    static Open encoder(long startRel, int width, int height, double fps, SegmentEncoding encoding)
        throws FrameRecorder.Exception {
      Open open = new Open(startRel, width, height);
      FFmpegFrameRecorder r = open.recorder;
      r.setVideoCodec(avcodec.AV_CODEC_ID_H264);
      r.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
      r.setFrameRate(fps);
      r.setGopSize(encoding.keyframeInterval() > 0 ? encoding.keyframeInterval() : (int) Math.max(1, Math.round(fps)));
      if (encoding.bitrate() > 0) {
        r.setVideoBitrate(encoding.bitrate());
      }
      r.start();
      return open;
    }

    static Open remuxer(long startRel, FFmpegFrameGrabber grabber) throws FrameRecorder.Exception {
      Open open = new Open(startRel, grabber.getImageWidth(), grabber.getImageHeight());
      open.recorder.start(grabber.getFormatContext());
      return open;
    }

    Segment finish(long seq, long clockMicros, long endRel) throws FrameRecorder.Exception {
      recorder.stop();
      recorder.release();
      return new Segment(seq, clockMicros + startRel, endRel - startRel, frames, out.toByteArray());
    }
  }
}
