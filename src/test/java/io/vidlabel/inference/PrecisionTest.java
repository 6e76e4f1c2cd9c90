package io.vidlabel.inference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RewriterConfig.Toggle;

class PrecisionTest {

  private static final ConfigProto THREADED =
      ConfigProto.newBuilder().setInterOpParallelismThreads(1).setIntraOpParallelismThreads(2).build();

  @Test
  void fp32LeavesTheSessionConfigAsItIs() {
    assertThat(Precision.FP32.sessionConfig(THREADED)).isEqualTo(THREADED);
  }

  @Test
  void bf16SwitchesOnTheOneDnnBfloat16RewriteAndKeepsTheThreadPools() {
    ConfigProto config = Precision.BF16.sessionConfig(THREADED);

    assertThat(config.getGraphOptions().getRewriteOptions().getAutoMixedPrecisionOnednnBfloat16())
        .isEqualTo(Toggle.ON);
    assertThat(config.getInterOpParallelismThreads()).isEqualTo(1);
    assertThat(config.getIntraOpParallelismThreads()).isEqualTo(2);
  }
}
