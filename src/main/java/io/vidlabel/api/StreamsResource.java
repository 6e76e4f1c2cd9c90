package io.vidlabel.api;

import io.vidlabel.service.ClassifierService;
import io.vidlabel.topology.Messages.LatestLabel;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** Latest label per stream, read from the Kafka Streams state store of this instance. */
@Path("/api/streams")
@Produces(MediaType.APPLICATION_JSON)
public class StreamsResource {

  private final ClassifierService service;

  public StreamsResource(ClassifierService service) {
    this.service = service;
  }

  @GET
  public List<LatestLabel> all() {
    return service.allLatest();
  }

  @GET
  @Path("/{stream}")
  public LatestLabel one(@PathParam("stream") String stream) {
    return service
        .latest(stream)
        .orElseThrow(() -> new NotFoundException("no label for stream " + stream + " on this instance"));
  }
}
