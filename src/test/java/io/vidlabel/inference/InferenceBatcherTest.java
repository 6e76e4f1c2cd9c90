package io.vidlabel.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InferenceBatcherTest {

  /** Long enough that only a full batch, or close(), can trigger a run within the test. */
  private static final Duration FOREVER = Duration.ofHours(1);

  private final List<List<Integer>> batches = new CopyOnWriteArrayList<>();
  private final List<String> handlerThreads = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private InferenceBatcher<Integer, String> batcher(
      BatchHandler<Integer, String> handler, int maxBatch, Duration delay, int capacity) {
    InferenceBatcher<Integer, String> b =
        new InferenceBatcher<>("test", handler, maxBatch, delay, capacity);
    toClose.add(b);
    return b;
  }

  /** Records each batch and answers "v<item>". */
  private List<String> echo(List<Integer> batch) {
    batches.add(List.copyOf(batch));
    handlerThreads.add(Thread.currentThread().getName());
    return batch.stream().map(i -> "v" + i).toList();
  }

  @Test
  void shouldRunOneFullBatchWhenMaxBatchSizeItemsArriveTogether() {
    // given a batcher whose queue delay never expires during the test
    InferenceBatcher<Integer, String> batcher = batcher(this::echo, 4, FOREVER, 16);

    // when four items arrive together
    List<CompletableFuture<String>> futures = batcher.submitAll(List.of(1, 2, 3, 4));

    // then they run as one batch on the owner thread, without waiting for the delay
    assertThat(CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)))
        .succeedsWithin(Duration.ofSeconds(30));
    assertThat(batches).containsExactly(List.of(1, 2, 3, 4));
    assertThat(futures).extracting(CompletableFuture::join).containsExactly("v1", "v2", "v3", "v4");
    assertThat(handlerThreads).containsOnly("inference-test");
    assertThat(batcher.stats().batches()).isEqualTo(1);
    assertThat(batcher.stats().items()).isEqualTo(4);
    assertThat(batcher.stats().batchSizeCounts()[4]).isEqualTo(1);
    assertThat(batcher.stats().recentBatchSizes()).containsExactly(4);
  }

  @Test
  void shouldRunALoneCallersItemsAtOnceWhenNobodyElseIsPreparing() throws Exception {
    // given a batcher whose queue delay never expires during the test
    InferenceBatcher<Integer, String> batcher = batcher(this::echo, 8, FOREVER, 16);
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      // when one thread announces its work and submits, while no other thread prepares anything
      List<CompletableFuture<String>> lone = thread.submit(() -> {
        try (InferenceBatcher.Preparation p = batcher.prepare()) {
          return batcher.submitAll(List.of(1, 2));
        }
      }).get();

      // then its partial batch runs without waiting out the delay
      assertThat(CompletableFuture.allOf(lone.toArray(CompletableFuture[]::new)))
          .succeedsWithin(Duration.ofSeconds(30));
      assertThat(batches).containsExactly(List.of(1, 2));
    } finally {
      thread.shutdownNow();
    }
  }

  @Test
  void shouldWaitForItemsAnotherThreadIsPreparing() throws Exception {
    // given a batcher whose queue delay never expires during the test
    InferenceBatcher<Integer, String> batcher = batcher(this::echo, 8, FOREVER, 16);
    ExecutorService first = Executors.newSingleThreadExecutor();
    ExecutorService second = Executors.newSingleThreadExecutor();
    try {
      // when the second thread is still preparing (decoding) while the first submits
      InferenceBatcher.Preparation secondPrepares = second.submit(batcher::prepare).get();
      List<CompletableFuture<String>> early = first.submit(() -> {
        try (InferenceBatcher.Preparation p = batcher.prepare()) {
          return batcher.submitAll(List.of(1));
        }
      }).get();

      // then the batch waits for the second thread's items
      await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
          .until(() -> batches.isEmpty());

      // and once they arrive, both threads' items run in one batch
      List<CompletableFuture<String>> late = second.submit(() -> batcher.submitAll(List.of(2))).get();
      secondPrepares.close(); // already ended by submitAll: closing again changes nothing
      assertThat(CompletableFuture.allOf(early.get(0), late.get(0)))
          .succeedsWithin(Duration.ofSeconds(30));
      assertThat(batches).containsExactly(List.of(1, 2));
    } finally {
      first.shutdownNow();
      second.shutdownNow();
    }
  }

  @Test
  void shouldStopWaitingWhenAPreparationEndsWithoutItems() throws Exception {
    // given a batcher whose queue delay never expires, and a second thread preparing an input
    InferenceBatcher<Integer, String> batcher = batcher(this::echo, 8, FOREVER, 16);
    ExecutorService first = Executors.newSingleThreadExecutor();
    ExecutorService second = Executors.newSingleThreadExecutor();
    try {
      InferenceBatcher.Preparation secondPrepares = second.submit(batcher::prepare).get();
      List<CompletableFuture<String>> waiting = first.submit(() -> {
        try (InferenceBatcher.Preparation p = batcher.prepare()) {
          return batcher.submitAll(List.of(1));
        }
      }).get();
      await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
          .until(() -> batches.isEmpty());

      // when the second thread's input gives no frames (say it failed to decode)
      second.submit(secondPrepares::close).get();

      // then the waiting batch runs without the delay
      assertThat(waiting.get(0)).succeedsWithin(Duration.ofSeconds(30)).isEqualTo("v1");
      assertThat(batches).containsExactly(List.of(1));
    } finally {
      first.shutdownNow();
      second.shutdownNow();
    }
  }

  @Test
  void shouldKeepWaitingForTheDelayWhenNoCallerAnnouncesItsWork() {
    InferenceBatcher<Integer, String> batcher = batcher(this::echo, 8, FOREVER, 16);

    batcher.submitAll(List.of(1));
    batcher.submitAll(List.of(2));

    await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
        .until(() -> batches.isEmpty());
    assertThat(batcher.queued()).isEqualTo(2);
  }

  @Test
  void shouldFlushLoneItemAfterMaxQueueDelay() {
    Duration delay = Duration.ofMillis(50);
    InferenceBatcher<Integer, String> batcher = batcher(this::echo, 8, delay, 16);

    CompletableFuture<String> future = batcher.submit(7);

    assertThat(future).succeedsWithin(Duration.ofSeconds(30)).isEqualTo("v7");
    assertThat(batches).containsExactly(List.of(7));
    // A lower bound only: the item was held for the delay, waiting for companions.
    assertThat(batcher.stats().totalQueueWait()).isGreaterThanOrEqualTo(delay);
  }

  @Test
  void shouldGiveEachCallerItsOwnResultsInOrderAcrossMixedBatches() throws Exception {
    InferenceBatcher<Integer, String> batcher = batcher(this::echo, 7, Duration.ofMillis(2), 32);
    ExecutorService callers = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<String>>> results = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        int base = c * 1000;
        results.add(
            callers.submit(
                () -> {
                  List<Integer> mine = IntStream.range(base, base + 60).boxed().toList();
                  return batcher.submitAll(mine).stream().map(CompletableFuture::join).toList();
                }));
      }
      for (int c = 0; c < 4; c++) {
        int base = c * 1000;
        assertThat(results.get(c).get(30, TimeUnit.SECONDS))
            .containsExactlyElementsOf(IntStream.range(base, base + 60).mapToObj(i -> "v" + i).toList());
      }
    } finally {
      callers.shutdownNow();
    }
    assertThat(batches).allSatisfy(b -> assertThat(b).hasSizeBetween(1, 7));
    assertThat(batches.stream().mapToInt(List::size).sum()).isEqualTo(240);
  }

  @Test
  void shouldBlockSubmitterWhileQueueIsFull() throws Exception {
    // given a handler that holds the first batch until released, and room for two waiting items
    CountDownLatch handling = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    InferenceBatcher<Integer, String> batcher =
        batcher(
            batch -> {
              handling.countDown();
              release.await();
              return echo(batch);
            },
            1,
            Duration.ZERO,
            2);
    CompletableFuture<String> first = batcher.submit(1);
    assertThat(handling.await(30, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> second = batcher.submit(2);
    CompletableFuture<String> third = batcher.submit(3);
    assertThat(batcher.queued()).isEqualTo(2);

    // when a fourth caller submits
    AtomicReference<CompletableFuture<String>> fourth = new AtomicReference<>();
    Thread caller = new Thread(() -> fourth.set(batcher.submit(4)), "fourth-caller");
    caller.start();

    // then it waits inside submit (backpressure) ...
    await().atMost(Duration.ofSeconds(30)).until(() -> caller.getState() == Thread.State.WAITING);
    assertThat(fourth.get()).isNull();

    // ... until the handler makes room
    release.countDown();
    caller.join(30_000);
    assertThat(fourth.get()).isNotNull();
    assertThat(List.of(first, second, third, fourth.get()))
        .allSatisfy(f -> assertThat(f).succeedsWithin(Duration.ofSeconds(30)));
    assertThat(batches).containsExactly(List.of(1), List.of(2), List.of(3), List.of(4));
  }

  @Test
  void shouldFailEveryCallerOfFailedBatchAndKeepServingNextBatch() {
    IllegalStateException boom = new IllegalStateException("boom");
    InferenceBatcher<Integer, String> batcher =
        batcher(
            batch -> {
              if (batch.contains(13)) {
                throw boom;
              }
              return echo(batch);
            },
            3,
            FOREVER,
            16);

    List<CompletableFuture<String>> failed = batcher.submitAll(List.of(12, 13, 14));
    for (CompletableFuture<String> f : failed) {
      assertThat(f).failsWithin(Duration.ofSeconds(30)).withThrowableOfType(ExecutionException.class)
          .havingCause().isSameAs(boom);
    }

    List<CompletableFuture<String>> next = batcher.submitAll(List.of(1, 2, 3));
    assertThat(next).extracting(f -> f.orTimeout(30, TimeUnit.SECONDS).join())
        .containsExactly("v1", "v2", "v3");
    assertThat(batcher.stats().failedBatches()).isEqualTo(1);
    assertThat(batcher.stats().batches()).isEqualTo(2);
  }

  @Test
  void shouldTellTheListenerAboutEveryBatchAndSurviveAListenerThatThrows() {
    // given a listener that records each batch's size and queue waits, then throws
    List<String> seen = new CopyOnWriteArrayList<>();
    InferenceBatcher<Integer, String> batcher = batcher(this::echo, 2, FOREVER, 16);
    batcher.setListener((size, waits, handleNanos) -> {
      seen.add(size + " items, " + waits.length + " waits, handled " + (handleNanos >= 0));
      throw new IllegalStateException("broken listener");
    });

    // when two full batches run
    List<CompletableFuture<String>> futures = batcher.submitAll(List.of(1, 2, 3, 4));

    // then callers get their results all the same, and the listener heard of both batches first
    assertThat(futures).extracting(f -> f.orTimeout(30, TimeUnit.SECONDS).join())
        .containsExactly("v1", "v2", "v3", "v4");
    assertThat(seen).containsExactly("2 items, 2 waits, handled true", "2 items, 2 waits, handled true");
  }

  @Test
  void shouldFailWholeBatchWhenHandlerReturnsWrongNumberOfOutputs() {
    InferenceBatcher<Integer, String> batcher =
        batcher(batch -> batch.size() == 2 ? List.of("only one") : echo(batch), 2, FOREVER, 16);

    List<CompletableFuture<String>> failed = batcher.submitAll(List.of(1, 2));
    for (CompletableFuture<String> f : failed) {
      assertThat(f).failsWithin(Duration.ofSeconds(30)).withThrowableOfType(ExecutionException.class)
          .havingCause().isInstanceOf(IllegalStateException.class)
          .withMessageContaining("returned 1 outputs for 2 inputs");
    }
  }

  @Test
  void shouldRunEverythingQueuedOnCloseAndRefuseLaterItems() throws Exception {
    // given five items waiting behind a blocked batch, with a delay that never expires
    CountDownLatch handling = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    InferenceBatcher<Integer, String> batcher =
        new InferenceBatcher<>(
            "closing",
            batch -> {
              handling.countDown();
              release.await();
              return echo(batch);
            },
            2,
            FOREVER,
            16);
    CompletableFuture<String> blocked = batcher.submit(0);
    batcher.submit(0); // completes the first batch of two
    assertThat(handling.await(30, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<String>> queued = batcher.submitAll(List.of(1, 2, 3, 4, 5));

    // when closing
    Thread closer = new Thread(batcher::close, "closer");
    closer.start();
    await().atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThatThrownBy(() -> batcher.submit(9))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed"));
    release.countDown();
    closer.join(30_000);

    // then everything queued ran (the last partial batch without waiting for the delay)
    assertThat(closer.isAlive()).isFalse();
    assertThat(blocked).isCompletedWithValue("v0");
    assertThat(queued).extracting(CompletableFuture::join)
        .containsExactly("v1", "v2", "v3", "v4", "v5");
    assertThat(batches).containsExactly(List.of(0, 0), List.of(1, 2), List.of(3, 4), List.of(5));
    batcher.close(); // idempotent
  }
}
