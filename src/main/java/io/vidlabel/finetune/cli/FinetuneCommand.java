package io.vidlabel.finetune.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.Unremovable;
import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.finetune.FineTuneJob;
import io.vidlabel.finetune.FineTuner;
import io.vidlabel.finetune.RoundSchedule;
import io.vidlabel.kafka.KafkaClients;
import io.vidlabel.kafka.TopicSetup;
import io.vidlabel.topology.TopicNames;
import jakarta.enterprise.context.Dependent;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs fine-tuning rounds: once (for a Kubernetes Job or cron), or in a loop that starts a round
 * whenever enough new feedback has arrived.
 */
@Dependent
@Unremovable
@Command(
    name = "finetune",
    description = "Fine-tune the served model on video.feedback and promote it if it is better.")
public class FinetuneCommand implements Callable<Integer> {

  @Option(names = "--bootstrap-servers", paramLabel = "HOSTS", description = "Default: vidlabel.kafka.bootstrap-servers.")
  String bootstrapServers;

  @Option(names = "--train-blocks", paramLabel = "K", description = "Last blocks to train with the head; 0 = the head only (default: vidlabel.finetune.train-blocks,"
      + " or the model's last stage).")
  Integer trainBlocks;

  @Option(names = "--epochs", description = "Default: vidlabel.finetune.epochs.")
  Integer epochs;

  @Option(names = "--lr", description = "Peak learning rate (default: vidlabel.finetune.learning-rate).")
  Float learningRate;

  @Option(names = "--margin", description = "Holdout gain needed to promote, 0.01 = one point (default: vidlabel.finetune.promotion-margin).")
  Double margin;

  @Option(names = "--loop", description = "Keep running (metrics on the HTTP port): a round whenever --every new labels have arrived.")
  boolean loop;

  @Option(names = "--every", defaultValue = "100", description = "With --loop: new feedback records that start a round (default: ${DEFAULT-VALUE}).")
  int every;

  @Option(names = "--poll", defaultValue = "PT30S", description = "With --loop: how often to look for new feedback, ISO-8601 (default: ${DEFAULT-VALUE}).")
  Duration poll;

  @Option(names = "--rebuild", description = "Delete the feedback dataset first and read it again from the start of the topic.")
  boolean rebuild;

  @Option(names = "--json", description = "Print each round's outcome as JSON on stdout.")
  boolean json;

  private final VidlabelConfig config;
  private final MeterRegistry registry;

  public FinetuneCommand(VidlabelConfig config, MeterRegistry registry) {
    this.config = config;
    this.registry = registry;
  }

  @Override
  public Integer call() throws Exception {
    String servers = bootstrapServers != null ? bootstrapServers : config.kafka().bootstrapServers().orElse(null);
    if (servers == null) {
      System.err.println("finetune: no Kafka cluster: pass --bootstrap-servers or set vidlabel.kafka.bootstrap-servers");
      return 2;
    }
    Properties client = KafkaClients.common(servers, config.kafka().client());
    try {
      TopicSetup.ensureTopics(client, TopicNames.from(config.topics()), config.topics().partitions(),
          config.kafka().maxRecordBytes());
    } catch (RuntimeException e) {
      System.err.println("finetune: cannot set up the topics on " + servers + ": " + e.getMessage());
      return 1;
    }
    FineTuneJob.Settings settings = FineTuneJob.settings(config);
    FineTuner.Settings t = settings.training();
    settings = settings.withTraining(
        new FineTuner.Settings(
            trainBlocks != null ? trainBlocks : t.trainBlocks(),
            epochs != null ? epochs : t.epochs(),
            t.batchSize(),
            learningRate != null ? learningRate : t.learningRate(),
            t.weightDecay(),
            t.anchored(),
            t.distillation(),
            t.seed()),
        margin != null ? margin : settings.promotionMargin());
    FineTuneJob job = new FineTuneJob(settings, client, registry);
    if (!loop) {
      FineTuneJob.Outcome outcome = job.runOnce(System.err, rebuild);
      print(outcome);
      return outcome.verdict() == FineTuneJob.Verdict.FAILED ? 1 : 0;
    }
    FeedbackWatcher watcher = new FeedbackWatcher(client, settings.topics().feedback());
    RoundSchedule schedule = new RoundSchedule(every, poll);
    boolean firstRound = true;
    while (!Thread.currentThread().isInterrupted()) {
      long total;
      try {
        total = watcher.recordsOnTopic();
      } catch (RuntimeException e) {
        System.err.println("finetune: cannot read the size of " + settings.topics().feedback() + ", trying again in "
            + poll + ": " + e.getMessage());
        Thread.sleep(poll.toMillis());
        continue;
      }
      if (schedule.due(total, System.currentTimeMillis())) {
        FineTuneJob.Outcome outcome = job.runOnce(System.err, rebuild && firstRound);
        firstRound = false;
        schedule.finished(outcome.verdict(), total, System.currentTimeMillis());
        print(outcome);
      }
      Thread.sleep(poll.toMillis()); // polling the topic's end offsets; there is nothing to await
    }
    return 0;
  }

  private void print(FineTuneJob.Outcome outcome) throws Exception {
    if (json) {
      System.out.println(new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(outcome));
    }
  }
}
