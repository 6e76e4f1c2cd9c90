package io.vidlabel.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vidlabel.bench.MemoryBench.Row;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Structure of the memory suite; no thresholds on the numbers (they depend on the machine). */
class MemoryBenchTest {

  @Test
  void samplesResidentMemoryWhileTheLoadRuns() throws Exception {
    Row row = MemoryBench.measure("allocating", 3, () -> {
      byte[][] held = new byte[8][];
      for (int i = 0; i < held.length; i++) {
        held[i] = new byte[1 << 20];
        Thread.sleep(30);
      }
      return held.length;
    });

    assertThat(row.load()).isEqualTo("allocating");
    assertThat(row.streams()).isEqualTo(3);
    assertThat(row.samples()).isGreaterThanOrEqualTo(2);
    assertThat(row.beforeMb()).isPositive();
    assertThat(row.medianMb()).isPositive().isLessThanOrEqualTo(row.peakMb());
    assertThat(MemoryBench.markdown(List.of(row)).lines())
        .hasSize(3)
        .anyMatch(l -> l.startsWith("| allocating | 3 | "));
  }

  @Test
  void readsVmRssInKibibytes() throws Exception {
    String status = "Name:\tjava\nVmPeak:\t 9000 kB\nVmRSS:\t  2048 kB\nThreads:\t12\n";

    assertThat(MemoryBench.parseResidentBytes(status)).isEqualTo(2048L * 1024);
    assertThatThrownBy(() -> MemoryBench.parseResidentBytes("Name:\tjava\n"))
        .hasMessageContaining("VmRSS");
  }

  @Test
  void readsTheResidentMemoryOfAProcessByItsId() throws Exception {
    long self = ProcessHandle.current().pid();

    assertThat(MemoryBench.residentBytes(self)).isPositive();
    // pid_max on Linux is at most 2^22, so this process cannot exist
    assertThatThrownBy(() -> MemoryBench.residentBytes(1L << 23)).isInstanceOf(IOException.class);
  }
}
