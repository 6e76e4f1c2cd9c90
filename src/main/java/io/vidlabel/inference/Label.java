package io.vidlabel.inference;

/** One class and its score (a probability in 0..1). */
public record Label(String name, float score) {}
