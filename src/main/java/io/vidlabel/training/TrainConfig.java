package io.vidlabel.training;

import io.vidlabel.training.resnet.ResNetSpec;
import java.nio.file.Path;

/**
 * Everything a training run needs. Build with {@link #builder(ResNetSpec, Path)}. Defaults: SGD
 * with Nesterov momentum 0.9, batch 128, peak rate 0.1 after one warm-up epoch, cosine decay,
 * weight decay 5e-4 (He et al. 2015 used 1e-4 with a step schedule on CIFAR; 5e-4 is the common
 * choice for these small networks), random crop with 4 px padding and flips, 30 epochs.
 *
 * @param spec network to train
 * @param dataDir directory with the Fashion-MNIST IDX files, read by {@link Trainer#train(java.io.PrintStream)}
 * @param outDir run directory: {@code checkpoints/} lives here
 * @param epochs passes over the training images
 * @param batchSize images per step; the last partial batch of an epoch is dropped
 * @param learningRate peak learning rate
 * @param momentum SGD momentum
 * @param nesterov Nesterov momentum
 * @param weightDecay L2 factor on conv and dense kernels (not on batch norm or biases)
 * @param schedule cosine or step (x0.1 at 50% and 75% of the run)
 * @param warmupEpochs linear warm-up from 0 to the peak rate, in epochs (fractions allowed)
 * @param seed fixes initial weights, shuffling and augmentation
 * @param limit train on the first {@code limit} images only; 0 = all
 * @param resume continue from the last checkpoint in {@code outDir} if there is one
 * @param cropPadding random-crop padding in pixels; 0 = no cropping
 * @param flip random horizontal flips
 * @param erasing random-erasing probability; 0 = off
 * @param checkpointEvery save a checkpoint every this many epochs (and always after the last)
 * @param normalisation per-channel mean and std of the training images (Fashion-MNIST's by default)
 */
public record TrainConfig(
    ResNetSpec spec,
    Path dataDir,
    Path outDir,
    int epochs,
    int batchSize,
    float learningRate,
    float momentum,
    boolean nesterov,
    float weightDecay,
    Schedule schedule,
    float warmupEpochs,
    long seed,
    int limit,
    boolean resume,
    int cropPadding,
    boolean flip,
    float erasing,
    int checkpointEvery,
    Normalisation normalisation) {

  /** Learning-rate schedule after warm-up. */
  public enum Schedule {
    COSINE,
    STEP
  }

  public TrainConfig {
    if (epochs < 1 || batchSize < 1 || checkpointEvery < 1) {
      throw new IllegalArgumentException("epochs, batch size and checkpoint interval must be positive");
    }
    if (learningRate <= 0 || momentum < 0 || momentum >= 1 || weightDecay < 0 || warmupEpochs < 0) {
      throw new IllegalArgumentException("invalid optimiser settings");
    }
    if (erasing < 0 || erasing > 1) {
      throw new IllegalArgumentException("erasing probability must be in [0, 1]");
    }
  }

  /** Learning rate at {@code step} (0-based) of a run with {@code totalSteps} steps. */
  public float learningRateAt(long step, long totalSteps, long stepsPerEpoch) {
    long warmup = Math.round(warmupEpochs * stepsPerEpoch);
    if (step < warmup) {
      return learningRate * (step + 1) / warmup;
    }
    double progress = totalSteps <= warmup ? 1 : (double) (step - warmup) / (totalSteps - warmup);
    return switch (schedule) {
      case COSINE -> (float) (0.5 * learningRate * (1 + Math.cos(Math.PI * progress)));
      case STEP -> learningRate * (progress < 0.5 ? 1f : progress < 0.75 ? 0.1f : 0.01f);
    };
  }

  public static Builder builder(ResNetSpec spec, Path outDir) {
    return new Builder(spec, outDir);
  }

  /** Fluent builder with the defaults documented on the record. */
  public static final class Builder {
    private final ResNetSpec spec;
    private final Path outDir;
    private Path dataDir = FashionMnist.DEFAULT_DIR;
    private int epochs = 30;
    private int batchSize = 128;
    private float learningRate = 0.1f;
    private float momentum = 0.9f;
    private boolean nesterov = true;
    private float weightDecay = 5e-4f;
    private Schedule schedule = Schedule.COSINE;
    private float warmupEpochs = 1f;
    private long seed = 1L;
    private int limit;
    private boolean resume;
    private int cropPadding = 4;
    private boolean flip = true;
    private float erasing;
    private int checkpointEvery = 1;
    private Normalisation normalisation = Normalisation.FASHION_MNIST;

    private Builder(ResNetSpec spec, Path outDir) {
      this.spec = spec;
      this.outDir = outDir;
    }

    public Builder dataDir(Path v) { this.dataDir = v; return this; }
    public Builder epochs(int v) { this.epochs = v; return this; }
    public Builder batchSize(int v) { this.batchSize = v; return this; }
    public Builder learningRate(float v) { this.learningRate = v; return this; }
    public Builder momentum(float v) { this.momentum = v; return this; }
    public Builder nesterov(boolean v) { this.nesterov = v; return this; }
    public Builder weightDecay(float v) { this.weightDecay = v; return this; }
    public Builder schedule(Schedule v) { this.schedule = v; return this; }
    public Builder warmupEpochs(float v) { this.warmupEpochs = v; return this; }
    public Builder seed(long v) { this.seed = v; return this; }
    public Builder limit(int v) { this.limit = v; return this; }
    public Builder resume(boolean v) { this.resume = v; return this; }
    public Builder cropPadding(int v) { this.cropPadding = v; return this; }
    public Builder flip(boolean v) { this.flip = v; return this; }
    public Builder erasing(float v) { this.erasing = v; return this; }
    public Builder checkpointEvery(int v) { this.checkpointEvery = v; return this; }
    public Builder normalisation(Normalisation v) { this.normalisation = v; return this; }

    public TrainConfig build() {
      return new TrainConfig(spec, dataDir, outDir, epochs, batchSize, learningRate, momentum, nesterov,
          weightDecay, schedule, warmupEpochs, seed, limit, resume, cropPadding, flip, erasing, checkpointEvery,
          normalisation);
    }
  }
}
