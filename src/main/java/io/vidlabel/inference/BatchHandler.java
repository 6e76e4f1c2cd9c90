package io.vidlabel.inference;

import java.util.List;

/**
 * Processes one batch on the {@link InferenceBatcher}'s owner thread.
 *
 * @param <I> input type
 * @param <O> output type
 */
@FunctionalInterface
public interface BatchHandler<I, O> {

  /**
   * @param batch one or more inputs, in submission order
   * @return exactly one output per input, in the same order
   * @throws Exception fails every caller of this batch with this exception as the cause
   */
  List<O> handle(List<I> batch) throws Exception;

  /**
   * Checks one item on the submitting thread, before it is queued, so that one caller's bad input
   * fails only that caller instead of the whole batch it would have joined.
   *
   * @throws IllegalArgumentException if the item can never be handled
   */
  default void validate(I item) {}
}
