package io.vidlabel.training;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Classification results: top-1, per-class accuracy and the confusion matrix. */
public final class Evaluation {

  private final List<String> labels;
  /** confusion[truth][predicted] */
  private final long[][] confusion;

  public Evaluation(List<String> labels) {
    this.labels = List.copyOf(labels);
    this.confusion = new long[labels.size()][labels.size()];
  }

  public void add(int truth, int predicted) {
    confusion[truth][predicted]++;
  }

  /** Adds a batch: the arg-max of each row of {@code scores} ([n, classes]) against its label. */
  public void addBatch(float[] scores, int[] truth, int n) {
    int classes = labels.size();
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int c = 1; c < classes; c++) {
        if (scores[i * classes + c] > scores[i * classes + best]) {
          best = c;
        }
      }
      add(truth[i], best);
    }
  }

  public List<String> labels() {
    return labels;
  }

  public long count(int truth, int predicted) {
    return confusion[truth][predicted];
  }

  public long total() {
    long n = 0;
    for (long[] row : confusion) {
      for (long v : row) {
        n += v;
      }
    }
    return n;
  }

  public double top1() {
    long correct = 0;
    for (int i = 0; i < confusion.length; i++) {
      correct += confusion[i][i];
    }
    long n = total();
    return n == 0 ? 0 : (double) correct / n;
  }

  /** Recall of each class; NaN for a class without examples. */
  public double[] perClassAccuracy() {
    double[] out = new double[labels.size()];
    for (int i = 0; i < out.length; i++) {
      long row = 0;
      for (long v : confusion[i]) {
        row += v;
      }
      out[i] = row == 0 ? Double.NaN : (double) confusion[i][i] / row;
    }
    return out;
  }

  /** Metrics as JSON-ready maps: {@code images}, {@code top1}, {@code perClass}, {@code confusion}. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("images", total());
    m.put("top1", top1());
    Map<String, Object> perClass = new LinkedHashMap<>();
    double[] acc = perClassAccuracy();
    for (int i = 0; i < acc.length; i++) {
      perClass.put(labels.get(i), Double.isNaN(acc[i]) ? null : acc[i]);
    }
    m.put("perClass", perClass);
    List<List<Long>> rows = new ArrayList<>();
    for (long[] row : confusion) {
      List<Long> r = new ArrayList<>();
      for (long v : row) {
        r.add(v);
      }
      rows.add(r);
    }
    m.put("confusion", rows);
    return m;
  }

  /** A fixed-width table: rows are true classes, columns predictions, then per-class accuracy. */
  public String confusionText() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "top-1 %.2f%% over %d images%n", 100 * top1(), total()));
    sb.append(String.format(Locale.ROOT, "%-12s", "true\\pred"));
    for (int c = 0; c < labels.size(); c++) {
      sb.append(String.format(Locale.ROOT, "%6d", c));
    }
    sb.append("   acc\n");
    double[] acc = perClassAccuracy();
    for (int t = 0; t < labels.size(); t++) {
      String name = labels.get(t);
      sb.append(String.format(Locale.ROOT, "%-12s", t + " " + (name.length() > 9 ? name.substring(0, 9) : name)));
      for (int p = 0; p < labels.size(); p++) {
        sb.append(String.format(Locale.ROOT, "%6d", confusion[t][p]));
      }
      sb.append(String.format(Locale.ROOT, "  %5.1f%%%n", 100 * acc[t]));
    }
    return sb.toString();
  }

  /** The confusion matrix as a standalone SVG heat map (row-normalised shading, counts printed). */
  public String confusionSvg() {
    int n = labels.size();
    int cell = 44;
    int left = 110;
    int top = 110;
    int width = left + n * cell + 80;
    int height = top + n * cell + 20;
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n",
        width, height));
    sb.append(String.format(Locale.ROOT,
        "<text x=\"%d\" y=\"18\" font-size=\"14\">Confusion matrix: top-1 %.2f%% over %d images (rows: true, columns: predicted)</text>%n",
        8, 100 * top1(), total()));
    double[] acc = perClassAccuracy();
    for (int i = 0; i < n; i++) {
      String name = escape(labels.get(i));
      sb.append(String.format(Locale.ROOT,
          "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n", left - 6, top + i * cell + cell / 2 + 4, name));
      int cx = left + i * cell + cell / 2;
      sb.append(String.format(Locale.ROOT,
          "<text x=\"%d\" y=\"%d\" transform=\"rotate(-45 %d %d)\">%s</text>%n", cx, top - 8, cx, top - 8, name));
      sb.append(String.format(Locale.ROOT,
          "<text x=\"%d\" y=\"%d\">%.1f%%</text>%n", left + n * cell + 6, top + i * cell + cell / 2 + 4, 100 * acc[i]));
    }
    for (int t = 0; t < n; t++) {
      long row = 0;
      for (long v : confusion[t]) {
        row += v;
      }
      for (int p = 0; p < n; p++) {
        double share = row == 0 ? 0 : (double) confusion[t][p] / row;
        int shade = (int) Math.round(255 * (1 - share));
        String fill = t == p
            ? String.format(Locale.ROOT, "rgb(%d,%d,255)", shade, shade)
            : String.format(Locale.ROOT, "rgb(255,%d,%d)", shade, shade);
        int x = left + p * cell;
        int y = top + t * cell;
        sb.append(String.format(Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"#ccc\"/>%n", x, y, cell, cell, fill));
        sb.append(String.format(Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\">%d</text>%n",
            x + cell / 2, y + cell / 2 + 4, share > 0.6 ? "#fff" : "#000", confusion[t][p]));
      }
    }
    sb.append("</svg>\n");
    return sb.toString();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
