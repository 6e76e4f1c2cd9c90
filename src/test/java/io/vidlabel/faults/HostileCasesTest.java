package io.vidlabel.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.vidlabel.decode.DecodeLimits;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The named hostile inputs, run as the faults command runs them. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HostileCasesTest {

  @TempDir Path tmp;

  @Test
  void rejectsEveryNamedCaseWithAReasonAndNeverOpensAPlaylistTarget() {
    HostileCases.Report report = new HostileCases(DecodeLimits.defaults(), tmp).run();
    System.out.print(report.table());

    assertThat(report.allPassed()).as(report.table()).isTrue();
    for (String playlist : new String[] {"hls-playlist-to-local-file", "hls-playlist-to-http-url",
        "concat-script-to-local-file", "concat-script-to-http-url"}) {
      HostileCases.Result r = report.get(playlist);
      assertThat(r.reason()).as(playlist).isEqualTo("FORMAT_NOT_ALLOWED");
      assertThat(r.contacted()).as(playlist).isFalse();
      assertThat(r.proof()).as(playlist).contains("never opened").contains("saw no connection");
    }
    for (String header : new String[] {"header-8192x8192", "header-16384x16384"}) {
      assertThat(report.get(header).rejected()).as(header).isTrue();
      assertThat(report.get(header).framesDecoded()).as(header).isZero();
    }
    assertThat(report.get("container-claims-16384x16384").framesDecoded()).isLessThanOrEqualTo(10);
    assertThat(report.get("header-billions-of-frames").framesDecoded()).isLessThanOrEqualTo(10);
    assertThat(report.get("zero-bytes").reason()).isEqualTo("EMPTY_INPUT");
    assertThat(report.get("random-64-KiB").reason()).isEqualTo("UNREADABLE");
    assertThat(report.get("over-the-size-limit").reason()).isEqualTo("INPUT_TOO_LARGE");
  }
}
