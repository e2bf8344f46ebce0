// Ctrl-C or SIGTERM during training: the first signal sets a flag that the
// training loop reads between steps (it then saves a checkpoint and exits
// cleanly); a second one restores the default handler's behaviour and ends the program at once.
#pragma once

namespace resnet {

void install_interrupt_handler();
bool interrupt_requested();
void clear_interrupt();

}  // namespace resnet
