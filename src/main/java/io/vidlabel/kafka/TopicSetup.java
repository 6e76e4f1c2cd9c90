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
    List<NewTopic> wanted = new ArrayList<>();
    for (String name : topics.all()) {
      NewTopic topic = new NewTopic(name, partitions, (short) -1);
      if (carriesMedia.contains(name)) {
        topic.configs(media);
      }
      wanted.add(topic);
    }
    ensure(clientProperties, wanted);
  }

  /** Creates one topic that holds whole media records (one partition), if missing: a benchmark's own feedback topic, say. */
  public static void ensureMediaTopic(Properties clientProperties, String name, int maxRecordBytes) {
    ensure(clientProperties,
        List.of(new NewTopic(name, 1, (short) -1).configs(KafkaClients.mediaTopicConfig(maxRecordBytes))));
  }

  /** Creates those of {@code wanted} that do not exist yet, as given (one that exists is left as it is). */
  public static void ensure(Properties clientProperties, List<NewTopic> wanted) {
    try (Admin admin = Admin.create(clientProperties)) {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get();
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create topics " + wanted.stream().map(NewTopic::name).toList() + ": "
            + e.getCause().getMessage(), e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }
}
