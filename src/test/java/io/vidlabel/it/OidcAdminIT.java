package io.vidlabel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.model.ColourModelBuilder;
import io.vidlabel.service.ClassifierService;
import io.vidlabel.service.RunningClassifier;
import io.vidlabel.testing.TestIdentityProvider;
import io.vidlabel.util.Directories;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

/**
 * The admin endpoints with {@code vidlabel.admin.auth=oidc}, over HTTP, on a real broker: the
 * service is a resource server for a Keycloak-shaped identity provider (issuer, audience, realm
 * roles), whose public key it reads from a JWKS file. Only a valid access token with the admin
 * role may upload, promote and roll back; everything else is 401 or 403 and changes nothing.
 */
@QuarkusTest
@QuarkusTestResource(value = OidcAdminIT.OidcKafkaResource.class, restrictToAnnotatedClass = true)
class OidcAdminIT {

  private static final String AUDIENCE = "vidlabel-api";
  private static final String ROLE = "vidlabel-admin";
  private static final String STATIC_TOKEN = "a-static-token-that-oidc-mode-ignores";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** The broker and colour model of {@link EmbeddedKafkaResource}, admin endpoints in OIDC mode. */
  public static class OidcKafkaResource extends EmbeddedKafkaResource {
    static final TestIdentityProvider IDP = new TestIdentityProvider("realm-key-1");

    @Override
    public Map<String, String> start() {
      Map<String, String> config = new HashMap<>(super.start());
      try {
        Path jwks = IDP.writeJwks(Files.createTempFile("vidlabel-idp", ".jwks.json"));
        config.put("vidlabel.admin.auth", "oidc");
        config.put("vidlabel.admin.token", STATIC_TOKEN);
        config.put("vidlabel.admin.oidc.issuer", TestIdentityProvider.ISSUER);
        config.put("vidlabel.admin.oidc.public-key-location", jwks.toString());
        config.put("vidlabel.admin.oidc.audience", AUDIENCE);
        config.put("vidlabel.admin.oidc.roles-claim", "realm_access/roles");
        config.put("vidlabel.admin.oidc.role", ROLE);
        return config;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Inject VidlabelConfig config;
  @Inject ClassifierService service;

  @TestHTTPResource("/api/models")
  URI models;

  @Test
  void refusesEveryTokenThatDoesNotProveAnAdminAndChangesNothing() throws Exception {
    byte[] archive = versionArchive("7");
    TestIdentityProvider stranger = new TestIdentityProvider("realm-key-1");
    Map<String, String> unauthenticated = Map.of(
        "no token", "",
        "the static admin token", "Bearer " + STATIC_TOKEN,
        "expired", "Bearer " + OidcKafkaResource.IDP.sign(admin(TestIdentityProvider.ISSUER, AUDIENCE, Duration.ofHours(-1))),
        "another issuer", "Bearer " + OidcKafkaResource.IDP.sign(admin("https://evil.example.test/realms/vidlabel", AUDIENCE, Duration.ofMinutes(5))),
        "another audience", "Bearer " + OidcKafkaResource.IDP.sign(admin(TestIdentityProvider.ISSUER, "some-other-api", Duration.ofMinutes(5))),
        "signed by another key with the same key id", "Bearer " + stranger.sign(admin(TestIdentityProvider.ISSUER, AUDIENCE, Duration.ofMinutes(5))));

    for (var attempt : unauthenticated.entrySet()) {
      for (HttpResponse<String> r : List.of(
          upload("7", archive, attempt.getValue()), promote("1", attempt.getValue()), rollback("1", attempt.getValue()))) {
        assertThat(r.statusCode()).as(attempt.getKey() + ": " + r.body()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(r.body()).startsWith("{\"error\":\"").doesNotContain("evil.example.test", "some-other-api", "SRJWT");
      }
    }
    assertThat(upload("7", archive, "Bearer " + OidcKafkaResource.IDP.sign(admin(TestIdentityProvider.ISSUER, AUDIENCE, Duration.ofHours(-1)))).body())
        .contains("expired");

    // a valid token whose realm roles lack the admin role, even with it in another claim
    JwtClaims viewer = TestIdentityProvider.claims(TestIdentityProvider.ISSUER, AUDIENCE, Duration.ofMinutes(5));
    viewer.setClaim("realm_access", Map.of("roles", List.of("viewer")));
    viewer.setStringListClaim("groups", ROLE);
    String viewerToken = "Bearer " + OidcKafkaResource.IDP.sign(viewer);
    for (HttpResponse<String> r : List.of(upload("7", archive, viewerToken), promote("1", viewerToken), rollback("1", viewerToken))) {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
      assertThat(r.body()).contains("does not grant the admin role");
    }

    assertThat(store().resolve("colour/7")).doesNotExist();
  }

  @Test
  void anAdminTokenUploadsPromotesAndRollsBack() throws Exception {
    service.start(config.kafka().bootstrapServers().orElseThrow());
    try {
      assertThat(servedVersion()).isEqualTo("1");
      String token = "Bearer " + OidcKafkaResource.IDP.sign(admin(TestIdentityProvider.ISSUER, AUDIENCE, Duration.ofMinutes(5)));

      HttpResponse<String> uploaded = upload("2", versionArchive("2"), token);
      assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);

      HttpResponse<String> promoted = promote("2", token);
      assertThat(promoted.statusCode()).as(promoted.body()).isEqualTo(202);
      await().atMost(Duration.ofMinutes(2)).until(() -> servedVersion().equals("2"));

      // (the scheme name is case-insensitive)
      HttpResponse<String> rolledBack = rollback("1", token.replace("Bearer ", "bearer "));
      assertThat(rolledBack.statusCode()).as(rolledBack.body()).isEqualTo(202);
      await().atMost(Duration.ofMinutes(2)).until(() -> servedVersion().equals("1"));
    } finally {
      service.stop();
    }
  }

  /** Access-token claims with the admin role among Keycloak-style realm roles. */
  private static JwtClaims admin(String issuer, String audience, Duration validFor) {
    JwtClaims claims = TestIdentityProvider.claims(issuer, audience, validFor);
    claims.setClaim("realm_access", Map.of("roles", List.of("offline_access", ROLE)));
    return claims;
  }

  private String servedVersion() {
    return service.follower().orElseThrow().status().version();
  }

  private Path store() {
    return RunningClassifier.modelStore(config).root();
  }

  /** A zip of a freshly built colour model of this version, as an operator would upload it. */
  private static byte[] versionArchive(String version) throws IOException {
    Path root = Files.createTempDirectory("vidlabel-oidc-upload");
    try {
      Path model = ColourModelBuilder.build(root, "colour", version, 32);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ZipOutputStream zip = new ZipOutputStream(out); Stream<Path> files = Files.walk(model)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          zip.putNextEntry(new ZipEntry(model.relativize(file).toString()));
          zip.write(Files.readAllBytes(file));
          zip.closeEntry();
        }
      }
      return out.toByteArray();
    } finally {
      Directories.deleteQuietly(root);
    }
  }

  private HttpResponse<String> upload(String version, byte[] archive, String authorization) throws Exception {
    return post("/colour/versions/" + version, HttpRequest.BodyPublishers.ofByteArray(archive), authorization);
  }

  private HttpResponse<String> promote(String version, String authorization) throws Exception {
    return post("/colour/versions/" + version + "/promote", HttpRequest.BodyPublishers.noBody(), authorization);
  }

  private HttpResponse<String> rollback(String to, String authorization) throws Exception {
    return post("/colour/rollback?to=" + to, HttpRequest.BodyPublishers.noBody(), authorization);
  }

  private HttpResponse<String> post(String path, HttpRequest.BodyPublisher body, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(models + path))
        .header("Content-Type", "application/zip")
        .POST(body);
    if (!authorization.isEmpty()) {
      request.header("Authorization", authorization);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
