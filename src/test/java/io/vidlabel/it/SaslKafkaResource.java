package io.vidlabel.it;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vidlabel.kafka.EmbeddedKafka;
import io.vidlabel.model.ColourModelBuilder;
import io.vidlabel.util.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real KRaft broker that only speaks SASL_SSL with SCRAM-SHA-512, its TLS key and certificate
 * made at test time with the JDK's keytool, and the service configured through the documented
 * {@code vidlabel.kafka.client."<property>"} keys only.
 */
public class SaslKafkaResource implements QuarkusTestResourceLifecycleManager {

  static final String USER = "vidlabel";
  static final String PASSWORD = "vidlabel-secret-" + Long.toHexString(System.nanoTime());
  static final String STORE_PASSWORD = "changeit-" + Long.toHexString(System.nanoTime());

  static EmbeddedKafka kafka;
  static Path work;

  @Override
  public Map<String, String> start() {
    try {
      work = Files.createTempDirectory("vidlabel-sasl-it");
      Path keystore = work.resolve("broker.p12");
      Path certificate = work.resolve("broker.crt");
      Path truststore = work.resolve("truststore.p12");
      keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
          "-dname", "CN=localhost", "-ext", "SAN=IP:127.0.0.1,DNS:localhost",
          "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD);
      keytool("-exportcert", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD,
          "-file", certificate.toString());
      keytool("-importcert", "-noprompt", "-alias", "broker-ca", "-file", certificate.toString(),
          "-storetype", "PKCS12", "-keystore", truststore.toString(), "-storepass", STORE_PASSWORD);
      Map<String, String> users = new LinkedHashMap<>();
      users.put("broker", "broker-secret-" + Long.toHexString(System.nanoTime()));
      users.put(USER, PASSWORD);
      kafka = EmbeddedKafka.start(16 * 1024 * 1024,
          new EmbeddedKafka.Security(keystore, truststore, STORE_PASSWORD, users));

      Path model = ColourModelBuilder.build(work.resolve("store"), "colour", "1", 32);
      Map<String, String> config = new HashMap<>();
      config.put("vidlabel.kafka.bootstrap-servers", kafka.bootstrapServers());
      kafka.clientProperties(USER, PASSWORD)
          .forEach((k, v) -> config.put("vidlabel.kafka.client.\"" + k + "\"", v));
      config.put("vidlabel.model.path", model.toString());
      config.put("vidlabel.sampling.frames", "all");
      config.put("vidlabel.streams.state-dir", work.resolve("state").toString());
      config.put("vidlabel.topics.partitions", "1");
      return config;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void keytool(String... args) throws IOException {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String output = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("keytool " + args[0] + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  @Override
  public void stop() {
    if (kafka != null) {
      kafka.close();
    }
    if (work != null) {
      Directories.deleteQuietly(work);
    }
  }
}
