package io.vidlabel.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrashGuardTest {

  private static final String TOPIC = "video.segments";

  @TempDir Path dir;

  /**
   * Run in a child JVM: opens the guard, marks a record in flight (and, with "done", finishes it),
   * then ends the process abruptly, the way a segfault in FFmpeg or SIGKILL would: no shutdown
   * hooks, no close.
   */
  public static void main(String[] args) {
    CrashGuard guard = CrashGuard.open(Path.of(args[0]), 3);
    CrashGuard.InFlight inFlight = guard.begin(TOPIC, Integer.parseInt(args[1]), Long.parseLong(args[2]));
    if (args.length > 3 && args[3].equals("done")) {
      inFlight.close();
    }
    Runtime.getRuntime().halt(137);
  }

  private void dieInChild(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        CrashGuardTest.class.getName(), dir.toString()));
    command.addAll(List.of(args));
    Process child = new ProcessBuilder(command).inheritIO().start();
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isEqualTo(137);
  }

  @Test
  void countsARecordInFlightWhenAProcessDiesAbruptlyAndSkipsItAfterTheLimit() throws Exception {
    // when three processes die while the record at partition 2, offset 41 is being processed
    dieInChild("2", "41");
    assertThat(CrashGuard.open(dir, 3).crashes(TOPIC, 2, 41)).isEqualTo(1);
    dieInChild("2", "41");
    dieInChild("2", "41");

    // then the next process counts three abrupt ends for that record, and skips it
    CrashGuard guard = CrashGuard.open(dir, 3);
    assertThat(guard.crashes(TOPIC, 2, 41)).isEqualTo(3);
    assertThat(guard.shouldSkip(TOPIC, 2, 41)).isTrue();
    // and only that record: its neighbours and other partitions are processed as usual
    assertThat(guard.shouldSkip(TOPIC, 2, 42)).isFalse();
    assertThat(guard.shouldSkip(TOPIC, 1, 41)).isFalse();
    guard.close();
  }

  @Test
  void aRecordFinishedBeforeTheProcessDiedIsNotBlamed() throws Exception {
    dieInChild("0", "7", "done");

    assertThat(CrashGuard.open(dir, 3).crashes(TOPIC, 0, 7)).isZero();
  }

  @Test
  void aCleanShutdownLeavesNothingToCount() {
    CrashGuard guard = CrashGuard.open(dir, 3);
    guard.begin(TOPIC, 0, 5); // still in flight when the service shuts down cleanly
    guard.close();

    assertThat(CrashGuard.open(dir, 3).crashes(TOPIC, 0, 5)).isZero();
  }

  @Test
  void belowTheLimitTheRecordIsProcessedAgain() throws Exception {
    dieInChild("0", "9");
    dieInChild("0", "9");

    CrashGuard guard = CrashGuard.open(dir, 3);
    assertThat(guard.crashes(TOPIC, 0, 9)).isEqualTo(2);
    assertThat(guard.shouldSkip(TOPIC, 0, 9)).isFalse();
  }

  @Test
  void zeroTurnsTheGuardOffAndWritesNothing() throws Exception {
    CrashGuard guard = CrashGuard.open(dir.resolve("off"), 0);
    guard.begin(TOPIC, 0, 1);

    assertThat(guard.shouldSkip(TOPIC, 0, 1)).isFalse();
    assertThat(Files.exists(dir.resolve("off"))).isFalse();
    assertThatThrownBy(() -> CrashGuard.open(dir, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ignoresMalformedCountsAndForgetsTheOldestBeyondItsMemory() throws Exception {
    Files.writeString(dir.resolve("crashes.properties"), "garbage\nvideo.frames-0@1=x\nvideo.frames-0@2=2\n");
    StringBuilder many = new StringBuilder(Files.readString(dir.resolve("crashes.properties")));
    for (int i = 0; i < CrashGuard.MAX_REMEMBERED; i++) {
      many.append("video.frames-1@").append(i).append("=1\n");
    }
    Files.writeString(dir.resolve("crashes.properties"), many);

    CrashGuard guard = CrashGuard.open(dir, 3);

    assertThat(guard.crashes("video.frames", 0, 2)).isZero(); // the oldest entry, forgotten
    assertThat(guard.crashes("video.frames", 1, CrashGuard.MAX_REMEMBERED - 1)).isEqualTo(1);
    assertThat(Files.readAllLines(dir.resolve("crashes.properties"))).hasSize(CrashGuard.MAX_REMEMBERED);
  }
}
