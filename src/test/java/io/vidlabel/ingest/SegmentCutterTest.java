package io.vidlabel.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vidlabel.decode.DecodeLimits;
import io.vidlabel.decode.DecodedVideo;
import io.vidlabel.decode.FrameSampler;
import io.vidlabel.decode.FrameSize;
import io.vidlabel.decode.VideoDecoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.bytedeco.javacv.FrameRecorder;
import org.junit.jupiter.api.io.TempDir;

class SegmentCutterTest {

  private final VideoDecoder decoder = new VideoDecoder(DecodeLimits.defaults());

  @Test
  void cutsTheSampleVideoIntoSelfContainedSegmentsWithoutLosingFrames(@TempDir Path dir) throws Exception {
    // given 6 scenes of 1 s at 25 fps
    Path video = dir.resolve("sample.ts");
    SampleVideo.write(video, 1.0);

    // when cut into 2 s segments
    List<Segment> segments = new ArrayList<>();
    new SegmentCutter(new SegmentCutter.Options(2.0, 0, 0)).cut(video, segments::add);

    // then 3 segments in sequence, each decodable on its own, 150 frames in all
    assertThat(segments).extracting(Segment::seq).containsExactly(0L, 1L, 2L);
    int decoded = 0;
    for (Segment s : segments) {
      DecodedVideo v = decoder.decode(s.bytes(), FrameSampler.all(), FrameSize.NATIVE);
      assertThat(v.framesDecoded()).isEqualTo(s.frames());
      assertThat(v.format()).contains("mpegts");
      decoded += v.framesDecoded();
    }
    assertThat(decoded).isEqualTo(150);
    assertThat(segments.get(1).startMicros()).isBetween(1_900_000L, 2_100_000L);
  }

  @Test
  void downscalesToTheMaximumHeightKeepingTheAspectRatio(@TempDir Path dir) throws Exception {
    Path video = dir.resolve("sample.ts");
    SampleVideo.write(video, 0.4);

    List<Segment> segments = new ArrayList<>();
    new SegmentCutter(new SegmentCutter.Options(10, 120, 0)).cut(video, segments::add);

    DecodedVideo v = decoder.decode(segments.get(0).bytes(), FrameSampler.all(), FrameSize.NATIVE);
    assertThat(v.sourceWidth()).isEqualTo(160);
    assertThat(v.sourceHeight()).isEqualTo(120);
  }

  @Test
  void splitsSegmentsOverTheRecordLimitIntoShorterOnesWithoutLosingFrames(@TempDir Path dir) throws Exception {
    // given the sample cut into 2 s segments without a limit
    Path video = dir.resolve("sample.ts");
    SampleVideo.write(video, 1.0);
    List<Segment> whole = new ArrayList<>();
    new SegmentCutter(new SegmentCutter.Options(2.0, 0, 0)).cut(video, whole::add);
    int largest = whole.stream().mapToInt(s -> s.bytes().length).max().orElseThrow();

    // when cut again with a limit a third of the largest segment
    int limit = largest / 3;
    List<Segment> segments = new ArrayList<>();
    new SegmentCutter(new SegmentCutter.Options(2.0, 0, 0), limit).cut(video, segments::add);

    // then every segment fits, they are numbered in order, start in order, and hold every frame
    assertThat(segments).hasSizeGreaterThan(whole.size());
    assertThat(segments).allSatisfy(s -> assertThat(s.bytes().length).isLessThanOrEqualTo(limit));
    assertThat(segments).extracting(Segment::seq)
        .containsExactlyElementsOf(java.util.stream.LongStream.range(0, segments.size()).boxed().toList());
    assertThat(segments).extracting(Segment::startMicros).isSorted();
    int decoded = 0;
    for (Segment s : segments) {
      DecodedVideo v = decoder.decode(s.bytes(), FrameSampler.all(), FrameSize.NATIVE);
      assertThat(v.framesDecoded()).isEqualTo(s.frames());
      decoded += v.framesDecoded();
    }
    assertThat(decoded).isEqualTo(150);
  }

  @Test
  void failsClearlyWhenOneFrameAloneIsOverTheRecordLimit(@TempDir Path dir) throws Exception {
    Path video = dir.resolve("sample.ts");
    SampleVideo.write(video, 0.2);

    assertThatThrownBy(() -> new SegmentCutter(new SegmentCutter.Options(2.0, 0, 0), 300).cut(video, s -> { }))
        .isInstanceOf(FrameRecorder.Exception.class)
        .hasMessageContaining("over the 300-byte record limit; lower --max-height");
  }
}
