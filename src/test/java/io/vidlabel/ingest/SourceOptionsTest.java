package io.vidlabel.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SourceOptionsTest {

  private final SourceOptions options = new SourceOptions(Duration.ofSeconds(3), Duration.ofSeconds(5), -1, "tcp");

  @Test
  void rtspGetsTheSocketTimeoutUnderItsFfmpeg7NameAndTcpTransport() {
    assertThat(options.ffmpegOptions("rtsp://10.0.0.7/stream1"))
        .containsEntry("timeout", "3000000")
        .containsEntry("rtsp_transport", "tcp")
        .doesNotContainKey("stimeout");
  }

  @Test
  void httpGetsReadAndSocketTimeoutsAndFfmpegsOwnReconnectForSeekableResources() {
    assertThat(options.ffmpegOptions("HTTPS://cam.local/live.ts"))
        .containsEntry("rw_timeout", "3000000")
        .containsEntry("timeout", "3000000")
        .containsEntry("reconnect", "1")
        .containsEntry("reconnect_delay_max", "5")
        .doesNotContainKey("reconnect_on_network_error");
  }

  @Test
  void otherProtocolsGetTheGenericReadWriteTimeout() {
    assertThat(options.ffmpegOptions("srt://10.0.0.7:9000")).containsOnlyKeys("rw_timeout");
  }

  @Test
  void backoffDoublesFromHalfASecondUpToTheCap() {
    assertThat(options.backoff(1)).isEqualTo(Duration.ofMillis(500));
    assertThat(options.backoff(2)).isEqualTo(Duration.ofSeconds(1));
    assertThat(options.backoff(4)).isEqualTo(Duration.ofSeconds(4));
    assertThat(options.backoff(5)).isEqualTo(Duration.ofSeconds(5));
    assertThat(options.backoff(60)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void tellsUrlsFromPaths() {
    assertThat(SourceOptions.isUrl("rtsp://cam/1")).isTrue();
    assertThat(SourceOptions.isUrl("/videos/a.ts")).isFalse();
    assertThat(SourceOptions.isUrl("classpath:samples/fashion-mnist.ts")).isFalse();
    assertThat(SourceOptions.isUrl("C://odd")).isFalse();
  }

  @Test
  void refusesANonPositiveTimeoutAndAnUnknownTransport() {
    assertThatThrownBy(() -> new SourceOptions(Duration.ZERO, Duration.ofSeconds(1), 0, "tcp"))
        .hasMessageContaining("timeout must be positive");
    assertThatThrownBy(() -> new SourceOptions(Duration.ofSeconds(1), Duration.ofSeconds(1), 0, "sctp"))
        .hasMessageContaining("tcp or udp");
  }
}
