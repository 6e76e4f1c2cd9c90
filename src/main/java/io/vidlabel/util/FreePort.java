package io.vidlabel.util;

import java.io.IOException;
import java.net.ServerSocket;

/**
 * A local TCP port nobody listens on at the moment of asking, for a broker or a child process
 * started right after. Another process could take it in between; the callers accept that small
 * race instead of parsing a child's log for the port it chose.
 */
public final class FreePort {

  private FreePort() {}

  public static int pick() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
