package io.vidlabel.dashboard;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The live dashboard's data as server-sent events; the page itself is static
 * ({@code META-INF/resources/index.html}) and needs nothing else from the network.
 */
@Path("/api/dashboard")
@Tag(name = "dashboard", description = "Live tiles and review queue for the browser dashboard")
public class DashboardResource {

  private final DashboardFeed feed;

  public DashboardResource(DashboardFeed feed) {
    this.feed = feed;
  }

  @GET
  @Path("/events")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @Operation(
      summary = "Server-sent events: snapshot, tiles, review, model, status",
      description = "First a snapshot (served model with its labels, one tile per stream, the review"
          + " queue), then tile changes at most twice a second and each new review request.")
  public void events(@Context SseEventSink sink, @Context Sse sse) {
    feed.subscribe(sink, sse);
  }
}
