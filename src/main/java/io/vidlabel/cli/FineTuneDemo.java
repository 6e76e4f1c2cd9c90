package io.vidlabel.cli;

import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.feedback.Feedback;
import io.vidlabel.feedback.FeedbackSender;
import io.vidlabel.finetune.FineTuneJob;
import io.vidlabel.finetune.ShiftedVideo.Look;
import io.vidlabel.finetune.ShiftedVideo;
import io.vidlabel.ingest.FashionSampleVideo;
import io.vidlabel.ingest.SegmentCutter;
import io.vidlabel.kafka.KafkaClients;
import io.vidlabel.lifecycle.ModelFollower;
import io.vidlabel.model.ModelStore;
import io.vidlabel.service.ClassifierService;
import io.vidlabel.training.FashionMnist;
import io.vidlabel.training.ImageSet;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The demo's second act ({@code demo --finetune}): a second camera shows the sample's items washed
 * out (low contrast), which the model mostly gets wrong; people label frames of that camera; one
 * fine-tuning round runs in this process; the classifier swaps to the promoted version while the
 * camera keeps sending, and the same items come out right.
 */
final class FineTuneDemo {

  static final String STREAM = "demo-camera-washed-out";

  /** Labelled washed-out frames: test images never shown by either camera. */
  private static final int FEEDBACK_FROM = 1000;
  private static final int FEEDBACK_IMAGES = 300;
  private static final Duration SWAP_TIMEOUT = Duration.ofMinutes(2);

  private final VidlabelConfig config;
  private final ClassifierService service;
  private final String servers;
  private final ModelStore store;
  private final Path work;

  FineTuneDemo(VidlabelConfig config, ClassifierService service, String servers, ModelStore store, Path work) {
    this.config = config;
    this.service = service;
    this.servers = servers;
    this.store = store;
    this.work = work;
  }

  /** The sample's items, washed out: the second camera's video. */
  Path renderCamera(List<FashionSampleVideo.Item> items) throws IOException {
    Path video = work.resolve("washed-out.ts");
    int[] indices = items.stream().mapToInt(FashionSampleVideo.Item::testIndex).toArray();
    ShiftedVideo.write(video, test(), indices, Look.LOW_CONTRAST, FashionSampleVideo.SCALE,
        FashionSampleVideo.FRAMES_PER_ITEM);
    return video;
  }

  void publishCamera(Path video) throws Exception {
    PublishCommand.publish(config, servers, video, STREAM, new SegmentCutter.Options(2.0, 720, 0), false);
  }

  /** Labelled washed-out frames to video.feedback, as a labelling tool would send them. */
  void sendFeedback() throws IOException {
    ImageSet test = test();
    try (FeedbackSender sender =
        new FeedbackSender(KafkaClients.producer(config, servers), config.topics().feedback())) {
      for (int i = FEEDBACK_FROM; i < FEEDBACK_FROM + FEEDBACK_IMAGES; i++) {
        sender.send(new Feedback(FashionMnist.LABELS.get(test.label(i)),
            ShiftedVideo.png(test, i, Look.LOW_CONTRAST, FashionSampleVideo.SCALE), STREAM, "demo"));
      }
    }
    System.err.printf(Locale.ROOT,
        "demo: %d labelled washed-out frames sent to %s (what people reviewing %s would send)%n",
        FEEDBACK_IMAGES, config.topics().feedback(), STREAM);
  }

  /** One fine-tuning round in this process; returns the promoted version or null. */
  String fineTune() {
    FineTuneJob.Settings settings = FineTuneJob.settings(config)
        .withDirectories(store, work.resolve("dataset"), work.resolve("cache"));
    FineTuneJob.Outcome outcome =
        new FineTuneJob(settings, KafkaClients.common(servers, config.kafka().client())).runOnce(System.err);
    System.err.println("demo: " + outcome.decision());
    return outcome.promotedVersion();
  }

  /** Waits until the classifier serves {@code version}. */
  void awaitServing(String version) throws InterruptedException {
    long deadline = System.nanoTime() + SWAP_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      ModelFollower.Status status = service.follower().map(ModelFollower::status).orElse(null);
      if (status != null && status.version().equals(version)) {
        System.err.printf("demo: the classifier now serves %s/%s; %s sends its items again%n",
            status.name(), status.version(), STREAM);
        return;
      }
      Thread.sleep(200); // the follower swaps on its own thread; nothing to await on
    }
    throw new IllegalStateException("the classifier did not swap to version " + version + " in " + SWAP_TIMEOUT);
  }

  /** Fashion-MNIST's test images; the loader's error names the Debian package if they are missing. */
  private ImageSet test() throws IOException {
    return FashionMnist.load(Path.of(config.finetune().fashionMnistDir()), FashionMnist.Split.TEST, 0);
  }
}
