package io.vidlabel.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.vidlabel.finetune.FineTuneJob;
import io.vidlabel.inference.Precision;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Every setting of the service, with its default. Keys are {@code vidlabel.*}; each can also be
 * set as an environment variable ({@code VIDLABEL_KAFKA_BOOTSTRAP_SERVERS}, ...).
 */
@ConfigMapping(prefix = "vidlabel")
public interface VidlabelConfig {

  Kafka kafka();

  Topics topics();

  Streams streams();

  Model model();

  Decode decode();

  Sampling sampling();

  Batching batching();

  Finetune finetune();

  Admin admin();

  Review review();

  Dashboard dashboard();

  interface Kafka {
    /** Bootstrap servers of the Kafka cluster. Unset: `serve` refuses to start, `demo` embeds one. */
    @WithName("bootstrap-servers")
    Optional<String> bootstrapServers();

    /** Largest record the service produces or accepts (bytes); larger input is dead-lettered. */
    @WithDefault("8388608")
    int maxRecordBytes();

    /** Extra client properties passed to every Kafka client (TLS, SASL, ...), e.g. vidlabel.kafka.client."security.protocol"=SSL. */
    Map<String, String> client();
  }

  interface Topics {
    /** Input: one media segment per record, key = stream id. */
    @WithDefault("video.segments")
    String segments();

    /** Input: one JPEG or PNG per record, key = stream id. */
    @WithDefault("video.frames")
    String frames();

    /** Output: one JSON record per classified frame. */
    @WithDefault("video.classifications")
    String classifications();

    /** Output: one JSON record per segment with its smoothed label. */
    @WithDefault("video.segment-labels")
    String segmentLabels();

    /** Output: input that could not be processed, original bytes plus reason headers. */
    @WithDefault("video.dead-letters")
    String deadLetters();

    /** Input: labelled images (JSON with base64 image, or image bytes with a vidlabel.label header). */
    @WithDefault("video.feedback")
    String feedback();

    /** Output: low-confidence frames (JSON with the frame image) for people to label. */
    @WithDefault("video.review-requests")
    String reviewRequests();

    /** Compacted, key = model name: the version every classifier serves. */
    @WithDefault("video.model-updates")
    String modelUpdates();

    /** Partitions used when the service creates missing topics (demo, tests). */
    @WithDefault("3")
    int partitions();
  }

  interface Streams {
    /** Kafka Streams application id (consumer group and state-store prefix). */
    @WithDefault("vidlabel-classifier")
    String applicationId();

    /** exactly_once_v2 (default: no duplicates after a crash) or at_least_once (lower latency: no commit stalls, results visible at once; see docs/performance.md). */
    @WithDefault("exactly_once_v2")
    String processingGuarantee();

    /** Stream threads; each blocks on inference while its batch runs, so batches form across them. */
    @WithDefault("2")
    int threads();

    /** Records per poll; small so one poll's work stays far inside max.poll.interval.ms. */
    @WithDefault("4")
    int maxPollRecords();

    /** Kafka Streams state directory (the latest-labels store); keep it on a persistent volume. */
    @WithDefault("${user.home}/.vidlabel/streams")
    String stateDir();

    /** Commit interval; with exactly_once_v2 this bounds the end-to-end latency seen by read_committed readers. */
    @WithDefault("100ms")
    Duration commitInterval();

    /** host:port at which other instances reach this one's REST API (Kafka Streams application.server); unset: this host's name and the HTTP port. */
    Optional<String> applicationServer();

    /** Frame classifications kept per stream in the recent-classifications store (GET /api/streams/{id}/classifications). */
    @WithDefault("50")
    int recentClassifications();

    /** How long a REST query forwarded to the instance that owns the stream may take before it answers 503. */
    @WithDefault("2s")
    Duration forwardTimeout();

    /**
     * A record that was being processed each time the classifier process ended abruptly, this many
     * times, goes to the dead-letter topic (reason CRASHED_CLASSIFIER) instead of being decoded
     * again; 0 turns the guard off.
     */
    @WithDefault("3")
    int skipAfterCrashes();

    /**
     * Native memory, in bytes, that all RocksDB state stores of the process share (block cache with
     * their memtables charged to it); without it each store of each partition has its own cache and
     * memtables, and memory grows with the partitions.
     */
    @WithDefault("67108864")
    long rocksdbMemoryBytes();
  }

  interface Model {
    /** Model directory: SavedModel plus model.json. */
    @WithDefault("models/fashion-resnet/1")
    String path();

    /** Model store root (<store>/<name>/<version>); unset: two levels above vidlabel.model.path. */
    Optional<String> store();

    /** Follow vidlabel.topics.model-updates and hot-swap to each promoted version. */
    @WithDefault("true")
    boolean followUpdates();

    /** Labels reported per frame. */
    @WithDefault("3")
    int topK();

    /** fp32, or bf16: TensorFlow's oneDNN bfloat16 rewrite, faster for batches on CPUs with AVX512_BF16 or AMX; batches under 4 frames run on an fp32 session of the same model. */
    @WithDefault("fp32")
    Precision precision();
  }

  interface Decode {
    /** Largest accepted input record (bytes). */
    @WithDefault("33554432")
    long maxInputBytes();

    /** Widest accepted video, checked from the stream header before any frame is decoded. */
    @WithDefault("4096")
    int maxWidth();

    /** Tallest accepted video, checked like the width. */
    @WithDefault("4096")
    int maxHeight();

    /** Largest width x height. */
    @WithDefault("9437184")
    long maxPixels();

    /** Most frames decoded from one record. */
    @WithDefault("2000")
    int maxFrames();

    /** Longest media duration in one record. */
    @WithDefault("120s")
    Duration maxDuration();

    /** Wall-clock budget for decoding one record. */
    @WithDefault("30s")
    Duration maxDecodeTime();
  }

  interface Sampling {
    /** Which decoded frames are classified: all, every:N or fps:F. */
    @WithDefault("fps:5")
    String frames();
  }

  interface Batching {
    /** Largest inference batch. */
    @WithDefault("16")
    int maxBatchSize();

    /** How long the first frame of a batch may wait for more frames. */
    @WithDefault("10ms")
    Duration maxQueueDelay();

    /** Frames waiting for inference before callers block (backpressure). */
    @WithDefault("256")
    int queueCapacity();
  }

  interface Finetune {
    /** Dataset directory built from the feedback topic (images + index.json). */
    @WithDefault("${user.home}/.vidlabel/feedback")
    String dataset();

    /** Cache of the frozen prefix's outputs (model version + image hash); only the served version's are kept (about 450 MB at the default settings). */
    @WithDefault("${user.home}/.vidlabel/feature-cache")
    String cache();

    /** Share of feedback images held out for evaluation (percent, by image hash). */
    @WithDefault("20")
    int holdoutPercent();

    /**
     * Last blocks that train (with the head); 0 = the head only. Unset: the model's last stage (3
     * blocks in the default model).
     */
    OptionalInt trainBlocks();

    /** Epochs over the feedback images per fine-tuning run. */
    @WithDefault("12")
    int epochs();

    /** Peak learning rate (cosine schedule). */
    @WithDefault("0.008")
    float learningRate();

    /** Examples per step. */
    @WithDefault("32")
    int batchSize();

    /** L2 factor on the trainable kernels. */
    @WithDefault("0.0005")
    float weightDecay();

    /** Weight decay pulls the trained kernels towards the served version's values (L2-SP) instead of zero. */
    @WithDefault("false")
    boolean anchoredDecay();

    /**
     * Weight of the squared gap between the logits and the served version's logits on replay
     * examples (distillation); 0 = replay trains on its labels only.
     */
    @WithDefault("0.2")
    float distillation();

    /** Whose logits replay is distilled towards: parent (the served version) or first (the first version of its lineage in the store, so that rounds after a promotion are pulled back to the original in-domain behaviour, not to what earlier rounds left of it). */
    @WithDefault("parent")
    FineTuneJob.Teacher distillFrom();

    /** Seed of the example order. */
    @WithDefault("1")
    long seed();

    /** Also train on left-right mirrored feedback images (cached prefix outputs cannot be flipped per epoch; +1.2 points shifted accuracy on the scenario). */
    @WithDefault("true")
    boolean mirror();

    /** Fewest holdout images before a run is worth it. */
    @WithDefault("10")
    int minHoldout();

    /** Promote only if holdout top-1 improves by at least this much (0.01 = one point). */
    @WithDefault("0.01")
    double promotionMargin();

    /** In-domain examples mixed in and checked: training-data:N (N of the images the served model was trained on, as its model.json records), fashion-mnist:N, folder:PATH:N (a folder with a directory of images per label) or none. */
    @WithDefault("training-data:4000")
    String replay();

    /** Largest tolerated top-1 drop on the replay reference images (0.01 = one point). */
    @WithDefault("0.01")
    double maxReferenceDrop();

    /** Fashion-MNIST IDX files, for replay (Debian package dataset-fashion-mnist). */
    @WithDefault("/usr/share/datasets/fashion-mnist")
    String fashionMnistDir();

    /** Largest accepted feedback image (bytes). */
    @WithDefault("4194304")
    int maxImageBytes();

    /** Model versions of the served lineage the job keeps in the store (the served one and its nearest ancestors, for roll back); older ones that nothing needs are deleted after each round. Versions without a parent and versions newer than the served one are always kept; 0 keeps everything. */
    @WithDefault("10")
    int keepVersions();

    /** Most feedback training images one round trains on; with more in the dataset, a fresh random sample of this many each round. Bounds a round's time and what one round can forget (the reference set lost 0.5 points at 791 images, 0.9-1.1 at 2000). */
    @WithDefault("1000")
    int maxTrainImages();
  }

  interface Admin {
    /** How callers of the admin REST endpoints (promote, roll back, upload) authenticate: token (the API key in vidlabel.admin.token) or oidc (an access token from your identity provider, see vidlabel.admin.oidc.*). */
    @WithDefault("token")
    Auth auth();

    /** With vidlabel.admin.auth=token: the bearer token (API key) the admin endpoints require; unset: they answer 403. */
    Optional<String> token();

    /** Largest model archive the upload endpoint accepts, and the most bytes it may unpack to (see quarkus.http.limits.max-body-size). */
    @WithDefault("10485760")
    long maxUploadBytes();

    Oidc oidc();

    /** The ways a caller can prove it is an administrator. */
    enum Auth { TOKEN, OIDC }

    /** OAuth2/OIDC resource-server settings, read with vidlabel.admin.auth=oidc. */
    interface Oidc {
      /** Issuer (iss claim) of accepted access tokens, e.g. https://keycloak.example.com/realms/vidlabel; required with vidlabel.admin.auth=oidc. */
      Optional<String> issuer();

      /** The issuer's token-signing keys: its JWKS URL (e.g. .../realms/vidlabel/protocol/openid-connect/certs) or a JWKS or PEM file (no network needed); required with vidlabel.admin.auth=oidc. */
      Optional<String> publicKeyLocation();

      /** Audience (aud claim) access tokens must carry, e.g. this API's client id; unset: not checked. */
      Optional<String> audience();

      /** Claim listing the caller's roles, a JSON array or a space-separated string; a nested claim as a path, e.g. realm_access/roles (Keycloak realm roles) or roles (Entra ID app roles). */
      @WithDefault("groups")
      String rolesClaim();

      /** Role that claim must contain for the admin endpoints; a valid token without it gets 403. */
      @WithDefault("vidlabel-admin")
      String role();
    }
  }

  interface Review {
    /** Frames whose top-1 score is below this go to vidlabel.topics.review-requests; 0 turns them off. */
    @WithDefault("0.8")
    double confidenceThreshold();

    /** Most review requests per input record (segment or image), least confident frames first. */
    @WithDefault("1")
    int maxPerSegment();
  }

  interface Dashboard {
    /** Longest side (pixels) of the JPEG thumbnail in each segment-labels record; 0 leaves it out. */
    @WithDefault("96")
    int thumbnailSize();

    /** Records per topic partition the dashboard reads back when it starts (recent history). */
    @WithDefault("200")
    int history();

    /** Review requests the dashboard keeps and shows (newest first). */
    @WithDefault("50")
    int reviewQueue();
  }
}
