package io.vidlabel.cli;

import io.quarkus.arc.Arc;
import io.quarkus.arc.InstanceHandle;
import picocli.CommandLine;

/** Lets picocli create commands as CDI beans (so they get the configuration and services injected). */
final class CdiFactory implements CommandLine.IFactory {

  @Override
  public <K> K create(Class<K> cls) throws Exception {
    InstanceHandle<K> bean = Arc.container().instance(cls);
    return bean.isAvailable() ? bean.get() : CommandLine.defaultFactory().create(cls);
  }
}
