package io.vidlabel.cli;

import io.vidlabel.model.ColourModelBuilder;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Rebuilds the bundled colour model (models/colour/1) from code; its weights are exact, not trained. */
@Command(
    name = "build-colour-model",
    hidden = true,
    description = "Write the dominant-colour demo model (SavedModel + model.json).")
public class ColourModelCommand implements Callable<Integer> {

  @Option(names = "--store", defaultValue = "models", description = "Model store root (default: ${DEFAULT-VALUE}).")
  Path store;

  @Option(names = "--size", defaultValue = "64", description = "Input width and height (default: ${DEFAULT-VALUE}).")
  int size;

  @Override
  public Integer call() {
    Path dir = ColourModelBuilder.build(store, "colour", "1", size);
    System.err.println("build-colour-model: wrote " + dir);
    return 0;
  }
}
