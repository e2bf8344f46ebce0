// A per-epoch progress display. On a terminal: one line redrawn in place
// (bar, images/s, time left, running loss and accuracy). Otherwise (a log
// file, CI): a plain line at most every `plain_interval_s` seconds.
#pragma once
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace resnet {

class ProgressBar {
 public:
  ProgressBar(std::string label, std::int64_t total_steps, std::int64_t batch_size, bool terminal,
              std::FILE* out = stdout, double plain_interval_s = 10.0);
  // True when the display should be refreshed now (the caller then reads the
  // device's running sums, which costs a synchronisation): every ~0.5 s.
  bool due() const;
  // steps_done counts from the epoch start, including resumed steps.
  void update(std::int64_t steps_done, double running_loss, double running_accuracy);
  void finish();  // ends the in-place line

 private:
  using Clock = std::chrono::steady_clock;
  std::string label_;
  std::int64_t total_, batch_, first_step_ = -1;
  bool terminal_;
  std::FILE* out_;
  double plain_interval_s_;
  Clock::time_point start_, last_draw_, last_plain_;
  bool drawn_ = false;
};

// True when stdout is an interactive terminal.
bool stdout_is_terminal();

}  // namespace resnet
