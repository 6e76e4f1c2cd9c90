package io.vidlabel.inference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * Dynamic batching in front of a single-threaded resource (a DJL predictor, which is not
 * thread-safe): callers on any thread {@link #submit} items; ONE owner thread, named {@code
 * inference-<name>}, forms batches and runs the {@link BatchHandler}.
 *
 * <p>A batch is run as soon as {@code maxBatchSize} items are waiting, or when the oldest waiting
 * item has waited {@code maxQueueDelay}, whichever comes first (Triton's dynamic batcher works the
 * same way), or as soon as no caller that announced its work ({@link #prepare}) is still preparing
 * items: waiting beyond that point is pure latency, since the only items that could join are ones
 * nobody is making yet. The queue is bounded: {@link #submit} blocks while it is full, which slows
 * producers (Kafka stream threads) down to what the model sustains instead of buffering without
 * limit.
 *
 * <p>Futures are completed on the owner thread; callers should {@code join()} or use {@code *Async}
 * continuations, since non-async continuations would run on (and stall) the owner thread.
 */
public final class InferenceBatcher<I, O> implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(InferenceBatcher.class);
  /** How many recent batch sizes {@link Stats#recentBatchSizes()} keeps. */
  static final int RECENT_BATCHES = 64;
  /** Poll interval while draining after close, to notice submitters still inside {@code put}. */
  private static final long CLOSE_POLL_MILLIS = 10;

  private final String name;
  private final BatchHandler<I, O> handler;
  private final int maxBatchSize;
  private final long maxQueueDelayNanos;
  private final int queueCapacity;
  /**
   * One permit per free queue slot. The queue itself is unbounded so that close() can always add
   * its marker; the semaphore is what makes submitters wait (backpressure).
   */
  private final Semaphore capacity;
  private final BlockingQueue<Pending<I, O>> queue = new LinkedBlockingQueue<>();
  private final Thread owner;

  private final AtomicBoolean closed = new AtomicBoolean();
  /** Submitters between their closed-check and the end of their {@code put}. */
  private final AtomicInteger submitting = new AtomicInteger();
  /** Threads between {@link #prepare} and their next {@link #submitAll} (or closing it). */
  private final Set<Thread> preparing = ConcurrentHashMap.newKeySet();

  private final LongAdder batches = new LongAdder();
  private final LongAdder items = new LongAdder();
  private final LongAdder failedBatches = new LongAdder();
  private final LongAdder queueWaitNanos = new LongAdder();
  /** Index s holds how many batches had size s (index 0 unused). */
  private final AtomicLongArray sizeCounts;
  private final int[] recent = new int[RECENT_BATCHES];
  private long recentCount; // guarded by recent

  /**
   * Told about every batch the handler ran (or that failed), on the owner thread: keep it cheap.
   * Lets the service record metrics without the batcher depending on a metrics library.
   */
  @FunctionalInterface
  public interface Listener {
    /** Listens to nothing. */
    Listener NONE = (size, queueWaitNanos, handleNanos) -> {};

    /**
     * @param size items in the batch
     * @param queueWaitNanos each item's time from submit to batch start
     * @param handleNanos time the handler took for the whole batch
     */
    void batchRan(int size, long[] queueWaitNanos, long handleNanos);
  }

  private volatile Listener listener = Listener.NONE;

  private record Pending<I, O>(I item, CompletableFuture<O> future, long enqueuedNanos) {}

  @SuppressWarnings("rawtypes")
  private static final Pending CLOSE_MARKER = new Pending<>(null, null, 0);

  /** Wakes the owner thread: nobody may be preparing items now, so a partial batch should run. */
  @SuppressWarnings("rawtypes")
  private static final Pending FLUSH_MARKER = new Pending<>(null, null, 0);

  /**
   * Starts the owner thread.
   *
   * @param name used in the thread name {@code inference-<name>} and in logs
   * @param handler runs each batch; must return one output per input, in order
   * @param maxBatchSize largest batch handed to {@code handler}, at least 1
   * @param maxQueueDelay longest an item waits for companions before a partial batch runs
   * @param queueCapacity items that may wait; {@link #submit} blocks beyond this
   */
  public InferenceBatcher(
      String name,
      BatchHandler<I, O> handler,
      int maxBatchSize,
      Duration maxQueueDelay,
      int queueCapacity) {
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("maxBatchSize must be at least 1, got " + maxBatchSize);
    }
    if (maxQueueDelay.isNegative()) {
      throw new IllegalArgumentException("maxQueueDelay must not be negative, got " + maxQueueDelay);
    }
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("queueCapacity must be at least 1, got " + queueCapacity);
    }
    this.name = name;
    this.handler = handler;
    this.maxBatchSize = maxBatchSize;
    this.maxQueueDelayNanos = maxQueueDelay.toNanos();
    this.queueCapacity = queueCapacity;
    this.capacity = new Semaphore(queueCapacity);
    this.sizeCounts = new AtomicLongArray(maxBatchSize + 1);
    this.owner = new Thread(this::run, "inference-" + name);
    this.owner.setDaemon(true);
    this.owner.start();
  }

  /**
   * Queues one item, blocking while {@code queueCapacity} items are already waiting.
   *
   * @return completes with the item's output, or exceptionally with the batch's failure; already
   *     failed if {@link BatchHandler#validate} rejects the item or the caller was interrupted
   * @throws IllegalStateException after {@link #close()}
   */
  public CompletableFuture<O> submit(I item) {
    submitting.incrementAndGet();
    try {
      ensureOpen();
      try {
        handler.validate(item);
      } catch (IllegalArgumentException e) {
        return CompletableFuture.failedFuture(e);
      }
      capacity.acquire();
      if (closed.get()) {
        capacity.release();
        ensureOpen();
      }
      CompletableFuture<O> future = new CompletableFuture<>();
      queue.add(new Pending<>(item, future, System.nanoTime()));
      return future;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableFuture.failedFuture(e);
    } finally {
      submitting.decrementAndGet();
    }
  }

  @SuppressWarnings("unchecked")
  private Pending<I, O> flushMarker() {
    return FLUSH_MARKER;
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("inference batcher '" + name + "' is closed");
    }
  }

  /**
   * {@link #submit} for each item, in order; the futures are in the same order. Ends the calling
   * thread's {@link #prepare preparation}, if it has one.
   */
  public List<CompletableFuture<O>> submitAll(List<? extends I> batch) {
    List<CompletableFuture<O>> futures = new ArrayList<>(batch.size());
    for (I item : batch) {
      futures.add(submit(item));
    }
    donePreparing(Thread.currentThread());
    return futures;
  }

  /**
   * Announces that the calling thread is preparing items (decoding an input) that it will submit
   * with its next {@link #submitAll}. While any announced preparation is open, a partial batch
   * waits (at most {@code maxQueueDelay}) for its items; once none is, the batch runs at once. A
   * Kafka stream thread announces each record before decoding it, so a frame never waits for
   * companions that no thread is making: a thread polling an empty partition is not waited for.
   *
   * @return closes the preparation if {@link #submitAll} did not (the input failed to decode, or
   *     gave no frames); use it in try-with-resources
   */
  public Preparation prepare() {
    Thread caller = Thread.currentThread();
    preparing.add(caller);
    return () -> donePreparing(caller);
  }

  /** The end of one thread's {@link #prepare preparation}; idempotent. */
  @FunctionalInterface
  public interface Preparation extends AutoCloseable {
    /** Nothing announced: for callers that do not batch through an {@link InferenceBatcher}. */
    Preparation NONE = () -> {};

    @Override
    void close();
  }

  private void donePreparing(Thread caller) {
    if (preparing.remove(caller) && preparing.isEmpty()) {
      queue.add(flushMarker()); // behind the caller's items: the owner sees them first
    }
  }

  /** Replaces the listener told about each batch from the next batch on. */
  public void setListener(Listener listener) {
    this.listener = listener == null ? Listener.NONE : listener;
  }

  /** Items waiting, not yet in a batch. */
  public int queued() {
    return queueCapacity - capacity.availablePermits();
  }

  public String name() {
    return name;
  }

  public int maxBatchSize() {
    return maxBatchSize;
  }

  /**
   * Stops accepting items, runs everything already queued (without waiting for the queue delay),
   * and joins the owner thread. Idempotent.
   */
  @Override
  @SuppressWarnings("unchecked")
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      joinOwner();
      return;
    }
    queue.add(CLOSE_MARKER); // behind everything already queued; never blocks
    joinOwner();
  }

  private void joinOwner() {
    if (Thread.currentThread() == owner) {
      return;
    }
    try {
      owner.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    List<Pending<I, O>> batch = new ArrayList<>(maxBatchSize);
    boolean closing = false;
    while (true) {
      try {
        Pending<I, O> first;
        if (closing) {
          first = queue.poll(CLOSE_POLL_MILLIS, TimeUnit.MILLISECONDS);
          if (first == null) {
            if (queue.isEmpty() && submitting.get() == 0) {
              return;
            }
            continue;
          }
        } else {
          first = queue.take();
        }
        if (first == CLOSE_MARKER) {
          closing = true;
          continue;
        }
        if (first == FLUSH_MARKER) {
          continue; // nothing waiting: the items before it already ran
        }
        batch.add(first);
        closing |= fill(batch, first.enqueuedNanos() + maxQueueDelayNanos, closing);
        capacity.release(batch.size()); // taken out of the queue: room for blocked submitters
        runBatch(batch);
      } catch (InterruptedException e) {
        // Nobody but close() should stop this thread; treat an interrupt as close: run what was
        // already taken, then drain the rest.
        LOG.warnf("inference-%s interrupted; draining and stopping", name);
        closed.set(true);
        closing = true;
        capacity.release(batch.size());
        runBatch(batch);
      } catch (RuntimeException | Error t) {
        // Defensive: runBatch already handles handler failures; never strand a caller.
        LOG.errorf(t, "inference-%s: unexpected error in the batching loop", name);
        failAll(batch, t);
      } finally {
        batch.clear();
      }
    }
  }

  /**
   * Adds waiting items until the batch is full or the deadline passes.
   *
   * @return true if the close marker was seen
   */
  private boolean fill(List<Pending<I, O>> batch, long deadlineNanos, boolean closing)
      throws InterruptedException {
    while (batch.size() < maxBatchSize) {
      Pending<I, O> next;
      long remaining = deadlineNanos - System.nanoTime();
      if (closing || remaining <= 0) {
        next = queue.poll(); // flush what is already here, do not wait
      } else {
        next = queue.poll(remaining, TimeUnit.NANOSECONDS);
      }
      if (next == null) {
        return closing;
      }
      if (next == CLOSE_MARKER) {
        closing = true;
        continue;
      }
      if (next == FLUSH_MARKER) {
        if (preparing.isEmpty()) {
          return closing; // no announced items are on their way: run what is here now
        }
        continue; // stale: another thread has started preparing since
      }
      batch.add(next);
    }
    return closing;
  }

  private void runBatch(List<Pending<I, O>> batch) {
    batch.removeIf(p -> p.future().isDone()); // cancelled by the caller while waiting
    if (batch.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    List<I> inputs = new ArrayList<>(batch.size());
    long[] waits = new long[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      Pending<I, O> p = batch.get(i);
      inputs.add(p.item());
      waits[i] = start - p.enqueuedNanos();
      queueWaitNanos.add(waits[i]);
    }
    recordSize(batch.size());
    List<O> outputs;
    try {
      try {
        outputs = handler.handle(inputs);
      } finally {
        notifyListener(waits, System.nanoTime() - start);
      }
      if (outputs == null || outputs.size() != inputs.size()) {
        throw new IllegalStateException(
            "batch handler of '" + name + "' returned "
                + (outputs == null ? "null" : outputs.size() + " outputs") + " for "
                + inputs.size() + " inputs");
      }
    } catch (Throwable t) {
      failedBatches.increment();
      LOG.warnf(t, "inference-%s: batch of %d failed", name, inputs.size());
      failAll(batch, t);
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).future().complete(outputs.get(i));
    }
  }

  private void notifyListener(long[] waits, long handleNanos) {
    try {
      listener.batchRan(waits.length, waits, handleNanos);
    } catch (RuntimeException e) {
      // A broken listener must not fail the batch: its callers are waiting for their results.
      LOG.warnf(e, "inference-%s: batch listener failed", name);
    }
  }

  private void failAll(List<Pending<I, O>> batch, Throwable cause) {
    for (Pending<I, O> p : batch) {
      p.future().completeExceptionally(cause);
    }
  }

  private void recordSize(int size) {
    batches.increment();
    items.add(size);
    sizeCounts.incrementAndGet(size);
    synchronized (recent) {
      recent[(int) (recentCount++ % RECENT_BATCHES)] = size;
    }
  }

  /** A consistent-enough snapshot for metrics (counters are read one after the other). */
  public Stats stats() {
    long[] counts = new long[sizeCounts.length()];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = sizeCounts.get(i);
    }
    List<Integer> last;
    synchronized (recent) {
      int n = (int) Math.min(recentCount, RECENT_BATCHES);
      last = new ArrayList<>(n);
      for (long i = recentCount - n; i < recentCount; i++) {
        last.add(recent[(int) (i % RECENT_BATCHES)]);
      }
    }
    return new Stats(
        batches.sum(),
        items.sum(),
        failedBatches.sum(),
        Duration.ofNanos(queueWaitNanos.sum()),
        counts,
        List.copyOf(last),
        queued());
  }

  /**
   * Batcher counters.
   *
   * @param batches batches handed to the handler
   * @param items items in those batches
   * @param failedBatches batches whose handler threw or returned the wrong number of outputs
   * @param totalQueueWait sum over items of the time from submit to batch start
   * @param batchSizeCounts index s = number of batches of size s (index 0 unused)
   * @param recentBatchSizes sizes of the last up to 64 batches, oldest first
   * @param queued items waiting right now
   */
  public record Stats(
      long batches,
      long items,
      long failedBatches,
      Duration totalQueueWait,
      long[] batchSizeCounts,
      List<Integer> recentBatchSizes,
      int queued) {

    /** Mean batch size, 0 if nothing ran yet. */
    public double meanBatchSize() {
      return batches == 0 ? 0 : (double) items / batches;
    }

    @Override
    public String toString() {
      return "Stats[batches=" + batches + ", items=" + items + ", failedBatches=" + failedBatches
          + ", totalQueueWait=" + totalQueueWait + ", batchSizeCounts="
          + Arrays.toString(batchSizeCounts) + ", recentBatchSizes=" + recentBatchSizes
          + ", queued=" + queued + "]";
    }
  }
}
