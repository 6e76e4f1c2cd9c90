package io.vidlabel.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import io.vidlabel.finetune.FeatureCache.Key;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureCacheTest {

  @TempDir Path root;

  @Test
  void returnsWhatWasPutAndNothingForAnotherVersionCutOrSize() {
    FeatureCache cache = new FeatureCache(root);
    cache.put(new Key("m", "1", "stage2/block3", "aa"), new float[] {1.5f, -2f, 3f});

    assertThat(cache.get(new Key("m", "1", "stage2/block3", "aa"), 3)).containsExactly(1.5f, -2f, 3f);
    assertThat(cache.get(new Key("m", "2", "stage2/block3", "aa"), 3)).isNull();
    assertThat(cache.get(new Key("m", "1", "stage3/block1", "aa"), 3)).isNull();
    assertThat(cache.get(new Key("m", "1", "stage2/block3", "aa"), 4)).isNull();
  }

  @Test
  void retainOnlyDeletesEveryOtherVersionOfTheModelAndSaysHowMuchItFreed() {
    FeatureCache cache = new FeatureCache(root);
    float[] values = new float[250];
    for (String version : new String[] {"1", "2", "3"}) {
      cache.put(new Key("m", version, "stage2/block3", "aa"), values);
      cache.put(new Key("m", version, "stage3/block1", "bb"), values);
    }
    cache.put(new Key("other", "1", "stage2/block3", "aa"), values);

    long freed = cache.retainOnly("m", "2");

    assertThat(freed).isEqualTo(4L * 250 * Float.BYTES);
    assertThat(cache.get(new Key("m", "2", "stage2/block3", "aa"), 250)).isNotNull();
    assertThat(cache.get(new Key("m", "2", "stage3/block1", "bb"), 250)).isNotNull();
    assertThat(cache.get(new Key("m", "1", "stage2/block3", "aa"), 250)).isNull();
    assertThat(cache.get(new Key("m", "3", "stage3/block1", "bb"), 250)).isNull();
    assertThat(cache.get(new Key("other", "1", "stage2/block3", "aa"), 250)).isNotNull();
    assertThat(root.resolve("m")).isDirectoryNotContaining(p -> p.getFileName().toString().equals("1"));
  }

  @Test
  void retainOnlyOnAModelWithNothingCachedFreesNothing() {
    assertThat(new FeatureCache(root).retainOnly("m", "1")).isZero();
  }
}
