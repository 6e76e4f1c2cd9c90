package io.vidlabel.ingest;

import io.vidlabel.topology.RecordHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Produces segments of one stream to the segments topic, keyed by stream id so they stay in order. */
public final class SegmentPublisher implements AutoCloseable {

  /** Header with the segment's start time in the source video, microseconds. */
  public static final String START_MICROS = "vidlabel.segment.start-micros";

  private final KafkaProducer<String, byte[]> producer;
  private final String topic;
  private final int maxRecordBytes;

  public SegmentPublisher(Properties producerProperties, String topic, int maxRecordBytes) {
    this.producer =
        new KafkaProducer<>(producerProperties, new StringSerializer(), new ByteArraySerializer());
    this.topic = topic;
    this.maxRecordBytes = maxRecordBytes;
  }

  /**
   * Sends one segment and waits for the broker's acknowledgement, so a failure stops the publisher
   * at the segment that failed instead of silently dropping later ones.
   */
  public void publish(String stream, Segment segment) {
    if (segment.bytes().length > maxRecordBytes) {
      throw new IllegalArgumentException(
          "segment "
              + segment.seq()
              + " is "
              + segment.bytes().length
              + " bytes, over the "
              + maxRecordBytes
              + "-byte record limit; use shorter segments or a lower --max-height");
    }
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, stream, segment.bytes());
    record.headers().add(RecordHeaders.SEGMENT_SEQ, utf8(Long.toString(segment.seq())));
    record.headers().add(START_MICROS, utf8(Long.toString(segment.startMicros())));
    try {
      producer.send(record).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "could not publish segment " + segment.seq() + ": " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing", e);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    producer.close();
  }
}
