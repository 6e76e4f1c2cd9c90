/**
 * Training, evaluation and export of the project's own ResNets on Fashion-MNIST.
 *
 * <p>Everything runs on the TensorFlow Java core API that ships inside DJL's {@code
 * tensorflow-api} jar (graph, session, gradients), because DJL's TensorFlow engine cannot train
 * (DESIGN.md, point 1). Call {@link io.vidlabel.training.TensorFlowRuntime#ensureLoaded()} before
 * touching {@code org.tensorflow.*}.
 *
 * <ul>
 *   <li>{@link io.vidlabel.training.resnet.ResNetSpec} and {@link
 *       io.vidlabel.training.resnet.ResNetBuilder}: the network, with per-block freezing and named
 *       feature taps (fine-tuning builds on these).
 *   <li>{@link io.vidlabel.training.Trainer}: SGD + momentum, schedules, checkpoints, evaluation.
 *   <li>{@link io.vidlabel.training.ModelExporter}: SavedModel ({@code serving_default}, {@code
 *       features}) plus {@code model.json}.
 *   <li>{@link io.vidlabel.training.cli.TrainCommand} ({@code train}) and {@link
 *       io.vidlabel.training.cli.EvaluateCommand} ({@code evaluate}).
 * </ul>
 *
 * <p>Run layout of {@code train --out DIR}: {@code DIR/checkpoints/ckpt.*} + {@code state.json}
 * (resume with {@code --resume}), {@code DIR/metrics.json}, {@code DIR/confusion.txt}, {@code
 * DIR/confusion.svg}, {@code DIR/model/} (saved_model.pb, variables/, model.json), ready to copy
 * into the model store as {@code <store>/<name>/<version>/}.
 */
package io.vidlabel.training;
