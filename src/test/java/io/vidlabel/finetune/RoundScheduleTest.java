package io.vidlabel.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vidlabel.finetune.FineTuneJob.Verdict;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RoundScheduleTest {

  private static final Duration POLL = Duration.ofSeconds(30);

  @Test
  void startsAtOnceThenWaitsForEveryNewRecords() {
    RoundSchedule schedule = new RoundSchedule(100, POLL);
    assertThat(schedule.due(0, 0)).isTrue();

    schedule.finished(Verdict.PROMOTED, 250, 1_000);

    assertThat(schedule.due(250, 2_000)).isFalse();
    assertThat(schedule.due(349, 2_000)).isFalse();
    assertThat(schedule.due(350, 2_000)).isTrue();
  }

  @Test
  void aRoundThatKeptTheModelOrHadTooLittleFeedbackAlsoWaitsForNewRecords() {
    for (Verdict v : new Verdict[] {Verdict.KEPT, Verdict.SKIPPED}) {
      RoundSchedule schedule = new RoundSchedule(100, POLL);
      schedule.finished(v, 40, 0);
      assertThat(schedule.due(139, 60_000)).as(v.name()).isFalse();
      assertThat(schedule.due(140, 60_000)).as(v.name()).isTrue();
    }
  }

  @Test
  void aSupersededRoundIsFollowedAtOnceByOneOnTheNewVersion() {
    RoundSchedule schedule = new RoundSchedule(100, POLL);
    schedule.finished(Verdict.SUPERSEDED, 300, 5_000);
    assertThat(schedule.due(300, 5_000)).isTrue();
  }

  @Test
  void failedRoundsAreRetriedWithoutNewRecordsAfterABackoffThatDoublesUpToTenMinutes() {
    RoundSchedule schedule = new RoundSchedule(100, POLL);
    long now = 0;
    long[] expectedPausesS = {30, 60, 120, 240, 480, 600, 600};
    for (long pause : expectedPausesS) {
      schedule.finished(Verdict.FAILED, 300, now);
      assertThat(schedule.due(300, now + pause * 1000 - 1)).as("before %d s", pause).isFalse();
      assertThat(schedule.due(300, now + pause * 1000)).as("at %d s", pause).isTrue();
      now += pause * 1000;
    }

    // and one round that runs to a decision resets both the backoff and the record count
    schedule.finished(Verdict.KEPT, 300, now);
    assertThat(schedule.due(300, now + 3_600_000)).isFalse();
    schedule.finished(Verdict.FAILED, 300, now);
    assertThat(schedule.due(300, now + 30_000)).isTrue();
  }

  @Test
  void refusesAnEveryBelowOne() {
    assertThatThrownBy(() -> new RoundSchedule(0, POLL)).hasMessageContaining("--every");
  }
}
