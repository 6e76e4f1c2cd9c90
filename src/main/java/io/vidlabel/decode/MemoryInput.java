package io.vidlabel.decode;

import java.io.ByteArrayInputStream;
import java.util.function.LongSupplier;

/**
 * The in-memory stream FFmpeg reads from. Every read checks the decode deadline: once it has
 * passed, the stream reports end of input, so a demuxer that keeps asking for data cannot outlive
 * the budget. {@link #expired()} tells a real end of input from a deadline cut.
 */
final class MemoryInput extends ByteArrayInputStream {

  private final long deadlineNanos;
  private final LongSupplier nanoClock;
  private volatile boolean expired;

  MemoryInput(byte[] media, long deadlineNanos) {
    this(media, deadlineNanos, System::nanoTime);
  }

  MemoryInput(byte[] media, long deadlineNanos, LongSupplier nanoClock) {
    super(media);
    this.deadlineNanos = deadlineNanos;
    this.nanoClock = nanoClock;
  }

  /** Whether the deadline has passed; also marks the stream as cut. */
  boolean deadlinePassed() {
    if (nanoClock.getAsLong() - deadlineNanos > 0) {
      expired = true;
    }
    return expired;
  }

  /** Whether a read was refused (or the deadline was seen to pass) because of the deadline. */
  boolean expired() {
    return expired;
  }

  @Override
  public synchronized int read() {
    return deadlinePassed() ? -1 : super.read();
  }

  @Override
  public synchronized int read(byte[] b, int off, int len) {
    return deadlinePassed() ? -1 : super.read(b, off, len);
  }

  @Override
  public synchronized long skip(long n) {
    return deadlinePassed() ? 0 : super.skip(n);
  }

  /**
   * JavaCV uses this as the "file name" of the input, and when opening the in-memory stream fails
   * it retries by that name, which FFmpeg treats as a local path. The empty protocol whitelist
   * refuses that open ("Protocol 'file' not on whitelist"); a fixed, harmless name keeps the
   * attempt predictable in logs.
   */
  @Override
  public String toString() {
    return "vidlabel-memory-input";
  }
}
