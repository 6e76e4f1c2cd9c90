package io.vidlabel.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FaultReportTest {

  @Test
  void eachPartGetsItsOwnTableWithTheUnionOfItsRowsColumnsAndFailuresStandOut() {
    Map<String, Object> crash = new LinkedHashMap<>();
    crash.put("kills survived", 10);
    crash.put("lost", 0);
    Map<String, Object> other = new LinkedHashMap<>();
    other.put("inputs", 500);
    Map<String, Object> other2 = new LinkedHashMap<>();
    other2.put("inputs", 20);
    other2.put("dead-lettered", 19);
    List<FaultRow> rows = List.of(
        new FaultRow("crash", "SIGKILL", true, crash),
        new FaultRow("fuzz", "mutated segments", true, other),
        new FaultRow("fuzz", "truncated", false, other2));

    String md = FaultReport.markdown(rows);

    assertThat(md).contains("| crash | result | kills survived | lost |\n|---|---|---:|---:|\n| SIGKILL | pass | 10 | 0 |\n");
    assertThat(md).contains("| fuzz | result | inputs | dead-lettered |\n")
        .contains("| mutated segments | pass | 500 |  |\n")
        .contains("| truncated | FAIL | 20 | 19 |\n");
    assertThat(FaultReport.allPassed(rows)).isFalse();
    assertThat(FaultReport.allPassed(rows.subList(0, 2))).isTrue();
  }

  @Test
  void aRowBecomesJsonWithItsValuesInOrderForTheJsonOption() throws Exception {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("kills survived", 10);
    values.put("lost", 0);

    String json = new ObjectMapper().writeValueAsString(new FaultRow("crash", "SIGKILL", true, values));

    assertThat(json).isEqualTo(
        "{\"part\":\"crash\",\"check\":\"SIGKILL\",\"passed\":true,\"values\":{\"kills survived\":10,\"lost\":0}}");
  }
}
