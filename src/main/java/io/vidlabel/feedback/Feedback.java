package io.vidlabel.feedback;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import io.vidlabel.util.ContentHash;
import java.util.regex.Pattern;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * One labelled image from {@code video.feedback}. Two wire formats are accepted:
 *
 * <ul>
 *   <li>JSON: {@code {"label": "Coat", "image": "<base64 JPEG or PNG>", "stream": "cam-1",
 *       "source": "alice"}} ({@code stream} and {@code source} optional);
 *   <li>the image bytes themselves as the value, with the label in the {@code vidlabel.label}
 *       header (UTF-8) and optionally {@code vidlabel.source}.
 * </ul>
 *
 * @param label class name as the model spells it
 * @param image JPEG or PNG bytes
 * @param stream stream the frame came from, or null
 * @param source who labelled it, or null
 */
public record Feedback(String label, byte[] image, String stream, String source) {

  /** Header carrying the label of a raw-image record. */
  public static final String LABEL_HEADER = "vidlabel.label";
  /** Optional header naming who labelled a raw-image record. */
  public static final String SOURCE_HEADER = "vidlabel.source";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  /**
   * Parses a record value.
   *
   * @param key the record key (the stream id by convention), or null
   * @throws FeedbackException with reason {@link FeedbackException.Reason#MALFORMED_FEEDBACK}
   */
  public static Feedback parse(String key, byte[] value, Headers headers) {
    if (value == null || value.length == 0) {
      throw new FeedbackException(FeedbackException.Reason.MALFORMED_FEEDBACK, "record has no value");
    }
    String headerLabel = header(headers, LABEL_HEADER);
    if (headerLabel != null) {
      return new Feedback(headerLabel.strip(), value, key, header(headers, SOURCE_HEADER));
    }
    if (value[0] != '{') {
      throw new FeedbackException(
          FeedbackException.Reason.MALFORMED_FEEDBACK,
          "value is neither JSON nor an image with a " + LABEL_HEADER + " header");
    }
    JsonNode node;
    try {
      node = JSON.readTree(value);
    } catch (java.io.IOException e) {
      throw new FeedbackException(
          FeedbackException.Reason.MALFORMED_FEEDBACK, "value is not valid JSON: " + firstLine(e));
    }
    String label = text(node, "label");
    String image = text(node, "image");
    if (label == null || label.isBlank() || image == null) {
      throw new FeedbackException(
          FeedbackException.Reason.MALFORMED_FEEDBACK, "JSON feedback needs \"label\" and \"image\" (base64)");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(WHITESPACE.matcher(image).replaceAll(""));
    } catch (IllegalArgumentException e) {
      throw new FeedbackException(
          FeedbackException.Reason.MALFORMED_FEEDBACK, "\"image\" is not base64: " + e.getMessage());
    }
    if (bytes.length == 0) {
      throw new FeedbackException(FeedbackException.Reason.MALFORMED_FEEDBACK, "\"image\" is empty");
    }
    String stream = text(node, "stream");
    return new Feedback(label.strip(), bytes, stream != null ? stream : key, text(node, "source"));
  }

  /** The JSON wire form. */
  public byte[] toJson() {
    ObjectNode node = JSON.createObjectNode();
    node.put("label", label);
    node.put("image", Base64.getEncoder().encodeToString(image));
    if (stream != null) {
      node.put("stream", stream);
    }
    if (source != null) {
      node.put("source", source);
    }
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Hex SHA-256 of the image bytes: the example's identity in the dataset. */
  public String imageHash() {
    return ContentHash.sha256(image);
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static String header(Headers headers, String name) {
    Header h = headers == null ? null : headers.lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static String firstLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
