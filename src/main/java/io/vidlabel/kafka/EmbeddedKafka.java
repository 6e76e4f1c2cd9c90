package io.vidlabel.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import io.vidlabel.util.Directories;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A single-node Apache Kafka broker in KRaft mode (combined broker and controller), running inside
 * this JVM on loopback ports. Real Kafka, not a mock: it backs the {@code demo} command and the
 * integration tests. Production points the service at a real cluster instead.
 *
 * <p>The broker can be {@linkplain #stopServer() stopped} and {@linkplain #startServer() started
 * again} on the same ports and log directory, so clients see what they would see when a real
 * broker restarts: connections drop, then the same address answers with the same data.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private final Path logDir;
  private final boolean deleteOnClose;
  private final Properties props;
  private final String bootstrapServers;
  private KafkaRaftServer server; // null while stopped

  private EmbeddedKafka(Path logDir, boolean deleteOnClose, int maxMessageBytes) throws IOException {
    this.logDir = logDir;
    this.deleteOnClose = deleteOnClose;
    int brokerPort = freePort();
    int controllerPort = freePort();
    this.bootstrapServers = "127.0.0.1:" + brokerPort;

    Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
    props.put("log.dirs", logDir.toString());
    // One node: every internal topic has one replica.
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "3");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("transaction.state.log.num.partitions", "3");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("num.partitions", "1");
    props.put("message.max.bytes", Integer.toString(maxMessageBytes));
    props.put("replica.fetch.max.bytes", Integer.toString(maxMessageBytes));

    Path config = logDir.resolve("server.properties");
    try (var out = Files.newOutputStream(config)) {
      props.store(out, "vidlabel embedded broker");
    }
    format(config);
    this.props = props;
    startServer();
  }

  /** Starts a broker whose data lives in a fresh temporary directory, deleted on close. */
  public static EmbeddedKafka start(int maxMessageBytes) {
    try {
      return new EmbeddedKafka(Files.createTempDirectory("vidlabel-kafka"), true, maxMessageBytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded Kafka broker", e);
    }
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /**
   * Shuts the broker down cleanly (its log directory and ports stay reserved for {@link
   * #startServer()}). Clients keep retrying against the same address meanwhile.
   */
  public synchronized void stopServer() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

  /**
   * Starts the broker (again) on the same ports and log directory and waits until it answers. The
   * directory is formatted already, so topics, committed offsets and transactions survive.
   */
  public synchronized void startServer() {
    if (server != null) {
      return;
    }
    KafkaRaftServer next = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    next.startup();
    server = next;
    awaitReady();
  }

  /** Whether the broker is running (between {@link #stopServer()} and {@link #startServer()} it is not). */
  public synchronized boolean isRunning() {
    return server != null;
  }

  private static void format(Path config) {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    int exit =
        StorageTool.execute(
            new String[] {
              "format",
              "--config", config.toString(),
              "--cluster-id", Uuid.randomUuid().toString(),
              "--standalone",
              "--ignore-formatted"
            },
            new PrintStream(log, true, StandardCharsets.UTF_8));
    if (exit != 0) {
      throw new IllegalStateException(
          "formatting the embedded broker's log dir failed: " + log.toString(StandardCharsets.UTF_8));
    }
  }

  private void awaitReady() {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrapServers);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    Exception last = null;
    try (Admin admin = Admin.create(p)) {
      while (System.nanoTime() < deadline) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception e) {
          last = e;
        }
        try {
          Thread.sleep(100); // the broker registers itself shortly after startup() returns
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the embedded broker", e);
        }
      }
    }
    throw new IllegalStateException("embedded broker not ready after 60 s", last);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    stopServer();
    if (deleteOnClose) {
      Directories.deleteQuietly(logDir);
    }
  }
}
