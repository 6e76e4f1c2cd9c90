package io.vidlabel.pipeline;

import io.vidlabel.inference.Label;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything learnt from one input record: the decode summary and one result per sampled frame. */
public record ClassifiedInput(int framesDecoded, List<ClassifiedFrame> frames) {

  /**
   * The temporally smoothed label distribution: each label's score averaged over the sampled frames,
   * best first. Averaging probabilities (not votes) keeps one confident frame from outvoting many
   * uncertain ones and is what the segment-labels topic reports.
   */
  public List<Label> meanScores() {
    Map<String, Double> sums = new LinkedHashMap<>();
    for (ClassifiedFrame frame : frames) {
      for (Label label : frame.prediction().ranked()) {
        sums.merge(label.name(), (double) label.score(), Double::sum);
      }
    }
    List<Label> mean = new ArrayList<>(sums.size());
    sums.forEach((name, sum) -> mean.add(new Label(name, (float) (sum / frames.size()))));
    mean.sort(Comparator.comparingDouble(Label::score).reversed());
    return mean;
  }
}
