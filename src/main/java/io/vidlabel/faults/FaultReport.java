package io.vidlabel.faults;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders the fault suite's rows: one Markdown table per part, columns from the rows' values. */
public final class FaultReport {

  private FaultReport() {}

  public static String markdown(List<FaultRow> rows) {
    Map<String, List<FaultRow>> byPart = new LinkedHashMap<>();
    rows.forEach(r -> byPart.computeIfAbsent(r.part(), p -> new ArrayList<>()).add(r));
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, List<FaultRow>> e : byPart.entrySet()) {
      List<String> columns = new ArrayList<>();
      for (FaultRow r : e.getValue()) {
        r.values().keySet().stream().filter(k -> !columns.contains(k)).forEach(columns::add);
      }
      out.append("| ").append(e.getKey()).append(" | result");
      columns.forEach(c -> out.append(" | ").append(c));
      out.append(" |\n|---|---");
      columns.forEach(c -> out.append("|---:"));
      out.append("|\n");
      for (FaultRow r : e.getValue()) {
        out.append("| ").append(r.check()).append(" | ").append(r.passed() ? "pass" : "FAIL");
        columns.forEach(c -> out.append(" | ").append(r.values().getOrDefault(c, "")));
        out.append(" |\n");
      }
      out.append('\n');
    }
    return out.toString();
  }

  public static boolean allPassed(List<FaultRow> rows) {
    return rows.stream().allMatch(FaultRow::passed);
  }
}
