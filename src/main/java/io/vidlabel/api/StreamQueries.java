package io.vidlabel.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vidlabel.topology.ClassificationTopology;
import io.vidlabel.topology.Messages.FrameClassification;
import io.vidlabel.topology.Messages.LatestLabel;
import io.vidlabel.topology.Messages.RecentClassifications;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The stream queries of the REST API, answered for the whole group of classifier instances, not
 * just this one. A stream's state lives on the instance whose task owns the stream's partition, so
 * a query for one stream asks Kafka Streams which instance that is ({@code queryMetadataForKey})
 * and, when it is another, forwards the query there over HTTP; a query for every stream gathers
 * each instance's local answer ({@code streamsMetadataForStore}).
 *
 * <p>Kept free of JAX-RS so that {@link StreamsResource} and {@link StreamQueryServer} (a plain JDK
 * HTTP server for instances that run without Quarkus, as in the scale-out check) answer with the
 * same logic. A forwarded query carries {@link #FORWARDED_HEADER}; an instance never forwards such
 * a query again, so two instances whose metadata disagree during a rebalance cannot bounce a query
 * between them. While ownership is unknown or moving, queries answer {@link Status#UNAVAILABLE}
 * (HTTP 503) with the reason; they never spin waiting for the rebalance to end.
 */
public final class StreamQueries {

  /** Set on forwarded queries to the forwarding instance's host:port. */
  public static final String FORWARDED_HEADER = "X-Vidlabel-Forwarded-By";

  /** Root of the stream paths, the same on every instance. */
  public static final String BASE_PATH = "/api/streams";

  private static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** Outcome of a query, with the HTTP status it maps to. */
  public enum Status {
    OK(200),
    BAD_REQUEST(400),
    NOT_FOUND(404),
    UNAVAILABLE(503);

    private final int http;

    Status(int http) {
      this.http = http;
    }

    public int http() {
      return http;
    }
  }

  /** A query's value (when OK) or the reason it has none. */
  public record Answer<T>(Status status, T value, String reason) {

    static <T> Answer<T> ok(T value) {
      return new Answer<>(Status.OK, value, null);
    }

    static <T> Answer<T> of(Status status, String reason) {
      return new Answer<>(status, null, reason);
    }

    /** The body of a non-OK answer: {@code {"status":503,"reason":"..."}}. */
    public Map<String, Object> error() {
      return Map.of("status", status.http(), "reason", reason);
    }
  }

  private final KafkaStreams streams;
  private final HostInfo self;
  private final int maxRecent;
  private final Duration timeout;
  private final HttpClient http;

  /**
   * @param self this instance's {@code application.server}, or {@link HostInfo#unavailable()} when
   *     it has none (then every query is answered from the local stores only)
   * @param maxRecent how many classifications per stream the topology keeps
   * @param timeout the longest a forwarded query may take, connection included
   */
  public StreamQueries(KafkaStreams streams, HostInfo self, int maxRecent, Duration timeout) {
    this.streams = streams;
    this.self = self;
    this.maxRecent = maxRecent;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /** This instance's endpoint as other instances see it. */
  public HostInfo self() {
    return self;
  }

  /** The latest label of {@code stream}, from whichever instance owns it. */
  public Answer<LatestLabel> latest(String stream, boolean forwarded) {
    return routed(
        ClassificationTopology.LATEST_LABELS_STORE,
        stream,
        path(stream),
        forwarded,
        new TypeReference<LatestLabel>() {},
        (ReadOnlyKeyValueStore<String, LatestLabel> store) -> {
          LatestLabel label = store.get(stream);
          return label == null
              ? Answer.of(Status.NOT_FOUND, "no label for stream " + stream)
              : Answer.ok(label);
        });
  }

  /**
   * The last {@code limit} frame classifications of {@code stream}, newest first; at most as many
   * as the topology keeps per stream ({@code vidlabel.streams.recent-classifications}).
   */
  public Answer<List<FrameClassification>> recent(String stream, int limit, boolean forwarded) {
    if (limit < 1) {
      return Answer.of(Status.BAD_REQUEST, "limit must be at least 1, got " + limit);
    }
    int n = Math.min(limit, maxRecent);
    return routed(
        ClassificationTopology.RECENT_CLASSIFICATIONS_STORE,
        stream,
        path(stream) + "/classifications?limit=" + n,
        forwarded,
        new TypeReference<List<FrameClassification>>() {},
        (ReadOnlyKeyValueStore<String, RecentClassifications> store) -> {
          RecentClassifications kept = store.get(stream);
          if (kept == null) {
            return Answer.of(Status.NOT_FOUND, "no classifications for stream " + stream);
          }
          List<FrameClassification> newestFirst = new ArrayList<>(kept.frames());
          Collections.reverse(newestFirst);
          return Answer.ok(List.copyOf(newestFirst.subList(0, Math.min(n, newestFirst.size()))));
        });
  }

  /**
   * The latest label of every stream, gathered from every instance that holds the store (only this
   * instance's when the query was forwarded here), sorted by stream. If an instance cannot answer,
   * the whole query is unavailable: a silently partial list would look like streams had vanished.
   */
  public Answer<List<LatestLabel>> all(boolean forwarded) {
    if (forwarded || isUnavailable(self)) {
      return localAll();
    }
    Collection<StreamsMetadata> instances;
    try {
      instances = streams.streamsMetadataForStore(ClassificationTopology.LATEST_LABELS_STORE);
    } catch (RuntimeException e) {
      return Answer.of(Status.UNAVAILABLE, "no metadata of the classifier group: " + e.getMessage());
    }
    if (instances.isEmpty() && streams.state() != KafkaStreams.State.RUNNING) {
      return Answer.of(Status.UNAVAILABLE, "rebalancing: no instance holds the stores yet");
    }
    Map<String, LatestLabel> byStream = new TreeMap<>();
    for (StreamsMetadata instance : instances) {
      Answer<List<LatestLabel>> part =
          instance.hostInfo().equals(self)
              ? localAll()
              : forward(instance.hostInfo(), BASE_PATH, new TypeReference<List<LatestLabel>>() {});
      if (part.status() != Status.OK) {
        return Answer.of(Status.UNAVAILABLE, part.reason());
      }
      // During a move two instances may both report a stream; the newer label wins.
      for (LatestLabel label : part.value()) {
        byStream.merge(
            label.stream(),
            label,
            (a, b) -> Comparator.comparingLong(LatestLabel::updatedAtMs).compare(a, b) >= 0 ? a : b);
      }
    }
    return Answer.ok(List.copyOf(byStream.values()));
  }

  private Answer<List<LatestLabel>> localAll() {
    return local(
        ClassificationTopology.LATEST_LABELS_STORE,
        null,
        (ReadOnlyKeyValueStore<String, LatestLabel> store) -> {
          List<LatestLabel> out = new ArrayList<>();
          try (KeyValueIterator<String, LatestLabel> it = store.all()) {
            it.forEachRemaining(kv -> out.add(kv.value));
          }
          out.sort(Comparator.comparing(LatestLabel::stream));
          return Answer.ok(out);
        });
  }

  private <V, T> Answer<T> routed(
      String storeName,
      String stream,
      String path,
      boolean forwarded,
      TypeReference<T> type,
      Function<ReadOnlyKeyValueStore<String, V>, Answer<T>> query) {
    if (stream == null || stream.isBlank()) {
      return Answer.of(Status.BAD_REQUEST, "the stream id is empty");
    }
    if (isUnavailable(self)) {
      return local(storeName, null, query);
    }
    KafkaStreams.State state = streams.state();
    if (!state.isRunningOrRebalancing()) {
      return Answer.of(Status.UNAVAILABLE, "the classifier's Kafka Streams instance is " + state);
    }
    KeyQueryMetadata owner;
    try {
      owner = streams.queryMetadataForKey(storeName, stream, Serdes.String().serializer());
    } catch (RuntimeException e) {
      return Answer.of(Status.UNAVAILABLE, "no metadata for stream " + stream + ": " + e.getMessage());
    }
    if (owner == null || KeyQueryMetadata.NOT_AVAILABLE.equals(owner) || isUnavailable(owner.activeHost())) {
      return Answer.of(Status.UNAVAILABLE, "rebalancing: no instance owns stream " + stream + " yet");
    }
    if (owner.activeHost().equals(self)) {
      return local(storeName, owner.partition(), query);
    }
    if (forwarded) {
      return Answer.of(
          Status.UNAVAILABLE,
          "rebalancing: " + endpoint(self) + " does not own stream " + stream + " (its metadata names "
              + endpoint(owner.activeHost()) + ") and does not forward a forwarded query");
    }
    return forward(owner.activeHost(), path, type);
  }

  private <V, T> Answer<T> local(
      String storeName, Integer partition, Function<ReadOnlyKeyValueStore<String, V>, Answer<T>> query) {
    StoreQueryParameters<ReadOnlyKeyValueStore<String, V>> params =
        StoreQueryParameters.fromNameAndType(storeName, QueryableStoreTypes.<String, V>keyValueStore());
    if (partition != null) {
      params = params.withPartition(partition);
    }
    try {
      return query.apply(streams.store(params));
    } catch (InvalidStateStoreException e) {
      // Raised while the store's task is created, restored or moved away.
      return Answer.of(
          Status.UNAVAILABLE,
          "rebalancing: store " + storeName + " is not queryable on " + endpoint(self) + " (" + e.getMessage() + ")");
    }
  }

  private <T> Answer<T> forward(HostInfo owner, String path, TypeReference<T> type) {
    URI uri = URI.create("http://" + owner.host() + ":" + owner.port() + path);
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header(FORWARDED_HEADER, endpoint(self))
            .header("Accept", "application/json")
            .GET()
            .build();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      return Answer.of(
          Status.UNAVAILABLE, "owner " + endpoint(owner) + " did not answer: " + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : " " + e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Answer.of(Status.UNAVAILABLE, "interrupted while asking " + endpoint(owner));
    }
    try {
      if (response.statusCode() == 200) {
        return Answer.ok(MAPPER.readValue(response.body(), type));
      }
      String reason = "owner " + endpoint(owner) + " answered HTTP " + response.statusCode();
      JsonNode body = MAPPER.readTree(response.body());
      if (body != null && body.hasNonNull("reason")) {
        reason = body.get("reason").asText();
      }
      Status status =
          switch (response.statusCode()) {
            case 404 -> Status.NOT_FOUND;
            case 400 -> Status.BAD_REQUEST;
            default -> Status.UNAVAILABLE;
          };
      return Answer.of(status, reason);
    } catch (IOException e) {
      return Answer.of(
          Status.UNAVAILABLE, "owner " + endpoint(owner) + " sent an unreadable answer: " + e.getMessage());
    }
  }

  /** The REST path of one stream, its id percent-encoded as a single path segment. */
  public static String path(String stream) {
    return BASE_PATH + "/" + URLEncoder.encode(stream, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static boolean isUnavailable(HostInfo host) {
    return host == null || host.port() < 0 || HostInfo.unavailable().equals(host);
  }

  private static String endpoint(HostInfo host) {
    return isUnavailable(host) ? "this instance" : host.host() + ":" + host.port();
  }
}
