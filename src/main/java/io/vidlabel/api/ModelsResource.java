package io.vidlabel.api;

import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.lifecycle.ModelFollower;
import io.vidlabel.lifecycle.ModelUpdate;
import io.vidlabel.lifecycle.ModelUpdates;
import io.vidlabel.model.ModelArchive;
import io.vidlabel.model.ModelChecksum;
import io.vidlabel.model.ModelDescriptor;
import io.vidlabel.model.ModelException;
import io.vidlabel.model.ModelStore;
import io.vidlabel.service.ClassifierService;
import io.vidlabel.service.RunningClassifier;
import io.vidlabel.util.Directories;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The served model and the versions in the store; promote, roll back and upload (admin only, see
 * {@link AdminAuth}: {@code Authorization: Bearer} the static admin token or an OIDC access token).
 * Promote and roll back publish to {@code video.model-updates}, so every classifier instance (this
 * one included) follows.
 */
@Path("/api/models")
@Tag(name = "models", description = "Served model, stored versions, promote and roll back")
@SecurityScheme(
    securitySchemeName = ModelsResource.ADMIN,
    type = SecuritySchemeType.HTTP,
    scheme = "bearer",
    description = "With vidlabel.admin.auth=token (the default): the value of vidlabel.admin.token. "
        + "With vidlabel.admin.auth=oidc: an access token (JWT) from the identity provider in "
        + "vidlabel.admin.oidc.issuer carrying the role vidlabel.admin.oidc.role.")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

  /** Name of the OpenAPI security scheme of the admin endpoints. */
  static final String ADMIN = "admin-token";

  private static final String UNAUTHENTICATED =
      "Token mode: missing or wrong admin token. OIDC mode: missing, expired or invalid access token";
  private static final String FORBIDDEN =
      "Token mode: admin endpoints disabled (vidlabel.admin.token unset). OIDC mode: the access token lacks the admin role";

  /** One version in the store. */
  public record Version(String version, String parent, String checksum, Map<String, Object> metrics) {}

  /** The served model, what happened to it recently, and every stored version. */
  public record Models(ModelFollower.Status serving, List<Version> versions) {}

  private final ClassifierService service;
  private final VidlabelConfig config;
  private final AdminAuth auth;

  public ModelsResource(ClassifierService service, VidlabelConfig config, AdminAuth auth) {
    this.service = service;
    this.config = config;
    this.auth = auth;
  }

  @GET
  @Operation(
      summary = "The served model and every stored version",
      description = "Served version, recent swaps and rejections; each stored version with its parent, checksum and metrics.")
  @APIResponse(responseCode = "200", description = "Served model and stored versions")
  @APIResponse(responseCode = "503", description = "The classifier is not running")
  public Response models() {
    var follower = service.follower();
    var pipeline = service.pipeline();
    if (pipeline.isEmpty()) {
      return FeedbackResource.problem(503, "the classifier is not running");
    }
    ModelFollower.Status status = follower.map(ModelFollower::status).orElseGet(() -> {
      var m = pipeline.get().model();
      return new ModelFollower.Status(m.name(), m.version(), m.descriptor().checksum(), List.of());
    });
    ModelStore store = RunningClassifier.modelStore(config);
    List<Version> versions = new ArrayList<>();
    for (String v : store.versions(status.name())) {
      try {
        ModelDescriptor d = ModelDescriptor.read(store.directory(status.name(), v));
        versions.add(new Version(v, d.parent(), d.checksum(), d.metrics()));
      } catch (ModelException e) {
        versions.add(new Version(v, null, null, Map.of("error", e.getMessage())));
      }
    }
    return Response.ok(new Models(status, versions)).build();
  }

  @POST
  @Path("/{name}/versions/{version}/promote")
  @Operation(
      summary = "Promote a stored version",
      description = "Checks the version's checksum, then publishes it to video.model-updates; every instance follows.")
  @SecurityRequirement(name = ADMIN)
  @APIResponse(responseCode = "202", description = "Published to video.model-updates")
  @APIResponse(responseCode = "401", description = UNAUTHENTICATED)
  @APIResponse(responseCode = "403", description = FORBIDDEN)
  @APIResponse(responseCode = "404", description = "Unknown model or version")
  @APIResponse(responseCode = "422", description = "The version fails its checksum")
  @APIResponse(responseCode = "503", description = "The classifier is not running")
  public Response promote(
      @PathParam("name") String name,
      @PathParam("version") String version,
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
    return publish(name, version, ModelUpdate.PROMOTE, "promoted through the REST API", authorization);
  }

  /** Back to {@code to}, or to the parent of the served version. */
  @POST
  @Path("/{name}/rollback")
  @Operation(
      summary = "Roll back to a stored version",
      description = "To ?to=VERSION, by default to the served version's parent; published like a promotion.")
  @SecurityRequirement(name = ADMIN)
  @APIResponse(responseCode = "202", description = "Published to video.model-updates")
  @APIResponse(responseCode = "401", description = UNAUTHENTICATED)
  @APIResponse(responseCode = "403", description = FORBIDDEN)
  @APIResponse(responseCode = "404", description = "Unknown model or version")
  @APIResponse(responseCode = "409", description = "The served version has no parent and no ?to= was given")
  @APIResponse(responseCode = "422", description = "The version fails its checksum")
  @APIResponse(responseCode = "503", description = "The classifier is not running")
  public Response rollback(
      @PathParam("name") String name,
      @QueryParam("to") String to,
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
    Response denied = auth.refusal(authorization);
    if (denied != null) {
      return denied;
    }
    Response invalid = checkNames(name, to == null ? "1" : to);
    if (invalid != null) {
      return invalid;
    }
    var pipeline = service.pipeline();
    if (pipeline.isEmpty()) {
      return FeedbackResource.problem(503, "the classifier is not running");
    }
    String target = to;
    if (target == null) {
      target = pipeline.get().model().descriptor().parent();
      if (target == null) {
        return FeedbackResource.problem(409, "the served version has no parent; pass ?to=VERSION");
      }
    }
    return publish(name, target, ModelUpdate.ROLLBACK, "rolled back through the REST API", authorization);
  }

  private Response publish(String name, String version, String action, String reason, String authorization) {
    Response denied = auth.refusal(authorization);
    if (denied != null) {
      return denied;
    }
    Response invalid = checkNames(name, version);
    if (invalid != null) {
      return invalid;
    }
    var client = service.clientProperties();
    var pipeline = service.pipeline();
    if (client.isEmpty() || pipeline.isEmpty()) {
      return FeedbackResource.problem(503, "the classifier is not running");
    }
    if (!name.equals(pipeline.get().model().name())) {
      return FeedbackResource.problem(404, "this classifier serves " + pipeline.get().model().name() + ", not " + name);
    }
    ModelStore store = RunningClassifier.modelStore(config);
    java.nio.file.Path dir = store.directory(name, version);
    ModelDescriptor d;
    try {
      d = ModelDescriptor.read(dir);
    } catch (ModelException e) {
      return FeedbackResource.problem(404, "no usable version " + version + " of " + name + ": " + e.getMessage());
    }
    String actual;
    try {
      actual = ModelChecksum.compute(dir);
    } catch (RuntimeException e) {
      return FeedbackResource.problem(422, "cannot read version " + version + ": " + e.getMessage());
    }
    if (d.checksum() == null || !d.checksum().equals(actual)) {
      return FeedbackResource.problem(422, "version " + version + " fails its checksum (model.json says "
          + d.checksum() + ", files give " + actual + ")");
    }
    ModelUpdate update = new ModelUpdate(name, version, actual, action, pipeline.get().model().version(),
        reason, d.metrics(), System.currentTimeMillis());
    ModelUpdates.publish(client.get(), config.topics().modelUpdates(), update);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("published", update);
    body.put("topic", config.topics().modelUpdates());
    return Response.accepted(body).build();
  }

  /**
   * Installs a new version from an archive (zip, tar or tar.gz) of its SavedModel and {@code
   * model.json}. The archive is streamed to a file inside the store (at most {@code
   * vidlabel.admin.max-upload-bytes}), unpacked into a staging directory with every entry
   * checked (no absolute paths, {@code ..}, links or devices), the descriptor must name this
   * model and version and carry the checksum the files give, and only then is the version
   * renamed into place. It is not served until promoted.
   */
  @POST
  @Path("/{name}/versions/{version}")
  @Consumes({"application/zip", "application/x-tar", "application/gzip", MediaType.APPLICATION_OCTET_STREAM})
  @Operation(
      summary = "Upload a new model version",
      description = "Body: a zip, tar or tar.gz of the SavedModel (saved_model.pb, variables/) and model.json, whose name, "
          + "version and checksum must match. Installed in the model store; promote it to serve it.")
  @SecurityRequirement(name = ADMIN)
  @APIResponse(responseCode = "201", description = "Installed; not served until promoted")
  @APIResponse(responseCode = "400", description = "Unsafe name or version, or an unsafe or unreadable archive")
  @APIResponse(responseCode = "401", description = UNAUTHENTICATED)
  @APIResponse(responseCode = "403", description = FORBIDDEN)
  @APIResponse(responseCode = "409", description = "That version already exists")
  @APIResponse(responseCode = "413", description = "Archive over vidlabel.admin.max-upload-bytes")
  @APIResponse(responseCode = "422", description = "model.json missing, invalid, for another name or version, or failing its checksum")
  public Response upload(
      @PathParam("name") String name,
      @PathParam("version") String version,
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      InputStream body) {
    Response denied = auth.refusal(authorization);
    if (denied != null) {
      return denied;
    }
    Response invalid = checkNames(name, version);
    if (invalid != null) {
      return invalid;
    }
    ModelStore store = RunningClassifier.modelStore(config);
    if (Files.exists(store.directory(name, version))) {
      return FeedbackResource.problem(409, "model " + name + " version " + version + " already exists");
    }
    long max = config.admin().maxUploadBytes();
    java.nio.file.Path staging = store.staging(name);
    java.nio.file.Path archive = staging.resolveSibling(staging.getFileName() + ".archive");
    try {
      if (!copyAtMost(body, archive, max)) {
        return FeedbackResource.problem(413, "archive is larger than " + max + " bytes");
      }
      try {
        ModelArchive.extract(archive, staging, max);
      } catch (ModelException e) {
        return FeedbackResource.problem(400, "archive refused: " + e.getMessage());
      }
      java.nio.file.Path modelDir = modelRoot(staging);
      ModelDescriptor d;
      try {
        d = ModelDescriptor.read(modelDir);
      } catch (ModelException e) {
        return FeedbackResource.problem(422, e.getMessage().replace(modelDir.toString(), "the archive"));
      }
      if (!name.equals(d.name()) || !version.equals(d.version())) {
        return FeedbackResource.problem(422, "model.json describes " + d.name() + " version " + d.version()
            + ", not " + name + " version " + version);
      }
      String actual;
      try {
        actual = ModelChecksum.compute(modelDir);
      } catch (UncheckedIOException e) {
        return FeedbackResource.problem(422, "the archive holds no SavedModel (saved_model.pb)");
      }
      if (d.checksum() == null || !d.checksum().equals(actual)) {
        return FeedbackResource.problem(422, "model.json's checksum " + d.checksum()
            + " does not match the uploaded files (" + actual + ")");
      }
      try {
        store.install(modelDir, name, version);
      } catch (ModelException e) {
        return FeedbackResource.problem(409, e.getMessage().replace(store.root().toString(), "the store"));
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("name", name);
      out.put("version", version);
      out.put("checksum", actual);
      return Response.created(URI.create("/api/models/" + name + "/versions/" + version)).entity(out).build();
    } catch (IOException e) {
      return FeedbackResource.problem(400, "cannot read the upload: " + e.getMessage());
    } finally {
      try {
        Files.deleteIfExists(archive);
      } catch (IOException ignored) {
        // best effort; the staging name starts with a dot and is never listed as a version
      }
      if (Files.exists(staging)) {
        Directories.deleteQuietly(staging);
      }
    }
  }

  /** Copies at most {@code max} bytes; false (and nothing kept) if the stream had more. */
  private static boolean copyAtMost(InputStream in, java.nio.file.Path to, long max) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    try (OutputStream out = Files.newOutputStream(to)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        total += n;
        if (total > max) {
          return false;
        }
        out.write(buffer, 0, n);
      }
    }
    return true;
  }

  /** The unpacked model: the staging directory itself, or its one subdirectory holding model.json. */
  private static java.nio.file.Path modelRoot(java.nio.file.Path staging) throws IOException {
    if (Files.exists(staging.resolve(ModelDescriptor.FILE_NAME))) {
      return staging;
    }
    try (var entries = Files.list(staging)) {
      List<java.nio.file.Path> all = entries.toList();
      if (all.size() == 1 && Files.isDirectory(all.get(0))
          && Files.exists(all.get(0).resolve(ModelDescriptor.FILE_NAME))) {
        return all.get(0);
      }
    }
    return staging;
  }

  /** 400 unless both may become directory names in the store. */
  private static Response checkNames(String name, String version) {
    if (!ModelStore.isSafeName(name)) {
      return FeedbackResource.problem(400, safeMessage("model name", name));
    }
    if (!ModelStore.isSafeName(version)) {
      return FeedbackResource.problem(400, safeMessage("version", version));
    }
    return null;
  }

  private static String safeMessage(String what, String value) {
    try {
      ModelStore.checkName(what, value);
      return what + " is not allowed";
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }
}
