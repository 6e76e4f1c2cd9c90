package io.vidlabel.finetune;

import io.vidlabel.finetune.FineTuneJob.Verdict;
import java.time.Duration;

/**
 * When {@code finetune --loop} starts its next round. The first round starts at once; after a
 * round that ran to a decision the next waits for {@code every} new feedback records. A round
 * that was superseded (the served version changed while it trained) is followed at once by one on
 * the new version, since the labels it used were never tried there. A failed round is retried
 * without waiting for labels, after a pause that doubles with each failure in a row up to {@link
 * #MAX_BACKOFF}, so a broker that is down for a minute costs a minute, and a broken store does
 * not start a round every poll.
 *
 * <p>Not thread-safe; the loop owns it.
 */
public final class RoundSchedule {

  /** Longest pause after failed rounds. */
  public static final Duration MAX_BACKOFF = Duration.ofMinutes(10);

  private final long every;
  private final Duration firstBackoff;
  private long recordsAtLastRound = -1;
  private int failuresInARow;
  private long notBeforeMs = Long.MIN_VALUE;

  /**
   * @param every new feedback records that start a round
   * @param firstBackoff pause after the first failure (the loop's poll interval)
   */
  public RoundSchedule(long every, Duration firstBackoff) {
    if (every < 1) {
      throw new IllegalArgumentException("--every must be at least 1, not " + every);
    }
    this.every = every;
    this.firstBackoff = firstBackoff;
  }

  /** Whether a round should start now, with {@code recordsOnTopic} feedback records so far. */
  public boolean due(long recordsOnTopic, long nowMs) {
    if (nowMs < notBeforeMs) {
      return false;
    }
    return recordsAtLastRound < 0 || recordsOnTopic - recordsAtLastRound >= every;
  }

  /**
   * Records how a round ended.
   *
   * @param recordsOnTopic feedback records on the topic when the round started
   */
  public void finished(Verdict verdict, long recordsOnTopic, long nowMs) {
    switch (verdict) {
      case FAILED -> {
        failuresInARow++;
        recordsAtLastRound = -1;
        notBeforeMs = nowMs + backoff().toMillis();
      }
      case SUPERSEDED -> {
        failuresInARow = 0;
        recordsAtLastRound = -1;
        notBeforeMs = Long.MIN_VALUE;
      }
      case SKIPPED, KEPT, PROMOTED -> {
        failuresInARow = 0;
        recordsAtLastRound = recordsOnTopic;
        notBeforeMs = Long.MIN_VALUE;
      }
    }
  }

  /** The pause before the next try after the failures so far in a row. */
  Duration backoff() {
    Duration pause = firstBackoff;
    for (int i = 1; i < failuresInARow && pause.compareTo(MAX_BACKOFF) < 0; i++) {
      pause = pause.multipliedBy(2);
    }
    return pause.compareTo(MAX_BACKOFF) < 0 ? pause : MAX_BACKOFF;
  }
}
