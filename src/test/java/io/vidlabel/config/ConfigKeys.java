package io.vidlabel.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code vidlabel.*} keys of {@link VidlabelConfig}, read from its source (keys, defaults, doc
 * lines): the README's configuration table and the Kubernetes manifest test both use it. A group
 * nested in another ({@code Admin.Oidc}) gives keys below its parent's ({@code vidlabel.admin.oidc.*}).
 */
public final class ConfigKeys {

  /** The interface's source, relative to the project directory (where tests run). */
  public static final Path SOURCE = Path.of("src/main/java/io/vidlabel/config/VidlabelConfig.java");

  /**
   * One key.
   *
   * @param name full key, e.g. {@code vidlabel.model.path}; for a map, the prefix of its entries
   * @param defaultValue its {@code @WithDefault}, or null
   * @param doc its doc line
   * @param optional an {@code Optional} key
   * @param map a map of entries below {@code name}
   */
  public record Key(String name, String defaultValue, String doc, boolean optional, boolean map) {

    /**
     * The environment-variable form (MicroProfile Config: non-alphanumerics to {@code _},
     * upper case); for a map, the prefix of its entries' variables.
     */
    public String envName() {
      return name.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT) + (map ? "_" : "");
    }
  }

  private static final Pattern GROUP = Pattern.compile("^(\\s*)interface (\\w+) \\{");
  private static final Pattern DEFAULT = Pattern.compile("@WithDefault\\(\"(.*)\"\\)");
  private static final Pattern NAME = Pattern.compile("@WithName\\(\"(.*)\"\\)");
  private static final Pattern METHOD = Pattern.compile("^(\\s*)([\\w<>., ]+) (\\w+)\\(\\);");

  private ConfigKeys() {}

  /** Every key of {@link VidlabelConfig}, in source order. */
  public static List<Key> all() {
    try {
      return parse(Files.readAllLines(SOURCE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Key> parse(List<String> source) {
    Set<String> groupTypes = new HashSet<>();
    for (String line : source) {
      Matcher m = GROUP.matcher(line);
      if (m.find()) {
        groupTypes.add(m.group(2));
      }
    }
    List<Key> keys = new ArrayList<>();
    // the open groups, outermost first, each with the indentation of its declaration
    Deque<String> groups = new ArrayDeque<>();
    Deque<Integer> indents = new ArrayDeque<>();
    String doc = "";
    String def = null;
    String name = null;
    StringBuilder pendingDoc = null;
    for (String line : source) {
      String t = line.strip();
      Matcher m;
      if (pendingDoc != null) {
        pendingDoc.append(' ').append(t.replaceFirst("^\\*/?", "").replace("*/", "").strip());
        if (t.endsWith("*/")) {
          doc = pendingDoc.toString().strip();
          pendingDoc = null;
        }
      } else if (t.startsWith("/**")) {
        String body = t.substring(3);
        if (body.endsWith("*/")) {
          doc = body.substring(0, body.length() - 2).strip();
        } else {
          pendingDoc = new StringBuilder(body);
        }
      } else if ((m = GROUP.matcher(line)).find()) {
        closeGroupsAt(m.group(1).length(), groups, indents);
        groups.addLast(kebab(m.group(2)));
        indents.addLast(m.group(1).length());
        doc = "";
      } else if ((m = DEFAULT.matcher(t)).find()) {
        def = m.group(1);
      } else if ((m = NAME.matcher(t)).find()) {
        name = m.group(1);
      } else if ((m = METHOD.matcher(line)).find() && closeGroupsAt(m.group(1).length(), groups, indents)) {
        String type = m.group(2).strip();
        if (!groupTypes.contains(type)) { // a nested group's accessor is no key of its own
          String key = "vidlabel." + String.join(".", groups) + "." + (name != null ? name : kebab(m.group(3)));
          keys.add(new Key(key, def, doc, type.startsWith("Optional"), type.startsWith("Map<")));
        }
        doc = "";
        def = null;
        name = null;
      }
    }
    return keys;
  }

  /**
   * Closes the groups a line at this indentation is no longer inside (a group's members are
   * indented deeper than its declaration); true if a group is still open.
   */
  private static boolean closeGroupsAt(int indent, Deque<String> groups, Deque<Integer> indents) {
    while (!indents.isEmpty() && indents.peekLast() >= indent) {
      indents.removeLast();
      groups.removeLast();
    }
    return !groups.isEmpty();
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }
}
