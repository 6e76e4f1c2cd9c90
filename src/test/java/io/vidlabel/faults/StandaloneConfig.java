package io.vidlabel.faults;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vidlabel.config.VidlabelConfig;
import java.time.Duration;
import java.util.Map;

/**
 * {@link VidlabelConfig} without Quarkus: SmallRye Config (the library Quarkus itself uses) with
 * the mapping's defaults, system properties, environment variables and the given overrides, and
 * Quarkus's duration syntax ({@code 100ms}). Lets a plain {@code main} and plain tests read the
 * same keys the packaged application reads.
 */
public final class StandaloneConfig {

  private StandaloneConfig() {}

  public static VidlabelConfig load(Map<String, String> overrides) {
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .addDefaultSources()
            .withSources(new PropertiesConfigSource(overrides, "overrides", 500))
            .withConverter(Duration.class, 100, new DurationConverter())
            .withMapping(VidlabelConfig.class)
            .build();
    return config.getConfigMapping(VidlabelConfig.class);
  }
}
