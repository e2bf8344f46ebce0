#include <memory>

#include "commands.h"
#include "exit_codes.h"
#include "train_flags.h"
#include "trainer.h"

namespace resnet {

void add_train_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<TrainFlags>();
  CLI::App* cmd = app.add_subcommand("train", "train a ResNet on CIFAR-10 files");
  add_train_options(*cmd, *flags);
  cmd->callback([flags, cmd, &exit_code] {
    const TrainResult r = train(resolve_train_flags(*flags, *cmd));
    switch (r.outcome) {
      case TrainOutcome::finished: exit_code = kExitOk; break;
      case TrainOutcome::interrupted: exit_code = kExitInterrupted; break;
      case TrainOutcome::diverged: exit_code = kExitDiverged; break;
    }
  });
}

}  // namespace resnet
