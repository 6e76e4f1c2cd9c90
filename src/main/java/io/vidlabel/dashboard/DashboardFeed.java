package io.vidlabel.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.inference.Label;
import io.vidlabel.inference.LoadedModel;
import io.vidlabel.service.ClassifierService;
import io.vidlabel.topology.ClassificationTopology;
import io.vidlabel.topology.Messages.FrameClassification;
import io.vidlabel.topology.Messages.ReviewRequest;
import io.vidlabel.topology.Messages.SegmentLabel;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the dashboard shows, read back from the service's own output topics and pushed to browsers
 * as server-sent events.
 *
 * <p>One consumer per instance reads {@code video.classifications}, {@code video.segment-labels}
 * and {@code video.review-requests} with {@code read_committed} (so it never shows a result whose
 * transaction was aborted), assigned every partition and without a consumer group: each instance
 * sees every stream, so a browser behind a load balancer gets the whole picture from whichever
 * instance it reaches. It starts a few hundred records before the end of each partition, enough
 * to fill the tiles and the review queue, and keeps only a bounded summary in memory.
 *
 * <p>Tile changes are coalesced and sent at most twice a second, so the browser's load does not
 * grow with the frame rate; review requests are sent as they arrive. A new browser first gets a
 * snapshot of everything held, then the changes, under one lock so none is missed or repeated.
 * The consumer starts with the first browser, once the classifier runs, and stops with the
 * classifier.
 */
@ApplicationScoped
public class DashboardFeed {

  private static final Logger LOG = LoggerFactory.getLogger(DashboardFeed.class);

  /** Top-1 scores kept per stream for the sparkline. */
  static final int SPARKLINE_POINTS = 120;

  /** The window over which frames/s is computed. */
  static final Duration RATE_WINDOW = Duration.ofSeconds(10);

  private static final long TICK_MS = 500;

  private final ClassifierService service;
  private final VidlabelConfig config;
  private final ObjectMapper json = new ObjectMapper();
  private final List<Client> clients = new CopyOnWriteArrayList<>();
  // Guarded by this.
  private final Map<String, Tile> tiles = new TreeMap<>();
  private final Deque<Map<String, Object>> reviews = new ArrayDeque<>();
  private Map<String, Object> lastModel = Map.of();
  private Thread thread;
  private KafkaConsumer<String, byte[]> consumer;
  private volatile boolean stopping;

  public DashboardFeed(ClassifierService service, VidlabelConfig config) {
    this.service = service;
    this.config = config;
  }

  /**
   * Sends the snapshot to a new browser and keeps it for the changes. While the classifier is not
   * running it says so and closes the connection; the browser's EventSource reconnects by itself.
   */
  public void subscribe(SseEventSink sink, Sse sse) {
    Client client = new Client(sink, sse);
    if (!ensureStarted()) {
      client.send("status", Map.of("state", "waiting", "message", "the classifier is not running yet"));
      sink.close();
      return;
    }
    synchronized (this) {
      Map<String, Object> snapshot = new LinkedHashMap<>();
      snapshot.put("model", model());
      snapshot.put("tiles", tiles.values().stream().map(t -> t.toJson(System.currentTimeMillis())).toList());
      snapshot.put("reviews", new ArrayList<>(reviews));
      client.send("snapshot", snapshot);
      clients.add(client);
    }
  }

  /** Starts the consumer if the classifier runs; true when the feed is (now) running. */
  synchronized boolean ensureStarted() {
    if (thread != null) {
      return true;
    }
    Optional<Properties> common = service.clientProperties();
    if (common.isEmpty() || stopping) {
      return false;
    }
    Properties p = common.get();
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "vidlabel-dashboard");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(config.kafka().maxRecordBytes()));
    consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    try {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : topics()) {
        for (PartitionInfo info : consumer.partitionsFor(topic)) {
          partitions.add(new TopicPartition(topic, info.partition()));
        }
      }
      consumer.assign(partitions);
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      for (TopicPartition tp : partitions) {
        consumer.seek(tp, Math.max(begin.get(tp), end.get(tp) - config.dashboard().history()));
      }
    } catch (RuntimeException e) {
      consumer.close();
      consumer = null;
      LOG.warn("dashboard feed cannot start yet: {}", e.toString());
      return false;
    }
    // A restarted feed reads the history again: start from a clean summary.
    tiles.clear();
    reviews.clear();
    KafkaConsumer<String, byte[]> started = consumer;
    thread = new Thread(() -> run(started), "dashboard-feed");
    thread.setDaemon(true);
    thread.start();
    return true;
  }

  private List<String> topics() {
    return List.of(
        config.topics().classifications(), config.topics().segmentLabels(), config.topics().reviewRequests());
  }

  private void run(KafkaConsumer<String, byte[]> consumer) {
    long nextTick = 0;
    try {
      // Ends with the classifier (the demo stops it before its broker), or with the application.
      while (!stopping && service.pipeline().isPresent()) {
        var records = consumer.poll(Duration.ofMillis(TICK_MS / 2));
        synchronized (this) {
          for (ConsumerRecord<String, byte[]> r : records) {
            try {
              apply(r);
            } catch (RuntimeException e) {
              // The service wrote these topics; a record it cannot read is a bug to see, not a reason to stop.
              LOG.warn("dashboard skips {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
            }
          }
          long now = System.currentTimeMillis();
          if (now >= nextTick) {
            tick(now);
            nextTick = now + TICK_MS;
          }
        }
      }
    } catch (WakeupException e) {
      // stopping
    } catch (RuntimeException e) {
      LOG.error("dashboard feed stopped", e);
    } finally {
      consumer.close();
      synchronized (this) {
        thread = null; // the next browser starts a new consumer, unless the service is stopping
        this.consumer = null;
      }
    }
  }

  private void apply(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return;
    }
    String topic = r.topic();
    if (topic.equals(config.topics().classifications())) {
      FrameClassification c = ClassificationTopology.CLASSIFICATION_SERDE.deserializer().deserialize(topic, r.value());
      tile(c.stream()).classified(c, r.timestamp() + c.latencyMs());
    } else if (topic.equals(config.topics().segmentLabels())) {
      SegmentLabel s = ClassificationTopology.SEGMENT_LABEL_SERDE.deserializer().deserialize(topic, r.value());
      tile(s.stream()).segment(s);
    } else if (topic.equals(config.topics().reviewRequests())) {
      ReviewRequest q = ClassificationTopology.REVIEW_REQUEST_SERDE.deserializer().deserialize(topic, r.value());
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("id", topic + "-" + r.partition() + "-" + r.offset());
      item.put("stream", q.stream());
      item.put("segment", q.segment());
      item.put("frame", q.frame());
      item.put("ptsMicros", q.ptsMicros());
      item.put("model", q.model());
      item.put("modelVersion", q.modelVersion());
      item.put("labels", q.labels());
      item.put("image", q.image());
      item.put("timestampMs", r.timestamp());
      reviews.addFirst(item);
      while (reviews.size() > config.dashboard().reviewQueue()) {
        reviews.removeLast();
      }
      broadcast("review", item);
    }
  }

  private Tile tile(String stream) {
    return tiles.computeIfAbsent(stream, Tile::new);
  }

  /** Sends the tiles that changed (frames/s changes with time alone) and the model if it changed. */
  private void tick(long now) {
    Map<String, Object> model = model();
    if (!model.equals(lastModel)) {
      lastModel = model;
      broadcast("model", model);
    }
    List<Map<String, Object>> changed = new ArrayList<>();
    for (Tile t : tiles.values()) {
      double fps = t.framesPerSecond(now);
      if (t.dirty || fps != t.sentFps) {
        t.dirty = false;
        t.sentFps = fps;
        changed.add(t.toJson(now));
      }
    }
    if (!changed.isEmpty()) {
      broadcast("tiles", changed);
    }
  }

  /** The served model: its name, version and the label names of its model.json (the review buttons). */
  private Map<String, Object> model() {
    return service
        .pipeline()
        .map(
            p -> {
              LoadedModel m = p.model();
              Map<String, Object> out = new LinkedHashMap<>();
              out.put("name", m.name());
              out.put("version", m.version());
              out.put("labels", m.descriptor().labels());
              out.put("reviewThreshold", config.review().confidenceThreshold());
              return out;
            })
        .orElse(Map.of());
  }

  private void broadcast(String event, Object data) {
    for (Client c : clients) {
      if (c.sink.isClosed() || !c.send(event, data)) {
        clients.remove(c);
      }
    }
  }

  @PreDestroy
  void stop() {
    Thread t;
    synchronized (this) {
      stopping = true;
      t = thread;
      if (consumer != null && t != null) {
        consumer.wakeup();
      }
    }
    if (t != null) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Client c : clients) {
      c.sink.close();
    }
    clients.clear();
  }

  /** A connected browser. */
  private final class Client {
    final SseEventSink sink;
    final Sse sse;

    Client(SseEventSink sink, Sse sse) {
      this.sink = sink;
      this.sse = sse;
    }

    /** Queues one event; false if the connection is gone. */
    boolean send(String event, Object data) {
      String text;
      try {
        text = json.writeValueAsString(data);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write dashboard event " + event, e);
      }
      try {
        sink.send(sse.newEventBuilder().name(event).data(String.class, text).build())
            .exceptionally(
                e -> {
                  clients.remove(this);
                  return null;
                });
        return true;
      } catch (IllegalStateException e) {
        return false; // closed between the check and the send
      }
    }
  }

  /** What one stream's tile shows. */
  private static final class Tile {
    final String stream;
    SegmentLabel segment; // latest, or null before the first segment (frames-only streams)
    List<Label> frameLabels = List.of();
    String model;
    String modelVersion;
    final Deque<Float> spark = new ArrayDeque<>();
    final Deque<Long> classifiedAt = new ArrayDeque<>();
    long updatedAtMs;
    boolean dirty;
    double sentFps = -1;

    Tile(String stream) {
      this.stream = stream;
    }

    void classified(FrameClassification c, long atMs) {
      frameLabels = c.labels();
      model = c.model();
      modelVersion = c.modelVersion();
      spark.addLast(c.labels().isEmpty() ? 0f : c.labels().get(0).score());
      while (spark.size() > SPARKLINE_POINTS) {
        spark.removeFirst();
      }
      classifiedAt.addLast(atMs);
      updatedAtMs = Math.max(updatedAtMs, atMs);
      dirty = true;
    }

    void segment(SegmentLabel s) {
      segment = s;
      model = s.model();
      modelVersion = s.modelVersion();
      dirty = true;
    }

    /** Frames classified per second over the last {@link #RATE_WINDOW}, by the time each was produced. */
    double framesPerSecond(long now) {
      long from = now - RATE_WINDOW.toMillis();
      while (!classifiedAt.isEmpty() && classifiedAt.peekFirst() < from) {
        classifiedAt.removeFirst();
      }
      long inWindow = classifiedAt.stream().filter(t -> t <= now).count();
      return Math.round(inWindow * 10.0 / (RATE_WINDOW.toMillis() / 1000.0)) / 10.0;
    }

    Map<String, Object> toJson(long now) {
      Map<String, Object> out = new HashMap<>();
      out.put("stream", stream);
      out.put("model", model);
      out.put("modelVersion", modelVersion);
      out.put("frameLabels", frameLabels);
      out.put("spark", new ArrayList<>(spark));
      out.put("fps", framesPerSecond(now));
      out.put("updatedAtMs", updatedAtMs);
      if (segment != null) {
        out.put("segment", segment.segment());
        out.put("label", segment.label());
        out.put("score", segment.score());
        out.put("labels", segment.labels());
        out.put("framesClassified", segment.framesClassified());
        out.put("framesDecoded", segment.framesDecoded());
        out.put("thumbnail", segment.thumbnail());
      }
      return out;
    }
  }
}
