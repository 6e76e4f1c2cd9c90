package io.vidlabel.api;

import io.vidlabel.api.StreamQueries.Answer;
import io.vidlabel.api.StreamQueries.Status;
import io.vidlabel.service.ClassifierService;
import io.vidlabel.topology.Messages.FrameClassification;
import io.vidlabel.topology.Messages.LatestLabel;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.function.Function;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Streams, their latest labels and recent classifications, answered for the whole group of
 * classifier instances: each query is routed by {@link StreamQueries} to the instance whose state
 * store holds the stream, whichever instance receives it.
 */
@Path(StreamQueries.BASE_PATH)
@Tag(name = "streams", description = "Latest label and recent classifications per stream")
@Produces(MediaType.APPLICATION_JSON)
public class StreamsResource {

  private static final String FORWARDED_DOC =
      "Set by an instance that forwards the query to the owner of the stream; clients leave it out."
          + " A forwarded query is answered from this instance's own stores and never forwarded again.";

  private final ClassifierService service;

  public StreamsResource(ClassifierService service) {
    this.service = service;
  }

  @GET
  @Operation(
      summary = "Latest label of every stream",
      description = "Gathered from every classifier instance of the group, sorted by stream.")
  @APIResponse(
      responseCode = "200",
      description = "One entry per stream, possibly none",
      content = @Content(schema = @Schema(type = SchemaType.ARRAY, implementation = LatestLabel.class)))
  @APIResponse(responseCode = "503", description = "Not running, rebalancing, or an instance did not answer (reason in the body)")
  public Response all(
      @Parameter(description = FORWARDED_DOC) @HeaderParam(StreamQueries.FORWARDED_HEADER) String forwardedBy) {
    return answer(q -> q.all(forwardedBy != null));
  }

  @GET
  @Path("/{stream}")
  @Operation(summary = "Latest label of one stream", description = "Answered by the instance that owns the stream.")
  @APIResponse(
      responseCode = "200",
      description = "The stream's latest label",
      content = @Content(schema = @Schema(implementation = LatestLabel.class)))
  @APIResponse(responseCode = "404", description = "No label for the stream")
  @APIResponse(responseCode = "503", description = "Not running, rebalancing, or the owner did not answer (reason in the body)")
  public Response one(
      @PathParam("stream") String stream,
      @Parameter(description = FORWARDED_DOC) @HeaderParam(StreamQueries.FORWARDED_HEADER) String forwardedBy) {
    return answer(q -> q.latest(stream, forwardedBy != null));
  }

  @GET
  @Path("/{stream}/classifications")
  @Operation(
      summary = "Recent frame classifications of one stream",
      description = "The stream's last frame classifications, newest first, as written to video.classifications;"
          + " at most vidlabel.streams.recent-classifications are kept per stream.")
  @APIResponse(
      responseCode = "200",
      description = "Up to limit classifications, newest first",
      content = @Content(schema = @Schema(type = SchemaType.ARRAY, implementation = FrameClassification.class)))
  @APIResponse(responseCode = "400", description = "limit below 1")
  @APIResponse(responseCode = "404", description = "No classifications for the stream")
  @APIResponse(responseCode = "503", description = "Not running, rebalancing, or the owner did not answer (reason in the body)")
  public Response recent(
      @PathParam("stream") String stream,
      @Parameter(description = "How many classifications, newest first") @QueryParam("limit") @DefaultValue("10") int limit,
      @Parameter(description = FORWARDED_DOC) @HeaderParam(StreamQueries.FORWARDED_HEADER) String forwardedBy) {
    return answer(q -> q.recent(stream, limit, forwardedBy != null));
  }

  private Response answer(Function<StreamQueries, Answer<?>> query) {
    Answer<?> a =
        service
            .queries()
            .<Answer<?>>map(query)
            .orElseGet(() -> new Answer<>(Status.UNAVAILABLE, null, "the classifier is not running on this instance"));
    Object body = a.status() == Status.OK ? a.value() : a.error();
    return Response.status(a.status().http()).entity(body).type(MediaType.APPLICATION_JSON).build();
  }
}
