package io.vidlabel.api;

import io.vidlabel.service.ClassifierService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready means: the model is loaded and the Kafka Streams instance is running or rebalancing. */
@Readiness
@ApplicationScoped
public class ClassifierReadiness implements HealthCheck {

  private final ClassifierService service;

  public ClassifierReadiness(ClassifierService service) {
    this.service = service;
  }

  @Override
  public HealthCheckResponse call() {
    var builder = HealthCheckResponse.named("classifier").status(service.isRunning());
    service.state().ifPresent(s -> builder.withData("streams", s.name()));
    service.pipeline().ifPresent(p -> builder.withData("model", p.model().name() + "/" + p.model().version()));
    return builder.build();
  }
}
