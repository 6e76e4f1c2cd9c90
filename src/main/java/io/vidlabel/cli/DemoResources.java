package io.vidlabel.cli;

import io.vidlabel.kafka.EmbeddedKafka;
import io.vidlabel.service.ClassifierService;
import io.vidlabel.util.Directories;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the demo starts beyond the service: the embedded broker and a scratch state directory.
 * Released when the application stops, which on Ctrl-C happens inside Quarkus's shutdown hook;
 * cleanup in the command's own {@code finally} would race the JVM's exit.
 */
@ApplicationScoped
public class DemoResources {

  private final ClassifierService service;
  private EmbeddedKafka kafka;
  private Path stateDir;

  public DemoResources(ClassifierService service) {
    this.service = service;
  }

  synchronized String startBroker(int maxMessageBytes) {
    kafka = EmbeddedKafka.start(maxMessageBytes);
    return kafka.bootstrapServers();
  }

  synchronized Path stateDir() {
    if (stateDir == null) {
      try {
        stateDir = Files.createTempDirectory("vidlabel-demo-state");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return stateDir;
  }

  /** Stops the classifier before its broker goes away, then removes the scratch state. */
  @PreDestroy
  synchronized void release() {
    service.stop();
    if (kafka != null) {
      kafka.close();
      kafka = null;
    }
    if (stateDir != null) {
      Directories.deleteQuietly(stateDir);
      stateDir = null;
    }
  }
}
