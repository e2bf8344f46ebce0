#include "engine/optim/schedule.h"

#include <cmath>
#include <numbers>

#include "engine/core/error.h"

namespace gl::optim {

PiecewiseConstant::PiecewiseConstant(double base_lr, std::vector<std::int64_t> boundaries,
                                     std::vector<double> multipliers)
    : base_(base_lr), boundaries_(std::move(boundaries)), multipliers_(std::move(multipliers)) {
  GL_CHECK(multipliers_.size() == boundaries_.size() + 1,
           "PiecewiseConstant: {} boundaries need {} multipliers, got {}", boundaries_.size(), boundaries_.size() + 1,
           multipliers_.size());
  for (std::size_t i = 1; i < boundaries_.size(); ++i)
    GL_CHECK(boundaries_[i] > boundaries_[i - 1], "PiecewiseConstant: boundaries must increase, got {}",
             fmt::join(boundaries_, ", "));
}

double PiecewiseConstant::at(std::int64_t step) const {
  std::size_t i = 0;
  while (i < boundaries_.size() && step >= boundaries_[i]) ++i;
  return base_ * multipliers_[i];
}

std::string PiecewiseConstant::describe() const {
  return fmt::format("piecewise constant: lr {} x [{}] at step boundaries [{}]", base_, fmt::join(multipliers_, ", "),
                     fmt::join(boundaries_, ", "));
}

CosineWarmup::CosineWarmup(double base_lr, std::int64_t warmup, std::int64_t total, double final_lr)
    : base_(base_lr), final_(final_lr), warmup_(warmup), total_(total) {
  GL_CHECK(warmup >= 0 && total > warmup, "CosineWarmup: need 0 <= warmup_steps < total_steps, got {} and {}", warmup,
           total);
}

double CosineWarmup::at(std::int64_t step) const {
  if (step < warmup_) return base_ * static_cast<double>(step + 1) / static_cast<double>(warmup_);
  if (step >= total_) return final_;
  const double t = static_cast<double>(step - warmup_) / static_cast<double>(total_ - warmup_);
  return final_ + (base_ - final_) * 0.5 * (1.0 + std::cos(std::numbers::pi * t));
}

std::string CosineWarmup::describe() const {
  return fmt::format("cosine: linear warm-up over {} steps to {}, then cosine decay to {} at step {}", warmup_, base_,
                     final_, total_);
}

}  // namespace gl::optim
