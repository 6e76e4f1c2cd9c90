package io.vidlabel.ingest;

import java.util.function.BooleanSupplier;
import org.bytedeco.javacv.FFmpegFrameGrabber;

/**
 * What is done with one open source: a file, or one connection to a camera. A session object
 * lives as long as its stream, across reconnects, so it keeps the stream's numbering and clock.
 */
public interface SourceSession {

  /**
   * Reads the started {@code grabber} until it ends, fails or {@code stop} turns true, and hands on
   * everything read (a partly filled segment too) before returning.
   *
   * @return video frames read from this grabber
   * @throws Exception a media or network error; whatever was read before it has been handed on
   */
  long run(FFmpegFrameGrabber grabber, BooleanSupplier stop) throws Exception;

  /** Segments or images handed on so far, over all runs. */
  long published();
}
