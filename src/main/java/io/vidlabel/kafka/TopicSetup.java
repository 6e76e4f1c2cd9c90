package io.vidlabel.kafka;

import io.vidlabel.topology.TopicNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the service's topics when they are missing (demo, tests, first start). */
public final class TopicSetup {

  private TopicSetup() {}

  public static void ensureTopics(
      Properties clientProperties, TopicNames topics, int partitions, int maxRecordBytes) {
    Map<String, String> media = KafkaClients.mediaTopicConfig(maxRecordBytes);
    Set<String> carriesMedia = Set.of(
        topics.segments(), topics.frames(), topics.deadLetters(), topics.feedback(), topics.reviewRequests());
    try (Admin admin = Admin.create(clientProperties)) {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = new ArrayList<>();
      for (String name : topics.all()) {
        if (!existing.contains(name)) {
          NewTopic topic = new NewTopic(name, partitions, (short) -1);
          if (carriesMedia.contains(name)) {
            topic.configs(media);
          }
          missing.add(topic);
        }
      }
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get();
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create topics: " + e.getCause().getMessage(), e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }
}
