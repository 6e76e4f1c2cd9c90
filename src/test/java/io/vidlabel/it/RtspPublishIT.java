package io.vidlabel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.vidlabel.decode.DecodeLimits;
import io.vidlabel.decode.FrameSampler;
import io.vidlabel.decode.FrameSize;
import io.vidlabel.decode.VideoDecoder;
import io.vidlabel.ingest.FashionSampleVideo;
import io.vidlabel.ingest.SegmentEncoding;
import io.vidlabel.ingest.SegmentPublisher;
import io.vidlabel.ingest.SourceOptions;
import io.vidlabel.ingest.SourceRunner;
import io.vidlabel.ingest.StreamSegmenter;
import io.vidlabel.kafka.EmbeddedKafka;
import io.vidlabel.kafka.KafkaClients;
import io.vidlabel.topology.RecordHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publisher pulling a live RTSP stream (DESCRIBE, SETUP, PLAY; RTP interleaved over TCP, as
 * from a camera) from {@link RtspRelay}, into which FFmpeg pushes the bundled sample in real time.
 * The relay cuts the publisher's connection midway: it must reconnect over RTSP and number on.
 */
class RtspPublishIT {

  private static final Duration DEADLINE = Duration.ofMinutes(4);

  @TempDir Path dir;

  @Test
  void publishesALiveRtspStreamAndReconnectsAfterTheConnectionIsCut() throws Exception {
    Path sample = dir.resolve("sample.ts");
    FashionSampleVideo.copyBundled(sample);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(16 * 1024 * 1024);
        RtspRelay relay = new RtspRelay()) {
      AtomicBoolean pushing = new AtomicBoolean(true);
      Thread pusher = new Thread(() -> push(sample, relay.url(), pushing), "rtsp-pusher");
      pusher.setDaemon(true);
      pusher.start();
      // A reader that asks before the pusher records gets 404 and retries: that would count as a
      // lost connection before any segment and end the test's plan early.
      await().atMost(DEADLINE).until(relay::live);

      AtomicLong beforeLoss = new AtomicLong(-1);
      StreamSegmenter segmenter;
      SourceRunner.Outcome outcome;
      try (SegmentPublisher publisher = publisher(kafka)) {
        segmenter = new StreamSegmenter(SegmentEncoding.h264(2), 0, s -> publisher.publish("rtsp-cam", s));
        StreamSegmenter session = segmenter;
        // cut the connection once two segments are out; stop three segments after the reconnect
        Thread cutter = new Thread(() -> {
          while (pushing.get() && session.published() < 2) {
            sleep(50);
          }
          relay.dropReaders();
        }, "rtsp-cutter");
        cutter.setDaemon(true);
        cutter.start();
        outcome = assertTimeoutPreemptively(DEADLINE, () -> SourceRunner.runUrl(relay.url(),
            new SourceOptions(Duration.ofSeconds(5), Duration.ofMillis(500), 3, "tcp"), session,
            () -> beforeLoss.get() >= 0 && session.published() >= beforeLoss.get() + 3,
            new SourceRunner.Listener() {
              @Override
              public void lost(String reason, Duration wait) {
                beforeLoss.compareAndSet(-1, session.published());
              }
            }));
      } finally {
        pushing.set(false);
        pusher.join(Duration.ofSeconds(30).toMillis());
      }

      assertThat(outcome.stopped()).isTrue();
      assertThat(outcome.connections()).isEqualTo(2);
      assertThat(relay.plays()).isEqualTo(2);
      long published = segmenter.published();
      assertThat(beforeLoss.get()).isGreaterThanOrEqualTo(2);
      assertThat(published).isGreaterThanOrEqualTo(beforeLoss.get() + 3);
      List<ConsumerRecord<String, byte[]>> records = TopicReads.read(
          kafka.bootstrapServers(), "rtsp-segments", new ByteArrayDeserializer(), "rtsp-cam", (int) published);
      assertThat(records).extracting(r -> Long.parseLong(
              new String(r.headers().lastHeader(RecordHeaders.SEGMENT_SEQ).value(), StandardCharsets.UTF_8)))
          .containsExactlyElementsOf(LongStream.range(0, published).boxed().toList());
      VideoDecoder decoder = new VideoDecoder(DecodeLimits.defaults());
      for (ConsumerRecord<String, byte[]> r : records.subList((int) beforeLoss.get(), records.size())) {
        assertThat(decoder.decode(r.value(), FrameSampler.all(), FrameSize.NATIVE).framesDecoded()).isPositive();
      }
    }
  }

  /** Pushes the sample to the relay at 25 fps, round and round, until told to stop. */
  private static void push(Path sample, String url, AtomicBoolean pushing) {
    try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(sample.toFile())) {
      grabber.start();
      try (FFmpegFrameRecorder recorder =
          new FFmpegFrameRecorder(url, grabber.getImageWidth(), grabber.getImageHeight(), 0)) {
        recorder.setFormat("rtsp");
        recorder.setOption("rtsp_transport", "tcp");
        recorder.setVideoCodec(avcodec.AV_CODEC_ID_H264);
        recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
        recorder.setFrameRate(25);
        recorder.setGopSize(25);
        recorder.setVideoOption("preset", "ultrafast");
        recorder.setVideoOption("tune", "zerolatency");
        recorder.start();
        long start = System.nanoTime();
        long n = 0;
        while (pushing.get()) {
          Frame frame = grabber.grabImage();
          if (frame == null) {
            grabber.setTimestamp(0);
            continue;
          }
          recorder.record(frame, grabber.getPixelFormat());
          n++;
          long due = start + n * 40_000_000L;
          sleep(Math.max(0, (due - System.nanoTime()) / 1_000_000));
        }
        recorder.stop();
      }
    } catch (Exception e) {
      if (pushing.get()) {
        throw new IllegalStateException("the RTSP pusher failed", e);
      }
    }
  }

  private static SegmentPublisher publisher(EmbeddedKafka kafka) {
    Properties p = KafkaClients.common(kafka.bootstrapServers(), Map.of());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new SegmentPublisher(p, "rtsp-segments", 8 * 1024 * 1024);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
