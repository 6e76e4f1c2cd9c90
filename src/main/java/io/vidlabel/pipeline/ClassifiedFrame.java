package io.vidlabel.pipeline;

import io.vidlabel.decode.VideoFrame;
import io.vidlabel.inference.Prediction;

/**
 * A sampled frame's position in its input, what the model said about it, and the frame itself as
 * the model saw it (scaled to its input size), for review requests and thumbnails.
 */
public record ClassifiedFrame(int index, long ptsMicros, Prediction prediction, VideoFrame image) {}
