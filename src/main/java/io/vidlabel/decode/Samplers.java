package io.vidlabel.decode;

import java.util.Locale;

/** The {@link FrameSampler} implementations; their {@code toString()} is the parseable spec. */
final class Samplers {

  static final FrameSampler ALL =
      new FrameSampler() {
        @Override
        public Session start() {
          return (index, ptsMicros) -> true;
        }

        @Override
        public String toString() {
          return "all";
        }
      };

  private Samplers() {}

  static FrameSampler parse(String spec) {
    if (spec == null) {
      throw new IllegalArgumentException(usage("null"));
    }
    String s = spec.trim().toLowerCase(Locale.ROOT);
    if (s.equals("all")) {
      return ALL;
    }
    int colon = s.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(usage(spec));
    }
    String kind = s.substring(0, colon).trim();
    String arg = s.substring(colon + 1).trim();
    try {
      switch (kind) {
        case "every":
          return new EveryNth(Integer.parseInt(arg));
        case "fps":
          return new TargetFps(Double.parseDouble(arg));
        default:
          throw new IllegalArgumentException(usage(spec));
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(usage(spec), e);
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("frame sampler")) {
        throw e;
      }
      throw new IllegalArgumentException(usage(spec) + ": " + e.getMessage(), e);
    }
  }

  private static String usage(String spec) {
    return "frame sampler '" + spec + "' is invalid; expected 'all', 'every:N' (N >= 1) or"
        + " 'fps:F' (F > 0)";
  }

  record EveryNth(int n) implements FrameSampler {
    EveryNth {
      if (n < 1) {
        throw new IllegalArgumentException("every:N needs N >= 1, got " + n);
      }
    }

    @Override
    public Session start() {
      return (index, ptsMicros) -> index % n == 0;
    }

    @Override
    public String toString() {
      return "every:" + n;
    }
  }

  record TargetFps(double fps) implements FrameSampler {
    TargetFps {
      if (!(fps > 0) || Double.isInfinite(fps)) {
        throw new IllegalArgumentException("fps:F needs a finite F > 0, got " + fps);
      }
    }

    @Override
    public Session start() {
      double intervalMicros = 1_000_000.0 / fps;
      // Timestamps are rounded to microseconds (and often to 90 kHz ticks before that), so a frame
      // that lands a hair before a slot boundary still counts as the start of that slot.
      double tolerance = Math.min(500.0, intervalMicros / 4);
      return new Session() {
        private long firstPts;
        private long lastSlot = -1;

        @Override
        public boolean accept(int index, long ptsMicros) {
          if (lastSlot < 0) {
            firstPts = ptsMicros;
            lastSlot = 0;
            return true;
          }
          long slot = (long) Math.floor((ptsMicros - firstPts + tolerance) / intervalMicros);
          if (slot > lastSlot) {
            lastSlot = slot;
            return true;
          }
          return false;
        }
      };
    }

    @Override
    public String toString() {
      return "fps:" + fps;
    }
  }
}
