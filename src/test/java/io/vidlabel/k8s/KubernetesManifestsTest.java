package io.vidlabel.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vidlabel.config.ConfigKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kustomize base in {@code k8s/base} is wired together: files, probes, ports, configuration
 * keys, volumes, the fine-tuning CronJob and the autoscaler on consumer lag; the GPU overlay in {@code k8s/overlays/gpu} patches
 * what the base declares. Parses the YAML itself, so no kubectl is needed.
 */
class KubernetesManifestsTest {

  private static final Path BASE = Path.of("k8s/base");
  private static final Path GPU = Path.of("k8s/overlays/gpu");
  private static final YAMLMapper YAML = new YAMLMapper();

  private static List<JsonNode> manifests;

  @BeforeAll
  static void readBase() throws IOException {
    manifests = new ArrayList<>();
    for (JsonNode resource : YAML.readTree(BASE.resolve("kustomization.yaml").toFile()).path("resources")) {
      manifests.add(YAML.readTree(BASE.resolve(resource.asText()).toFile()));
    }
  }

  @Test
  void everyResourceListedInTheKustomizationExists() throws IOException {
    JsonNode kustomization = YAML.readTree(BASE.resolve("kustomization.yaml").toFile());

    assertThat(kustomization.path("resources")).isNotEmpty();
    assertThat(kustomization.path("resources"))
        .allSatisfy(r -> assertThat(BASE.resolve(r.asText())).isRegularFile());
  }

  @Test
  void probesAskTheHealthEndpointsOnADeclaredContainerPort() {
    JsonNode container = classifierContainer();
    Set<String> ports = portNames(container);

    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
    assertThat(ports)
        .contains(container.at("/readinessProbe/httpGet/port").asText())
        .contains(container.at("/livenessProbe/httpGet/port").asText());
  }

  @Test
  void serviceTargetsAPortTheDeploymentDeclares() {
    Set<String> ports = portNames(classifierContainer());

    assertThat(one("Service").at("/spec/ports"))
        .isNotEmpty()
        .allSatisfy(p -> assertThat(ports).contains(p.path("targetPort").asText()));
  }

  @Test
  void everyVidlabelVariableNamesAConfigurationKey() {
    List<ConfigKeys.Key> keys = ConfigKeys.all();
    List<String> variables = new ArrayList<>();
    one("ConfigMap").path("data").fieldNames().forEachRemaining(variables::add);
    for (JsonNode manifest : manifests) {
      manifest.findValues("env").forEach(env -> env.forEach(e -> variables.add(e.path("name").asText())));
    }

    assertThat(variables).filteredOn(v -> v.startsWith("VIDLABEL_")).isNotEmpty().allSatisfy(v ->
        assertThat(keys).as("a vidlabel.* key whose environment form is %s", v)
            .anySatisfy(k -> assertThat(k.map() ? v.startsWith(k.envName()) : v.equals(k.envName())).isTrue()));
  }

  @Test
  void everyClaimAVolumeNamesExists() {
    Set<String> claims = new HashSet<>();
    manifests.stream().filter(m -> m.path("kind").asText().equals("PersistentVolumeClaim"))
        .forEach(m -> claims.add(m.at("/metadata/name").asText()));
    List<String> referenced = new ArrayList<>();
    for (JsonNode manifest : manifests) {
      manifest.findValues("persistentVolumeClaim").forEach(c -> referenced.add(c.path("claimName").asText()));
    }

    assertThat(referenced).isNotEmpty();
    assertThat(claims).containsAll(referenced);
  }

  @Test
  void scaledObjectScalesTheClassifierOnItsOwnConsumerGroupsLagUpToThePartitions() {
    JsonNode scaled = one("ScaledObject");
    JsonNode trigger = scaled.at("/spec/triggers/0");

    assertThat(scaled.at("/spec/scaleTargetRef/name").asText())
        .isEqualTo(one("Deployment").at("/metadata/name").asText());
    assertThat(trigger.path("type").asText()).isEqualTo("kafka");
    assertThat(trigger.at("/metadata/bootstrapServers").asText())
        .isEqualTo(setting("vidlabel.kafka.bootstrap-servers"));
    // Kafka Streams' consumer group is its application id
    assertThat(trigger.at("/metadata/consumerGroup").asText())
        .isEqualTo(setting("vidlabel.streams.application-id"));
    assertThat(trigger.at("/metadata/topic").asText()).isEqualTo(setting("vidlabel.topics.segments"));
    assertThat(trigger.at("/metadata/allowIdleConsumers").asText()).isEqualTo("false");
    assertThat(scaled.at("/spec/maxReplicaCount").asInt())
        .isBetween(scaled.at("/spec/minReplicaCount").asInt(),
            Integer.parseInt(setting("vidlabel.topics.partitions")));
  }

  /** A key's value as the pods get it: the ConfigMap's environment form, else the default. */
  private static String setting(String key) {
    String env = key.toUpperCase().replace('.', '_').replace('-', '_');
    JsonNode data = one("ConfigMap").path("data");
    if (data.has(env)) {
      return data.get(env).asText();
    }
    return ConfigKeys.all().stream().filter(k -> k.name().equals(key)).findFirst()
        .orElseThrow(() -> new AssertionError("no configuration key " + key))
        .defaultValue();
  }

  @Test
  void cronJobRunsTheFineTuningCommand() {
    JsonNode containers = one("CronJob").at("/spec/jobTemplate/spec/template/spec/containers");

    assertThat(containers).hasSize(1);
    assertThat(YAML.convertValue(containers.get(0).path("args"), List.class)).containsExactly("finetune");
  }

  @Test
  void gpuOverlayAsksForOneGpuForTheBaseClassifierAndItsGpuImage() throws IOException {
    JsonNode overlay = YAML.readTree(GPU.resolve("kustomization.yaml").toFile());
    JsonNode deployment = one("Deployment");
    String image = classifierContainer().path("image").asText();

    assertThat(overlay.path("resources"))
        .allSatisfy(r -> assertThat(GPU.resolve(r.asText()).normalize()).exists());
    assertThat(YAML.convertValue(overlay.path("resources"), List.class)).contains("../../base");
    assertThat(overlay.path("images")).hasSize(1);
    assertThat(image).startsWith(overlay.at("/images/0/name").asText() + ":");
    assertThat(overlay.at("/images/0/newTag").asText()).isEqualTo("gpu");
    assertThat(overlay.path("patches")).hasSize(1);
    JsonNode patch = YAML.readTree(GPU.resolve(overlay.at("/patches/0/path").asText()).toFile());
    assertThat(patch.path("kind").asText()).isEqualTo("Deployment");
    assertThat(patch.at("/metadata/name").asText()).isEqualTo(deployment.at("/metadata/name").asText());
    JsonNode container = patch.at("/spec/template/spec/containers/0");
    assertThat(container.path("name").asText()).isEqualTo(classifierContainer().path("name").asText());
    assertThat(container.at("/resources/limits").path("nvidia.com/gpu").asInt()).isEqualTo(1);
  }

  private static JsonNode classifierContainer() {
    JsonNode containers = one("Deployment").at("/spec/template/spec/containers");
    assertThat(containers).hasSize(1);
    return containers.get(0);
  }

  private static Set<String> portNames(JsonNode container) {
    Set<String> ports = new HashSet<>();
    container.path("ports").forEach(p -> {
      ports.add(p.path("name").asText());
      ports.add(p.path("containerPort").asText());
    });
    return ports;
  }

  private static JsonNode one(String kind) {
    List<JsonNode> found = manifests.stream().filter(m -> m.path("kind").asText().equals(kind)).toList();
    assertThat(found).as("manifests of kind %s", kind).hasSize(1);
    return found.get(0);
  }
}
