package io.vidlabel.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The OpenAPI document and Swagger UI of the REST API (no broker needed: nothing is called). */
@QuarkusTest
class OpenApiTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();

  @TestHTTPResource("/q/openapi?format=json")
  URI openapi;

  @TestHTTPResource("/q/swagger-ui")
  URI swaggerUi;

  @Test
  void documentListsEveryResourceAndMarksTheAdminEndpointsAsBearerSecured() throws Exception {
    // when
    HttpResponse<String> response = get(openapi);

    // then
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode doc = new ObjectMapper().readTree(response.body());
    List<String> paths = new ArrayList<>();
    doc.path("paths").fieldNames().forEachRemaining(paths::add);
    assertThat(paths).contains(
        "/api/streams",
        "/api/streams/{stream}",
        "/api/streams/{stream}/classifications",
        "/api/feedback",
        "/api/models",
        "/api/models/{name}/versions/{version}/promote",
        "/api/models/{name}/rollback",
        "/api/dashboard/events");
    assertThat(doc.at("/components/securitySchemes/" + ModelsResource.ADMIN + "/scheme").asText()).isEqualTo("bearer");
    JsonNode promote = doc.at("/paths/~1api~1models~1{name}~1versions~1{version}~1promote/post");
    assertThat(promote.path("security").toString()).contains(ModelsResource.ADMIN);
    assertThat(promote.path("responses").has("401")).isTrue();
    assertThat(doc.at("/paths/~1api~1models/get/security").isMissingNode()).isTrue();
    JsonNode recent = doc.at("/paths/~1api~1streams~1{stream}~1classifications/get");
    assertThat(recent.path("parameters").findValuesAsText("name")).contains("stream", "limit");
    assertThat(recent.path("responses").has("503")).isTrue();
  }

  @Test
  void swaggerUiIsServed() throws Exception {
    HttpResponse<String> response = get(swaggerUi);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).containsIgnoringCase("swagger");
  }

  private static HttpResponse<String> get(URI uri) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }
}
