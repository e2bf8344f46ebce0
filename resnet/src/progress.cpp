#include "progress.h"

#include <fmt/format.h>
#include <unistd.h>

namespace resnet {

bool stdout_is_terminal() { return isatty(fileno(stdout)) != 0; }

ProgressBar::ProgressBar(std::string label, std::int64_t total_steps, std::int64_t batch_size,
                         bool terminal, std::FILE* out, double plain_interval_s)
    : label_(std::move(label)), total_(total_steps), batch_(batch_size), terminal_(terminal),
      out_(out), plain_interval_s_(plain_interval_s), start_(Clock::now()), last_draw_(start_),
      last_plain_(start_) {}

bool ProgressBar::due() const {
  const double since = std::chrono::duration<double>(Clock::now() - last_draw_).count();
  return since >= (terminal_ ? 0.5 : std::min(0.5, plain_interval_s_));
}

namespace {
std::string clock_text(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
                   : fmt::format("{:02}:{:02}", s / 60, s % 60);
}
}  // namespace

void ProgressBar::update(std::int64_t steps_done, double loss, double accuracy) {
  const auto now = Clock::now();
  last_draw_ = now;
  if (first_step_ < 0) {
    first_step_ = steps_done;  // a resumed epoch starts part-way
    start_ = now;
    return;
  }
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const std::int64_t done_here = steps_done - first_step_;
  const double ips = elapsed > 0 ? done_here * batch_ / elapsed : 0.0;
  const double left = done_here > 0 ? elapsed / done_here * (total_ - steps_done) : 0.0;
  if (terminal_) {
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(kWidth * steps_done / std::max<std::int64_t>(total_, 1));
    fmt::print(out_, "\r{} [{}{}] {}/{} {:.0f} img/s, {} left, loss {:.4f}, acc {:.2f}%\x1b[K",
               label_, std::string(filled, '#'), std::string(kWidth - filled, '.'), steps_done,
               total_, ips, clock_text(left), loss, 100 * accuracy);
    std::fflush(out_);
    drawn_ = true;
  } else if (std::chrono::duration<double>(now - last_plain_).count() >= plain_interval_s_) {
    last_plain_ = now;
    fmt::print(out_, "{} step {}/{}: {:.0f} img/s, {} left, loss {:.4f}, acc {:.2f}%\n", label_,
               steps_done, total_, ips, clock_text(left), loss, 100 * accuracy);
    std::fflush(out_);
  }
}

void ProgressBar::finish() {
  if (terminal_ && drawn_) {
    fmt::print(out_, "\r\x1b[K");
    std::fflush(out_);
  }
}

}  // namespace resnet
