package io.vidlabel.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.vidlabel.decode.DecodeLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutation fuzzing of the decoder over ../shared/media: a few hundred inputs in the suite (the long
 * run is measured on demand, see docs/security-and-hostile-input.md), and the child supervision
 * that makes a native crash countable.
 */
class DecodeFuzzerTest {

  private static final Path MEDIA = Path.of(System.getProperty("test.media.dir", "../shared/media"));
  private static final int MAX_BYTES = (int) DecodeLimits.defaults().maxInputBytes();

  @TempDir Path tmp;

  @Test
  void makesTheSameInputFromTheSameSeedAndIteration() {
    Mutator a = Mutator.ofDirectory(MEDIA, 5, MAX_BYTES);
    Mutator b = Mutator.ofDirectory(MEDIA, 5, MAX_BYTES);
    Mutator other = Mutator.ofDirectory(MEDIA, 6, MAX_BYTES);

    assertThat(a.input(17).bytes()).isEqualTo(b.input(17).bytes());
    assertThat(a.input(17).mutations()).isEqualTo(b.input(17).mutations()).isNotEmpty();
    assertThat(a.input(17).bytes()).isNotEqualTo(other.input(17).bytes());
    assertThat(a.corpus()).hasSize(11).doesNotContain("README.md");
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.MINUTES)
  void threeHundredMutatedCorpusFilesEachDecodeOrAreRejectedWithAReason() {
    Mutator mutator = Mutator.ofDirectory(MEDIA, 20261123, MAX_BYTES);

    DecodeFuzzer.Report report = new DecodeFuzzer(mutator, DecodeFuzzer.Options.of(20261123, 300)).run();
    System.out.print(report.table());

    assertThat(report.failures()).as(report.table()).isEmpty();
    assertThat(report.decoded() + report.rejectedTotal()).isEqualTo(300);
    // the mutations reach past the prober: several kinds of rejection, and damaged files that still decode
    assertThat(report.rejected()).hasSizeGreaterThanOrEqualTo(2);
    assertThat(report.decoded()).isPositive();
    assertThat(report.maxDecodeMillis()).isLessThan(DecodeLimits.defaults().maxDecodeTime().toMillis());
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void isolatedRunCountsANativeCrashAndAHangThenResumesAfterEach() {
    DecodeLimits limits = DecodeLimits.defaults().withMaxDecodeTime(Duration.ofSeconds(2));
    DecodeFuzzer.Options options = new DecodeFuzzer.Options(
        3, 30, limits, Duration.ofSeconds(2), true, tmp, null);
    DecodeFuzzer fuzzer = new DecodeFuzzer(Mutator.ofDirectory(MEDIA, 3, MAX_BYTES), options)
        .withMediaDir(MEDIA)
        .injectingChildFaults(7, 19);

    DecodeFuzzer.Report report = fuzzer.run();
    System.out.print(report.table());

    assertThat(report.failures())
        .extracting(DecodeFuzzer.Failure::iteration, DecodeFuzzer.Failure::kind)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(7, DecodeFuzzer.CRASH),
            org.assertj.core.groups.Tuple.tuple(19, DecodeFuzzer.HANG));
    // the JVM's own crash report names the signal (with core dumps off the JVM exits with 1)
    assertThat(report.failures().get(0).detail()).contains("child JVM died with exit code").contains("SIGSEGV");
    assertThat(report.failures().get(0).saved()).exists();
    assertThat(report.decoded() + report.rejectedTotal()).isEqualTo(28);
    assertThat(report.childrenStarted()).isEqualTo(3);
  }
}
