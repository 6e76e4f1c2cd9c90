package io.vidlabel.faults;

import java.io.PrintStream;
import java.util.List;

/**
 * One named part of the fault suite (crash consistency, broker restart, and whatever is added
 * later). The {@code faults} command runs its parts in order and prints their rows as one report,
 * so adding a part is implementing this and adding it to the command's list.
 */
public interface FaultPart {

  /** Short name, the first column of the report. */
  String name();

  /** Runs the part; progress goes to {@code log}, results come back as rows. */
  List<FaultRow> run(PrintStream log) throws Exception;
}
