package io.vidlabel.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.vidlabel.testing.TestVideos;
import java.awt.Color;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.junit.jupiter.api.Test;

/** Required containers the shared corpus lacks, made here from code or from corpus files. */
class ContainerCoverageTest {

  private final VideoDecoder decoder = new VideoDecoder(DecodeLimits.defaults());

  @Test
  void decodesMotionJpegInAvi() throws DecodeException {
    byte[] avi = TestVideos.solidColoursWith("avi", "mjpeg", 64, 48, 10, 4, Color.CYAN);

    DecodedVideo video = decoder.decode(avi, FrameSampler.all(), FrameSize.NATIVE);

    assertThat(video.format()).isEqualTo("avi");
    assertThat(video.codec()).isEqualTo("mjpeg");
    assertThat(video.framesDecoded()).isEqualTo(4);
    double[] mean = Media.meanRgb(video.frames().get(0));
    assertThat(mean[0]).isLessThan(20);
    assertThat(mean[1]).isGreaterThan(235);
    assertThat(mean[2]).isGreaterThan(235);
  }

  @Test
  void decodesQuickTimeMov() throws DecodeException {
    byte[] mov = TestVideos.solidColoursWith(
        "mov", TestVideos.h264Encoder(), 64, 48, 10, 3, Color.YELLOW);

    DecodedVideo video = decoder.decode(mov, FrameSampler.all(), FrameSize.NATIVE);

    assertThat(video.format()).isEqualTo("mov,mp4,m4a,3gp,3g2,mj2");
    assertThat(video.framesDecoded()).isEqualTo(3);
    double[] mean = Media.meanRgb(video.frames().get(2));
    assertThat(mean[0]).isGreaterThan(235);
    assertThat(mean[1]).isGreaterThan(235);
    assertThat(mean[2]).isLessThan(20);
  }

  @Test
  void decodesRawAnnexBHevcElementaryStream() throws Exception {
    // Remux (no re-encode) the HEVC track of the Elephants Dream clip into a raw hevc stream.
    byte[] hevc = remuxVideo(Media.read("mp4ff__ed_hevc.mp4"), "hevc");

    DecodedVideo video = decoder.decode(hevc, FrameSampler.all(), FrameSize.NATIVE);

    assertThat(video.format()).isEqualTo("hevc");
    assertThat(video.codec()).isEqualTo("hevc");
    assertThat(video.framesDecoded()).isEqualTo(27);
    assertThat(video.frames().get(0).width()).isEqualTo(640);
    assertThat(video.frames().get(0).height()).isEqualTo(360);
    MediaCorpusTest.assertStrictlyIncreasingPts(video);
  }

  /** Copies the packets of the first video stream into a new container, untouched. */
  private static byte[] remuxVideo(byte[] media, String format) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (FFmpegFrameGrabber grabber =
        new FFmpegFrameGrabber(new ByteArrayInputStream(media), media.length)) {
      grabber.start();
      try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(
          out, grabber.getImageWidth(), grabber.getImageHeight(), 0)) {
        recorder.setFormat(format);
        recorder.setVideoCodec(grabber.getVideoCodec());
        recorder.start(grabber.getFormatContext());
        AVFormatContext in = grabber.getFormatContext();
        AVPacket packet;
        while ((packet = grabber.grabPacket()) != null) {
          int type = in.streams(packet.stream_index()).codecpar().codec_type();
          if (type == avutil.AVMEDIA_TYPE_VIDEO) {
            recorder.recordPacket(packet);
          } else {
            avcodec.av_packet_unref(packet);
          }
        }
        recorder.stop();
      }
    }
    return out.toByteArray();
  }
}
