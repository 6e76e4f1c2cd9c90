package io.vidlabel.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import io.vidlabel.util.Directories;
import io.vidlabel.util.FreePort;
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

  /** The only SASL mechanism the secured broker offers. */
  public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

  /**
   * A SASL_SSL listener with SCRAM-SHA-512 instead of PLAINTEXT: TLS with {@code keystore}
   * (PKCS12, holding the broker's key and a certificate valid for 127.0.0.1), clients trusting
   * {@code truststore}, and these SCRAM users, created when the log dir is formatted, before the
   * broker first starts (KRaft keeps them in its metadata log). The first user is the broker's
   * own, for its inter-broker connections and this class's readiness check. Authentication only:
   * no authorizer is configured, so every authenticated user may do everything.
   */
  public record Security(Path keystore, Path truststore, String storePassword, Map<String, String> scramUsers) {
    public Security {
      Objects.requireNonNull(keystore, "keystore");
      Objects.requireNonNull(truststore, "truststore");
      Objects.requireNonNull(storePassword, "storePassword");
      if (scramUsers.isEmpty()) {
        throw new IllegalArgumentException("at least one SCRAM user (the broker's) is needed");
      }
      scramUsers = new LinkedHashMap<>(scramUsers);
    }

    String brokerUser() {
      return scramUsers.keySet().iterator().next();
    }
  }

  private final Path logDir;
  private final boolean deleteOnClose;
  private final Properties props;
  private final String bootstrapServers;
  private final Security security;
  private KafkaRaftServer server; // null while stopped

  private EmbeddedKafka(Path logDir, boolean deleteOnClose, int maxMessageBytes, Security security)
      throws IOException {
    this.logDir = logDir;
    this.deleteOnClose = deleteOnClose;
    this.security = security;
    int brokerPort = FreePort.pick();
    int controllerPort = FreePort.pick();
    this.bootstrapServers = "127.0.0.1:" + brokerPort;
    String listener = security == null ? "PLAINTEXT" : "SASL_SSL";

    Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put(
        "listeners",
        listener + "://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", listener + "://127.0.0.1:" + brokerPort);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", listener);
    props.put("listener.security.protocol.map", listener + ":" + listener + ",CONTROLLER:PLAINTEXT");
    if (security != null) {
      props.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
      props.put("sasl.mechanism.inter.broker.protocol", SCRAM_MECHANISM);
      props.put("listener.name.sasl_ssl." + SCRAM_MECHANISM.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config",
          jaas(security.brokerUser(), security.scramUsers().get(security.brokerUser())));
      props.put("ssl.keystore.location", security.keystore().toString());
      props.put("ssl.keystore.password", security.storePassword());
      props.put("ssl.key.password", security.storePassword());
      props.put("ssl.keystore.type", "PKCS12");
      props.put("ssl.truststore.location", security.truststore().toString());
      props.put("ssl.truststore.password", security.storePassword());
      props.put("ssl.truststore.type", "PKCS12");
      props.put("ssl.client.auth", "none");
    }
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
    format(config, security);
    this.props = props;
    startServer();
  }

  /** Starts a broker whose data lives in a fresh temporary directory, deleted on close. */
  public static EmbeddedKafka start(int maxMessageBytes) {
    return start(maxMessageBytes, null);
  }

  /** As {@link #start(int)}, with a SASL_SSL listener instead of PLAINTEXT when {@code security} is set. */
  public static EmbeddedKafka start(int maxMessageBytes, Security security) {
    try {
      return new EmbeddedKafka(Files.createTempDirectory("vidlabel-kafka"), true, maxMessageBytes, security);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded Kafka broker", e);
    }
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /**
   * The client properties a SCRAM user needs against this broker, exactly what goes under {@code
   * vidlabel.kafka.client."<property>"}; empty for a PLAINTEXT broker.
   */
  public Map<String, String> clientProperties(String user, String password) {
    Map<String, String> p = new LinkedHashMap<>();
    if (security != null) {
      p.put("security.protocol", "SASL_SSL");
      p.put("sasl.mechanism", SCRAM_MECHANISM);
      p.put("sasl.jaas.config", jaas(user, password));
      p.put("ssl.truststore.location", security.truststore().toString());
      p.put("ssl.truststore.password", security.storePassword());
      p.put("ssl.truststore.type", "PKCS12");
    }
    return p;
  }

  private static String jaas(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
        + "\" password=\"" + password + "\";";
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

  private static void format(Path config, Security security) {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    List<String> args = new ArrayList<>(List.of(
        "format",
        "--config", config.toString(),
        "--cluster-id", Uuid.randomUuid().toString(),
        "--standalone",
        "--ignore-formatted"));
    if (security != null) {
      security.scramUsers().forEach((user, password) -> {
        args.add("--add-scram");
        args.add(SCRAM_MECHANISM + "=[name=" + user + ",password=" + password + "]");
      });
    }
    int exit =
        StorageTool.execute(
            args.toArray(String[]::new),
            new PrintStream(log, true, StandardCharsets.UTF_8));
    if (exit != 0) {
      throw new IllegalStateException(
          "formatting the embedded broker's log dir failed: " + log.toString(StandardCharsets.UTF_8));
    }
  }

  private void awaitReady() {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrapServers);
    if (security != null) {
      p.putAll(clientProperties(security.brokerUser(), security.scramUsers().get(security.brokerUser())));
    }
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

  @Override
  public void close() {
    stopServer();
    if (deleteOnClose) {
      Directories.deleteQuietly(logDir);
    }
  }
}
