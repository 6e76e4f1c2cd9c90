package io.vidlabel.pipeline;

import io.vidlabel.inference.Prediction;

/** A sampled frame's position in its input and what the model said about it. */
public record ClassifiedFrame(int index, long ptsMicros, Prediction prediction) {}
