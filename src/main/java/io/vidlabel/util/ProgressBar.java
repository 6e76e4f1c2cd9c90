package io.vidlabel.util;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress display on a terminal stream (stderr): a bar with a percentage when the
 * total is known (a file's duration), a running count when it is not (a live camera). Redraws at
 * most every {@value #REDRAW_MILLIS} ms, in place with a carriage return, so printing it costs
 * nothing next to the work it reports. Not thread-safe: one worker updates it.
 */
public final class ProgressBar implements AutoCloseable {

  private static final long REDRAW_MILLIS = 200;
  private static final int WIDTH = 30;

  private final PrintStream out;
  private final String label;
  private final long total;
  private long lastDraw;
  private int lastLength;
  private boolean drawn;

  /**
   * @param total the amount that means 100 %, or 0 or less if unknown
   */
  public ProgressBar(PrintStream out, String label, long total) {
    this.out = out;
    this.label = label;
    this.total = total;
  }

  /** Shows {@code done} of the total with a free-form {@code detail}, unless it drew just now. */
  public void update(long done, String detail) {
    long now = System.currentTimeMillis();
    if (drawn && now - lastDraw < REDRAW_MILLIS) {
      return;
    }
    draw(done, detail);
    lastDraw = now;
  }

  /** Draws the final state and ends the line. */
  public void finish(long done, String detail) {
    draw(done, detail);
    out.println();
    out.flush();
    drawn = false;
  }

  /** The text of the line for {@code done} (exposed for tests). */
  public String line(long done, String detail) {
    StringBuilder line = new StringBuilder(label).append(' ');
    if (total > 0) {
      double fraction = Math.max(0, Math.min(1, (double) done / total));
      int filled = (int) Math.round(fraction * WIDTH);
      line.append('[')
          .append("#".repeat(filled))
          .append(".".repeat(WIDTH - filled))
          .append(String.format(Locale.ROOT, "] %3d%% ", Math.round(fraction * 100)));
    }
    return line.append(detail).toString();
  }

  private void draw(long done, String detail) {
    String line = line(done, detail);
    // Pad over the rest of a longer previous line.
    String pad = line.length() < lastLength ? " ".repeat(lastLength - line.length()) : "";
    out.print('\r' + line + pad);
    out.flush();
    lastLength = line.length();
    drawn = true;
  }

  /** Ends the line if something was drawn and not finished. */
  @Override
  public void close() {
    if (drawn) {
      out.println();
      out.flush();
      drawn = false;
    }
  }
}
