// Learning-rate schedules, as a function of the optimizer step (0-based).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gl::optim {

class LrSchedule {
 public:
  virtual ~LrSchedule() = default;
  virtual double at(std::int64_t step) const = 0;
  virtual std::string describe() const = 0;
};

// lr = base * multipliers[i] for boundaries[i-1] <= step < boundaries[i]
// (multipliers has one more entry than boundaries; multipliers[0] applies
// before the first boundary). The paper's schedule: boundaries {32000, 48000},
// multipliers {1, 0.1, 0.01}.
class PiecewiseConstant : public LrSchedule {
 public:
  PiecewiseConstant(double base_lr, std::vector<std::int64_t> boundaries,
                    std::vector<double> multipliers);
  double at(std::int64_t step) const override;
  std::string describe() const override;

 private:
  double base_;
  std::vector<std::int64_t> boundaries_;
  std::vector<double> multipliers_;
};

// Linear warm-up from base/warmup_steps to base over warmup_steps, then cosine
// decay to final_lr at total_steps: lr = final + (base - final) * (1 + cos(pi * t)) / 2,
// t = (step - warmup) / (total - warmup). Steps past total give final_lr.
class CosineWarmup : public LrSchedule {
 public:
  CosineWarmup(double base_lr, std::int64_t warmup_steps, std::int64_t total_steps,
               double final_lr = 0.0);
  double at(std::int64_t step) const override;
  std::string describe() const override;

 private:
  double base_, final_;
  std::int64_t warmup_, total_;
};

}  // namespace gl::optim
