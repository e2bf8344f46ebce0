#include "batches.h"

#include <cmath>
#include <cstring>
#include <numeric>

#include "engine/core/backend.h"
#include "engine/core/error.h"
#include "engine/core/random.h"

namespace resnet {

DeviceImages upload_images(const ImageSet& images, gl::Device device) {
  DeviceImages out;
  out.labels = images.labels;
  gl::Tensor host =
      gl::Tensor::empty({images.size(), kChannels, kImageSide, kImageSide}, gl::DType::f32);
  float* dst = host.data<float>();
  for (std::size_t i = 0; i < images.pixels.size(); ++i) dst[i] = images.pixels[i];
  out.pixels = device == gl::Device::cpu ? host : host.to(device);
  return out;
}

Preprocessing make_preprocessing(const ImageSet& train, Standardize mode) {
  Preprocessing p;
  p.standardize = mode;
  const std::int64_t plane = kImageSide * kImageSide;
  for (int c = 0; c < kChannels; ++c) {
    double sum = 0, sum_sq = 0;
    for (std::int64_t i = 0; i < train.size(); ++i) {
      const std::uint8_t* px = train.pixels.data() + i * kImageBytes + c * plane;
      for (std::int64_t k = 0; k < plane; ++k) {
        sum += px[k];
        sum_sq += double(px[k]) * px[k];
      }
    }
    const double n = double(train.size()) * plane;
    const double mean = sum / n;
    p.channel_mean[c] = static_cast<float>(mean);
    p.channel_std[c] = static_cast<float>(std::sqrt(std::max(sum_sq / n - mean * mean, 1e-6)));
  }
  return p;
}

EpochPlan make_epoch_plan(const std::vector<std::int32_t>& labels, std::int64_t batch,
                          std::uint64_t seed, std::int64_t epoch, bool augment) {
  const auto m = static_cast<std::int64_t>(labels.size());
  GL_CHECK(batch > 0 && batch <= m,
           "make_epoch_plan: batch size {} must be between 1 and the {} training images", batch, m);
  // One generator per epoch, so that epoch e can be rebuilt without replaying 0..e-1.
  gl::Rng rng(seed * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(epoch) + 1);
  std::vector<std::int32_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  for (std::int64_t i = m - 1; i > 0; --i) std::swap(order[i], order[rng.integer(0, i)]);
  EpochPlan plan;
  plan.batch = batch;
  plan.steps = m / batch;
  const std::int64_t used = plan.steps * batch;
  plan.rows.resize(used * 4);
  plan.labels.resize(used);
  for (std::int64_t k = 0; k < used; ++k) {
    std::int32_t* row = plan.rows.data() + 4 * k;
    row[0] = order[k];
    row[1] = augment ? static_cast<std::int32_t>(rng.integer(0, 2 * kPad)) : kPad;
    row[2] = augment ? static_cast<std::int32_t>(rng.integer(0, 2 * kPad)) : kPad;
    row[3] = augment ? static_cast<std::int32_t>(rng.integer(0, 1)) : 0;
    plan.labels[k] = labels[order[k]];
  }
  return plan;
}

BatchBuilder::BatchBuilder(const DeviceImages& images, const Preprocessing& prep)
    : images_(images), per_image_(prep.standardize == Standardize::per_image) {
  const gl::Device dev = images.pixels.device();
  mean_ = gl::Tensor::from_vector({prep.channel_mean.begin(), prep.channel_mean.end()}, {kChannels},
                                  gl::DType::f32, dev);
  std_ = gl::Tensor::from_vector({prep.channel_std.begin(), prep.channel_std.end()}, {kChannels},
                                 gl::DType::f32, dev);
}

DevicePlan upload_plan(const EpochPlan& plan, gl::Device device) {
  const std::int64_t used = plan.steps * plan.batch;
  GL_CHECK(static_cast<std::int64_t>(plan.rows.size()) == 4 * used &&
               static_cast<std::int64_t>(plan.labels.size()) == used,
           "upload_plan: a plan of {} steps x {} images needs {} rows and labels, got {} and {}", plan.steps,
           plan.batch, used, plan.rows.size() / 4, plan.labels.size());
  DevicePlan out;
  out.steps = plan.steps;
  out.batch = plan.batch;
  out.rows = gl::Tensor::empty({used, 4}, gl::DType::i32);
  if (used > 0) std::memcpy(out.rows.raw_data(), plan.rows.data(), plan.rows.size() * sizeof(std::int32_t));
  out.labels = gl::Tensor::from_labels(plan.labels);
  if (device != gl::Device::cpu) {
    out.rows = out.rows.to(device);
    out.labels = out.labels.to(device);
  }
  return out;
}

void BatchBuilder::build_step(const DevicePlan& plan, std::int64_t step, gl::Tensor& x, gl::Tensor& y) const {
  GL_CHECK(step >= 0 && step < plan.steps, "BatchBuilder::build_step: step {} is outside the plan's {} steps", step,
           plan.steps);
  const gl::Device dev = images_.pixels.device();
  const gl::Shape shape{plan.batch, kChannels, kImageSide, kImageSide};
  if (!x.defined() || x.shape() != shape || x.device() != dev || x.dtype() != gl::DType::f32) {
    x = gl::Tensor::empty(shape, gl::DType::f32, dev);
  }
  y = plan.labels.rows(step * plan.batch, plan.batch);
  gl::backend(dev).augment_batch(images_.pixels, plan.rows.rows(step * plan.batch, plan.batch), kPad, per_image_,
                                 mean_, std_, x);
}

void BatchBuilder::build(const std::int32_t* rows, const std::int32_t* labels, std::int64_t count,
                         gl::Tensor& x, gl::Tensor& y) const {
  const gl::Device dev = images_.pixels.device();
  gl::Tensor plan = gl::Tensor::empty({count, 4}, gl::DType::i32);
  std::memcpy(plan.raw_data(), rows, count * 4 * sizeof(std::int32_t));
  if (dev != gl::Device::cpu) plan = plan.to(dev);
  y = gl::Tensor::from_labels(std::vector<std::int32_t>(labels, labels + count), dev);
  x = gl::Tensor::empty({count, kChannels, kImageSide, kImageSide}, gl::DType::f32, dev);
  gl::backend(dev).augment_batch(images_.pixels, plan, kPad, per_image_, mean_, std_, x);
}

void BatchBuilder::build_plain(std::int64_t begin, std::int64_t end, gl::Tensor& x,
                               gl::Tensor& y) const {
  std::vector<std::int32_t> rows;
  rows.reserve((end - begin) * 4);
  for (std::int64_t i = begin; i < end; ++i) {
    rows.insert(rows.end(), {static_cast<std::int32_t>(i), std::int32_t(kPad), std::int32_t(kPad), 0});
  }
  build(rows.data(), images_.labels.data() + begin, end - begin, x, y);
}

}  // namespace resnet
