package io.vidlabel.lifecycle;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vidlabel.inference.LoadedModel;
import io.vidlabel.model.ModelStore;
import io.vidlabel.pipeline.Pipeline;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a classifier on the version {@code video.model-updates} names for its model.
 *
 * <p>For each update: load the version from the model store, verify its files against the checksum
 * in its {@code model.json} and in the update, run one warm-up inference, then swap it into the
 * pipeline between two batches ({@link Pipeline#swapModel}) and close the old model once no batch
 * uses it. A version that fails any step is rejected with its reason (log, metrics, {@link
 * #status()}) and the current model keeps serving.
 *
 * <p>{@link #start()} first replays the topic up to its end, so a (re)started instance serves the
 * latest promoted version before it classifies anything, then follows new updates on its own
 * thread.
 */
public final class ModelFollower implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ModelFollower.class);
  private static final Duration POLL = Duration.ofMillis(250);
  private static final int HISTORY = 20;

  /**
   * One thing that happened to the served model.
   *
   * @param outcome {@code SERVING} (swapped in or loaded at start) or {@code REJECTED}
   */
  public record Event(long atMs, String version, String action, String outcome, String reason) {}

  /** What this instance serves and what happened recently, newest first. */
  public record Status(String name, String version, String checksum, List<Event> events) {}

  private final Properties clientProperties;
  private final String topic;
  private final ModelStore store;
  private final Pipeline pipeline;
  private final MeterRegistry registry;
  private final Deque<Event> events = new ArrayDeque<>();
  private final AtomicBoolean running = new AtomicBoolean();
  private KafkaConsumer<String, byte[]> consumer;
  private Thread thread;

  public ModelFollower(
      Properties clientProperties, String topic, ModelStore store, Pipeline pipeline, MeterRegistry registry) {
    this.clientProperties = clientProperties;
    this.topic = topic;
    this.store = store;
    this.pipeline = pipeline;
    this.registry = registry;
  }

  /** Applies the latest update already on the topic, then follows new ones in the background. */
  public synchronized void start() {
    ModelUpdates.ensureTopic(clientProperties, topic);
    consumer = ModelUpdates.consumer(clientProperties);
    List<TopicPartition> partitions = ModelUpdates.partitions(consumer, topic);
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    ModelUpdate latest = null;
    while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
        latest = mine(r).orElse(latest);
      }
    }
    if (latest != null) {
      apply(latest);
    }
    running.set(true);
    thread = new Thread(this::follow, "model-follower");
    thread.setDaemon(true);
    thread.start();
  }

  private void follow() {
    try {
      while (running.get()) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
          mine(r).ifPresent(this::apply);
        }
      }
    } catch (WakeupException e) {
      // close() interrupts the poll
    } catch (RuntimeException e) {
      LOG.error("model follower stopped; the current model keeps serving", e);
    } finally {
      consumer.close();
    }
  }

  private Optional<ModelUpdate> mine(ConsumerRecord<String, byte[]> r) {
    String name = pipeline.model().name();
    if (!name.equals(r.key())) {
      return Optional.empty();
    }
    Optional<ModelUpdate> update = ModelUpdates.parse(r.value());
    if (update.isEmpty() && r.value() != null) {
      reject(null, null, "unreadable update at " + r.topic() + "-" + r.partition() + "@" + r.offset());
    }
    return update;
  }

  /** Swaps to the update's version, or rejects it; never throws. */
  synchronized void apply(ModelUpdate update) {
    LoadedModel current = pipeline.model();
    if (update.version().equals(current.version()) && update.checksum() != null
        && update.checksum().equals(current.descriptor().checksum())) {
      return;
    }
    LoadedModel next;
    try {
      next = LoadedModel.load(store.directory(update.name(), update.version()), current.precision());
    } catch (RuntimeException e) {
      reject(update.version(), update.action(), "cannot load: " + e.getMessage());
      return;
    }
    String problem = check(update, next, current);
    if (problem == null) {
      problem = warmUp(next, pipeline.maxBatchSize());
    }
    if (problem != null) {
      next.close();
      reject(update.version(), update.action(), problem);
      return;
    }
    LoadedModel previous = pipeline.swapModel(next);
    previous.close();
    record(new Event(System.currentTimeMillis(), next.version(), update.action(), "SERVING", update.reason()));
    counter("applied").increment();
    LOG.info("now serving {} version {} ({}; was {})", next.name(), next.version(), update.action(),
        previous.version());
  }

  private static String check(ModelUpdate update, LoadedModel next, LoadedModel current) {
    String checksum = next.descriptor().checksum();
    if (checksum == null) {
      return "model.json has no checksum; promoted versions must carry one";
    }
    if (update.checksum() != null && !update.checksum().equals(checksum)) {
      return "the update names checksum " + update.checksum() + " but the stored version has " + checksum;
    }
    if (!next.descriptor().inputWidth().equals(current.descriptor().inputWidth())
        || !next.descriptor().inputHeight().equals(current.descriptor().inputHeight())) {
      return "input size " + next.descriptor().inputWidth() + "x" + next.descriptor().inputHeight()
          + " differs from the served " + current.descriptor().inputWidth() + "x"
          + current.descriptor().inputHeight() + "; restart the classifier with the new model instead";
    }
    return null;
  }

  /** Runs every session of {@code model} at the batch sizes it will see; null, or why it failed. */
  private static String warmUp(LoadedModel model, int largestBatch) {
    try {
      model.warmUp(largestBatch);
      return null;
    } catch (Exception e) {
      return "warm-up inference failed: " + e.getMessage();
    }
  }

  private void reject(String version, String action, String reason) {
    record(new Event(System.currentTimeMillis(), version, action, "REJECTED", reason));
    counter("rejected").increment();
    LOG.warn("model update {} rejected, still serving {}: {}", version, pipeline.model().version(), reason);
  }

  private Counter counter(String result) {
    return Counter.builder("vidlabel.model.updates")
        .description("Model updates applied or rejected by this classifier")
        .tag("result", result)
        .register(registry);
  }

  private void record(Event e) {
    synchronized (events) {
      events.addFirst(e);
      while (events.size() > HISTORY) {
        events.removeLast();
      }
    }
  }

  /** Never waits for a model being loaded. */
  public Status status() {
    LoadedModel m = pipeline.model();
    synchronized (events) {
      return new Status(m.name(), m.version(), m.descriptor().checksum(), List.copyOf(events));
    }
  }

  @Override
  public void close() {
    running.set(false);
    Thread t;
    synchronized (this) {
      t = thread;
      if (t == null && consumer != null) {
        consumer.close();
      }
    }
    if (t != null) {
      consumer.wakeup();
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
