#include "interrupt.h"

#include <atomic>
#include <csignal>

namespace resnet {
namespace {
std::atomic<bool> requested{false};
extern "C" void on_sigint(int) {
  if (requested.load()) {
    std::signal(SIGINT, SIG_DFL);
    std::raise(SIGINT);
    return;
  }
  requested.store(true);
}
}  // namespace

void install_interrupt_handler() { std::signal(SIGINT, on_sigint); }
bool interrupt_requested() { return requested.load(); }
void clear_interrupt() { requested.store(false); }

}  // namespace resnet
