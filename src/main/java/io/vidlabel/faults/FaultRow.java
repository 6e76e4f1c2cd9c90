package io.vidlabel.faults;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of the fault suite's report: which part ran which check, whether it held, and the
 * numbers behind the verdict (in insertion order, they become the table's columns).
 */
public record FaultRow(String part, String check, boolean passed, Map<String, Object> values) {

  public FaultRow {
    values = new LinkedHashMap<>(values);
  }
}
