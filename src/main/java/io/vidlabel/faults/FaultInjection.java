package io.vidlabel.faults;

import java.lang.reflect.Field;

/**
 * Deliberate failures for testing the code that must survive them (the fuzzer's child
 * supervision). Only ever called in a child JVM started for that purpose.
 */
final class FaultInjection {

  private FaultInjection() {}

  /**
   * Writes to address 0 through {@code sun.misc.Unsafe}: a real SIGSEGV in native code, the way an
   * FFmpeg bug would end the JVM (hs_err file, exit status 134), not a Java exception.
   */
  static void segfault() {
    try {
      Field f = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
      f.setAccessible(true);
      Object unsafe = f.get(null);
      unsafe.getClass().getMethod("putAddress", long.class, long.class).invoke(unsafe, 0L, 0L);
    } catch (ReflectiveOperationException e) {
      // no Unsafe: end the process abruptly instead, which the parent sees the same way
    }
    Runtime.getRuntime().halt(134);
  }

  /** Never returns: a decoder stuck in native code. */
  static void hang() {
    while (true) {
      try {
        Thread.sleep(Long.MAX_VALUE);
      } catch (InterruptedException ignored) {
        // a real native hang does not react to interrupts either
      }
    }
  }
}
