#include "interrupt.h"

#include <atomic>
#include <csignal>

namespace resnet {
namespace {
std::atomic<bool> requested{false};
// The first Ctrl-C or SIGTERM asks for a checkpoint; a second one stops at once.
extern "C" void on_signal(int sig) {
  if (requested.load()) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  requested.store(true);
}
}  // namespace

void install_interrupt_handler() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);  // README "Exit codes": SIGTERM, like Ctrl-C, gives 130
}
bool interrupt_requested() { return requested.load(); }
void clear_interrupt() { requested.store(false); }

}  // namespace resnet
