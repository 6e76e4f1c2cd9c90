package io.vidlabel.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vidlabel.model.ColourModelBuilder;
import io.vidlabel.model.ModelChecksum;
import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.util.Directories;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The admin endpoints' protections, over HTTP: the bearer token, model upload (staged, unpacked
 * safely, checksum-verified, installed in the store) and names or versions that could become paths
 * outside the store. No broker: none of these requests gets as far as Kafka.
 */
@QuarkusTest
@QuarkusTestResource(value = AdminApiTest.Store.class, restrictToAnnotatedClass = true)
class AdminApiTest {

  static final String TOKEN = "admin-api-test-token";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A model store holding colour/1, the admin token and a small upload limit. */
  public static class Store implements QuarkusTestResourceLifecycleManager {
    static Path root;

    @Override
    public Map<String, String> start() {
      try {
        root = Files.createTempDirectory("vidlabel-admin-api");
        Path model = ColourModelBuilder.build(root.resolve("store"), "colour", "1", 8);
        return Map.of(
            "vidlabel.model.path", model.toString(),
            "vidlabel.admin.token", TOKEN,
            "vidlabel.admin.max-upload-bytes", "2000000");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void stop() {
      Directories.deleteQuietly(root);
    }
  }

  @TestHTTPResource("/")
  URI base;

  private static Path store() {
    return Store.root.resolve("store");
  }

  private HttpResponse<String> post(String rawPath, byte[] body, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + rawPath))
        .header("Content-Type", "application/zip")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** colour/1's files with model.json claiming {@code version}; weights optionally damaged. */
  private static byte[] colourArchive(String version, boolean damageWeights) throws IOException {
    Path src = store().resolve("colour/1");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out); Stream<Path> walk = Files.walk(src)) {
      for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
        String name = src.relativize(p).toString();
        byte[] bytes = Files.readAllBytes(p);
        if (name.equals(ModelDescriptor.FILE_NAME)) {
          ObjectNode json = (ObjectNode) JSON.readTree(bytes);
          json.put("version", version);
          bytes = JSON.writeValueAsBytes(json);
        } else if (damageWeights && name.startsWith("variables/") && name.contains(".data")) {
          bytes[bytes.length / 2] ^= 1;
        }
        zip.putNextEntry(new ZipEntry("colour-" + version + "/" + name));
        zip.write(bytes);
        zip.closeEntry();
      }
    }
    return out.toByteArray();
  }

  private static List<String> storeContents() throws IOException {
    try (Stream<Path> walk = Files.walk(Store.root)) {
      return walk.map(p -> Store.root.relativize(p).toString()).sorted().toList();
    }
  }

  @Test
  void uploadInstallsAChecksumVerifiedVersionOnlyForTheAdmin() throws Exception {
    byte[] archive = colourArchive("2", false);

    assertThat(post("/api/models/colour/versions/2", archive, null).statusCode()).isEqualTo(401);
    assertThat(post("/api/models/colour/versions/2", archive, "wrong").statusCode()).isEqualTo(401);
    assertThat(store().resolve("colour/2")).doesNotExist();

    HttpResponse<String> created = post("/api/models/colour/versions/2", archive, TOKEN);

    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    Path installed = store().resolve("colour/2");
    assertThat(ModelChecksum.compute(installed)).isEqualTo(ModelDescriptor.read(store().resolve("colour/1")).checksum());
    assertThat(ModelDescriptor.read(installed).version()).isEqualTo("2");
    assertThat(created.body()).contains("\"checksum\":\"" + ModelChecksum.compute(installed) + "\"");
    // and versions are immutable
    assertThat(post("/api/models/colour/versions/2", archive, TOKEN).statusCode()).isEqualTo(409);
    assertThat(Files.list(store().resolve("colour")).map(p -> p.getFileName().toString()).toList())
        .containsExactlyInAnyOrder("1", "2");
  }

  @Test
  void uploadRefusesFilesThatDoNotMatchTheirChecksum() throws Exception {
    HttpResponse<String> r = post("/api/models/colour/versions/3", colourArchive("3", true), TOKEN);

    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(r.body()).contains("does not match the uploaded files");
    assertThat(store().resolve("colour/3")).doesNotExist();
  }

  @Test
  void uploadRefusesAZipSlipArchiveAndLeavesNothingBehind() throws Exception {
    List<String> before = storeContents();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry("model.json"));
      zip.write("{}".getBytes());
      zip.putNextEntry(new ZipEntry("../../escaped.txt"));
      zip.write("pwned".getBytes());
    }

    HttpResponse<String> r = post("/api/models/colour/versions/4", out.toByteArray(), TOKEN);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("climbs out");
    assertThat(storeContents()).isEqualTo(before);
    assertThat(Store.root.getParent().resolve("escaped.txt")).doesNotExist();
  }

  @Test
  void uploadRefusesAnArchiveOverTheLimit() throws Exception {
    byte[] big = new byte[2_100_000];
    new Random(1).nextBytes(big);

    HttpResponse<String> r = post("/api/models/colour/versions/5", big, TOKEN);

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(store().resolve("colour/5")).doesNotExist();
  }

  @Test
  void refusesNamesAndVersionsThatCouldLeaveTheStoreOnEveryAdminEndpoint() throws Exception {
    List<String> before = storeContents();
    byte[] archive = colourArchive("1", false);
    String[] paths = {
      "/api/models/colour/rollback?to=..%2F..%2Fetc",
      "/api/models/colour/rollback?to=%2Fetc",
      "/api/models/colour/rollback?to=..",
      "/api/models/colour/versions/..%2F..%2Fetc/promote",
      "/api/models/colour/versions/%2E%2E/promote",
      "/api/models/..%2F..%2Fetc/versions/1/promote",
      "/api/models/colour/versions/..%2F..%2Fescaped",
      "/api/models/..%2Fescaped/versions/1",
      "/api/models/colour/versions/%2E%2E",
      "/api/models/colour/versions/%252E%252E",
    };
    for (String path : paths) {
      HttpResponse<String> r = post(path, archive, TOKEN);
      // 400 from the name check, or 404 where the router itself refuses the decoded path
      assertThat(r.statusCode()).as(path + " -> " + r.body()).isIn(400, 404);
    }
    HttpResponse<String> query = post("/api/models/colour/rollback?to=..%2F..%2Fetc", new byte[0], TOKEN);
    assertThat(query.statusCode()).isEqualTo(400);
    assertThat(query.body()).contains("version '../../etc' is not allowed");
    assertThat(storeContents()).isEqualTo(before);
  }
}
