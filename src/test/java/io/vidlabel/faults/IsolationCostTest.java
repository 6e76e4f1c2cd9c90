package io.vidlabel.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.vidlabel.ingest.SampleVideo;
import io.vidlabel.ingest.Segment;
import io.vidlabel.ingest.SegmentCutter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The isolation measurement runs end to end; numbers are reported, not asserted (shared machine). */
class IsolationCostTest {

  @TempDir Path tmp;

  @Test
  void measuresInProcessWorkerAndFreshJvmDecodingOfTheSameSegment() throws Exception {
    Path video = tmp.resolve("v.ts");
    SampleVideo.write(video, 160, 120, 1.0);
    List<Segment> segments = new ArrayList<>();
    new SegmentCutter(new SegmentCutter.Options(2.0, 0, 0)).cut(video, segments::add);

    IsolationCost.Row row = IsolationCost.measure("160x120", segments.get(0).bytes(), 2);
    System.out.print(new IsolationCost.Report(List.of(row), 2).table());

    // 2 s at 25 fps sampled at 5 fps: 10 frames of 224x224 come back from the worker
    assertThat(row.framesReturned()).isEqualTo(10);
    assertThat(row.inProcessMs()).isPositive();
    assertThat(row.workerMs()).isPositive();
    assertThat(row.freshJvmMs()).isPositive();
  }
}
