package io.vidlabel.ingest;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How a network source (camera, RTSP server, HTTP stream) is opened and when it is given up on.
 *
 * <p>FFmpeg has no single timeout that covers every protocol, and without one a read from a peer
 * that stops sending blocks forever. {@link #ffmpegOptions} therefore sets, per protocol, the
 * options of the FFmpeg that JavaCV 1.5.11 bundles (FFmpeg 7.1): for RTSP {@code timeout} (socket
 * I/O timeout in microseconds; FFmpeg 5 removed its old name {@code stimeout}), for everything else
 * the generic {@code rw_timeout} (microseconds per read or write), for HTTP also {@code timeout}
 * on the socket. FFmpeg's own HTTP reconnect ({@code reconnect}, {@code reconnect_delay_max}) is left
 * to retry broken downloads of seekable resources; a live stream that ends or breaks returns control to the caller, which
 * reconnects itself with a capped backoff and keeps numbering segments ({@link SourceRunner}).
 *
 * @param ioTimeout longest wait for any network read or write (connecting included)
 * @param maxBackoff cap of the doubling wait between reconnect attempts (the first wait is {@link
 *     #FIRST_BACKOFF} or {@code maxBackoff} if shorter)
 * @param maxReconnects reconnects allowed after the first connection; negative: unlimited
 * @param rtspTransport {@code tcp} (default: no packet loss, works through NAT) or {@code udp}
 */
public record SourceOptions(
    Duration ioTimeout, Duration maxBackoff, int maxReconnects, String rtspTransport) {

  /** Wait before the first reconnect attempt. */
  public static final Duration FIRST_BACKOFF = Duration.ofMillis(500);

  public SourceOptions {
    if (ioTimeout.isNegative() || ioTimeout.isZero()) {
      throw new IllegalArgumentException("the I/O timeout must be positive");
    }
    if (maxBackoff.isNegative()) {
      throw new IllegalArgumentException("the reconnect backoff must not be negative");
    }
    if (!rtspTransport.equals("tcp") && !rtspTransport.equals("udp")) {
      throw new IllegalArgumentException("RTSP transport must be tcp or udp, not " + rtspTransport);
    }
  }

  /** Defaults: 10 s I/O timeout, backoff up to 30 s, reconnect for ever, RTSP over TCP. */
  public static SourceOptions defaults() {
    return new SourceOptions(Duration.ofSeconds(10), Duration.ofSeconds(30), -1, "tcp");
  }

  /** True if {@code source} names a network stream (scheme://...) rather than a local path. */
  public static boolean isUrl(String source) {
    int colon = source.indexOf("://");
    return colon > 1 && source.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*");
  }

  /** Lower-case scheme of a URL source. */
  public static String scheme(String url) {
    return URI.create(url).getScheme().toLowerCase(Locale.ROOT);
  }

  /** FFmpeg input options for {@code url}: timeouts and reconnect settings for its protocol. */
  public Map<String, String> ffmpegOptions(String url) {
    String micros = Long.toString(ioTimeout.toNanos() / 1000);
    Map<String, String> options = new LinkedHashMap<>();
    switch (scheme(url)) {
      case "rtsp", "rtsps" -> {
        options.put("timeout", micros);
        options.put("rtsp_transport", rtspTransport);
      }
      case "http", "https" -> {
        options.put("rw_timeout", micros);
        options.put("timeout", micros);
        // FFmpeg retries a broken download of a seekable resource (a file behind a URL) itself;
        // not on network errors, which would multiply the timeout before the caller hears of it.
        options.put("reconnect", "1");
        options.put("reconnect_delay_max", Long.toString(Math.max(1, maxBackoff.toSeconds())));
      }
      default -> options.put("rw_timeout", micros);
    }
    return options;
  }

  /** Wait before reconnect attempt {@code attempt} (1-based): doubling from the first, capped. */
  public Duration backoff(int attempt) {
    Duration wait = FIRST_BACKOFF;
    for (int i = 1; i < attempt && wait.compareTo(maxBackoff) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
  }
}
