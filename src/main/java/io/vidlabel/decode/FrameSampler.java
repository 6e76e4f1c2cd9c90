package io.vidlabel.decode;

/**
 * Which decoded frames to keep. A sampler is an immutable spec; {@link #start()} gives a fresh
 * stateful {@link Session} for each input, so one sampler can be shared across threads.
 */
public interface FrameSampler {

  /** Keeps every frame. */
  static FrameSampler all() {
    return Samplers.ALL;
  }

  /** Keeps indices 0, n, 2n, ... */
  static FrameSampler everyNth(int n) {
    return new Samplers.EveryNth(n);
  }

  /**
   * Keeps the first frame and then one frame per {@code 1/fps} seconds of presentation time: the
   * first frame whose pts falls in each later slot of that length, counted from the first frame.
   */
  static FrameSampler targetFps(double fps) {
    return new Samplers.TargetFps(fps);
  }

  /**
   * Parses {@code "all"}, {@code "every:N"} (N >= 1) or {@code "fps:F"} (F > 0), the form used in
   * configuration.
   *
   * @throws IllegalArgumentException for anything else, naming the accepted forms
   */
  static FrameSampler parse(String spec) {
    return Samplers.parse(spec);
  }

  /** A fresh session for one input. */
  Session start();

  /** Stateful decision for one input; frames must be offered in presentation order. */
  interface Session {
    boolean accept(int index, long ptsMicros);
  }
}
