package io.vidlabel.cli;

import io.vidlabel.finetune.cli.FinetuneCommand;
import io.vidlabel.finetune.cli.LabelCommand;
import io.vidlabel.finetune.cli.ScenarioCommand;
import io.vidlabel.training.cli.EvaluateCommand;
import io.vidlabel.training.cli.TrainCommand;
import picocli.CommandLine.Command;

@Command(
    name = "vidlabel",
    mixinStandardHelpOptions = true,
    version = "vidlabel 0.1.0",
    description = "Streaming video classification on Kafka.",
    subcommands = {
      ServeCommand.class,
      DemoCommand.class,
      ClassifyCommand.class,
      PublishCommand.class,
      BenchCommand.class,
      FaultsCommand.class,
      TrainCommand.class,
      EvaluateCommand.class,
      LabelCommand.class,
      FinetuneCommand.class,
      ScenarioCommand.class,
      ColourModelCommand.class,
      FashionSampleCommand.class
    })
public class VidlabelCommand {}
