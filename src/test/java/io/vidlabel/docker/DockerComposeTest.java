package io.vidlabel.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.vidlabel.config.ConfigKeys;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code docker/compose.yaml} parses and is wired together: the broker runs in KRaft mode and
 * every service reaches it under the name and port it advertises, records as large as the service
 * produces fit, the classifier and the fine-tuning job share the model store, the publisher's
 * default source exists. No container engine runs here: this is the check the file gets.
 * SnakeYAML (not Jackson) reads it because it resolves the {@code <<: *vidlabel} merge keys.
 */
class DockerComposeTest {

  private static final Path COMPOSE = Path.of("docker/compose.yaml");
  private static final List<String> APP_SERVICES = List.of("classifier", "finetune", "publisher");
  private static final Pattern DEFAULTED = Pattern.compile("\\$\\{[A-Z_]+:-([^}]*)}");

  private static Map<String, Object> compose;

  @BeforeAll
  static void parse() throws IOException {
    try (Reader in = Files.newBufferedReader(COMPOSE)) {
      compose = new Yaml().load(in);
    }
  }

  @Test
  void hasTheBrokerTheClassifierTheFineTuningLoopAndAPublisher() {
    assertThat(services().keySet()).contains("kafka", "classifier", "finetune", "publisher");
    assertThat(command("classifier")).containsExactly("serve");
    assertThat(command("finetune")).startsWith("finetune").contains("--loop");
    assertThat(command("publisher")).startsWith("publish");
  }

  @Test
  void theBrokerIsASingleKraftNodeWhoseAdvertisedListenerEveryServiceUses() {
    Map<String, String> kafka = env("kafka");
    assertThat(string(service("kafka").get("image"))).startsWith("apache/kafka:");
    assertThat(kafka.get("KAFKA_PROCESS_ROLES").split(",")).containsExactlyInAnyOrder("broker", "controller");
    String advertised = kafka.get("KAFKA_ADVERTISED_LISTENERS").replaceFirst("^PLAINTEXT://", "");
    String host = advertised.substring(0, advertised.indexOf(':'));
    String port = advertised.substring(advertised.indexOf(':') + 1);

    assertThat(services()).containsKey(host);
    assertThat(kafka.get("KAFKA_LISTENERS")).contains("PLAINTEXT://:" + port);
    // the controller quorum is this node, on the listener named as the controller's
    String voters = kafka.get("KAFKA_CONTROLLER_QUORUM_VOTERS");
    String controllerPort = voters.substring(voters.lastIndexOf(':') + 1);
    assertThat(voters).isEqualTo(kafka.get("KAFKA_NODE_ID") + "@" + host + ":" + controllerPort);
    assertThat(kafka.get("KAFKA_LISTENERS"))
        .contains(kafka.get("KAFKA_CONTROLLER_LISTENER_NAMES") + "://:" + controllerPort);
    for (String app : APP_SERVICES) {
      assertThat(env(app).get("VIDLABEL_KAFKA_BOOTSTRAP_SERVERS")).as(app).isEqualTo(advertised);
      assertThat(dependsOn(app)).as(app).containsEntry("kafka", Map.of("condition", "service_healthy"));
    }
    assertThat(service("kafka")).containsKey("healthcheck");
  }

  @Test
  void theBrokerAcceptsTheLargestRecordTheServiceProduces() {
    long maxRecord = Long.parseLong(ConfigKeys.all().stream()
        .filter(k -> k.name().equals("vidlabel.kafka.max-record-bytes")).findFirst().orElseThrow().defaultValue());
    long headroom = 64 * 1024; // KafkaClients' allowance for headers and batch framing

    assertThat(Long.parseLong(env("kafka").get("KAFKA_MESSAGE_MAX_BYTES"))).isGreaterThanOrEqualTo(maxRecord + headroom);
    assertThat(Long.parseLong(env("kafka").get("KAFKA_REPLICA_FETCH_MAX_BYTES"))).isGreaterThanOrEqualTo(maxRecord + headroom);
  }

  @Test
  void theApplicationServicesAreBuiltFromTheCpuDockerfileAtTheRepositoryRoot() {
    for (String app : APP_SERVICES) {
      Map<String, Object> build = map(service(app).get("build"));
      Path context = COMPOSE.getParent().resolve(string(build.get("context"))).normalize();
      assertThat(context.resolve(string(build.get("dockerfile")))).as(app).isRegularFile();
      assertThat(context.resolve("pom.xml")).as(app).isRegularFile();
    }
  }

  @Test
  void theClassifierAndTheFineTuningJobShareTheModelStoreVolume() {
    String store = env("classifier").get("VIDLABEL_MODEL_STORE");
    assertThat(env("finetune").get("VIDLABEL_MODEL_STORE")).isEqualTo(store);
    String classifierVolume = volumeHolding("classifier", store);
    String finetuneVolume = volumeHolding("finetune", store);

    assertThat(classifierVolume).isNotNull().isEqualTo(finetuneVolume);
    assertThat(map(compose.get("volumes"))).containsKey(classifierVolume);
    // the fine-tuning job's dataset and cache survive restarts too
    assertThat(volumeHolding("finetune", env("finetune").get("VIDLABEL_FINETUNE_DATASET"))).isNotNull();
    assertThat(volumeHolding("finetune", env("finetune").get("VIDLABEL_FINETUNE_CACHE"))).isNotNull();
    assertThat(volumeHolding("classifier", env("classifier").get("VIDLABEL_STREAMS_STATE_DIR"))).isNotNull();
  }

  @Test
  void everyNamedVolumeIsDeclaredAndEveryDependencyExists() {
    for (String name : services().keySet()) {
      for (Object v : list(service(name).getOrDefault("volumes", List.of()))) {
        String source = string(v).split(":")[0];
        assertThat(map(compose.get("volumes"))).as("%s mounts %s", name, source).containsKey(source);
      }
      assertThat(services().keySet()).as(name).containsAll(dependsOn(name).keySet());
    }
  }

  @Test
  void everyVidlabelVariableNamesAConfigurationKeyAndTopicsAgreeAcrossServices() {
    List<ConfigKeys.Key> keys = ConfigKeys.all();
    for (String app : APP_SERVICES) {
      for (String variable : env(app).keySet()) {
        assertThat(keys).as("%s: a vidlabel.* key whose environment form is %s", app, variable)
            .anySatisfy(k -> assertThat(k.envName()).isEqualTo(variable));
        if (variable.startsWith("VIDLABEL_TOPICS_") || variable.equals("VIDLABEL_KAFKA_MAX_RECORD_BYTES")) {
          for (String other : APP_SERVICES) {
            assertThat(env(other).get(variable)).as("%s in %s", variable, other).isEqualTo(env(app).get(variable));
          }
        }
      }
    }
  }

  @Test
  void thePublishersDefaultSourceIsTheBundledSample() {
    List<String> command = command("publisher");
    String source = defaulted(command.get(1));

    assertThat(source).startsWith("classpath:");
    assertThat(getClass().getClassLoader().getResource(source.substring("classpath:".length()))).isNotNull();
    assertThat(defaulted(command.get(command.indexOf("--stream") + 1))).isNotBlank();
    assertThat(command).contains("--loop", "--realtime");
  }

  private static String defaulted(String value) {
    Matcher m = DEFAULTED.matcher(value);
    return m.matches() ? m.group(1) : value;
  }

  /** The named volume whose mount point is {@code path} or one of its parents. */
  private static String volumeHolding(String service, String path) {
    for (Object v : list(service(service).getOrDefault("volumes", List.of()))) {
      String[] parts = string(v).split(":");
      if (path.equals(parts[1]) || path.startsWith(parts[1] + "/")) {
        return parts[0];
      }
    }
    return null;
  }

  private static Map<String, Object> services() {
    return map(compose.get("services"));
  }

  private static Map<String, Object> service(String name) {
    return map(services().get(name));
  }

  private static Map<String, String> env(String name) {
    Map<String, String> out = new LinkedHashMap<>();
    map(service(name).getOrDefault("environment", Map.of())).forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }

  private static Map<String, Object> dependsOn(String name) {
    return map(service(name).getOrDefault("depends_on", Map.of()));
  }

  private static List<String> command(String name) {
    List<String> out = new ArrayList<>();
    list(service(name).get("command")).forEach(c -> out.add(string(c)));
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    assertThat(o).isInstanceOf(List.class);
    return (List<Object>) o;
  }

  private static String string(Object o) {
    return String.valueOf(o);
  }
}
