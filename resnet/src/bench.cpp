#include "bench.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "device_select.h"
#include "engine/core/backend.h"
#include "engine/core/error.h"
#include "engine/core/random.h"
#include "engine/ops/ops.h"
#include "engine/optim/sgd.h"
#include "exit_codes.h"
#include "train_config.h"

namespace resnet {

BenchResult run_bench(const BenchConfig& c, std::FILE* log) {
  as_usage_error([&] {
    validate(c.model);
    GL_CHECK(c.batch_size >= 1 && c.batch_size <= kMaxBatch, "--batch-size must be 1-{}, got {}",
             kMaxBatch, c.batch_size);
    GL_CHECK(c.steps >= 1 && c.steps <= 100000 && c.warmup >= 0 && c.warmup <= 100000,
             "--steps must be 1-100000 and --warmup 0-100000, got {} and {}", c.steps, c.warmup);
    check_thread_count(c.threads);
  });
  const gl::Device dev = select_device(c.device);
  if (c.threads > 0) gl::set_num_threads(c.threads);
  gl::Rng rng(c.seed);
  ResNet model(c.model, rng);
  model.to(dev);
  model.train();
  gl::optim::SGD optimizer(gl::optim::decay_groups(model, 5e-4), 0.01, 0.9, true);
  const gl::Tensor x =
      gl::Tensor::randn({c.batch_size, 3, 32, 32}, rng, 0.0, 1.0, gl::DType::f32, dev);
  std::vector<std::int32_t> labels(c.batch_size);
  for (auto& l : labels) l = static_cast<std::int32_t>(rng.integer(0, c.model.num_classes - 1));
  const gl::Tensor y = gl::Tensor::from_labels(labels, dev);
  gl::Backend& backend = gl::backend(dev);
  fmt::print(log, "bench: {}, {} parameters, batch {}, device {}\n", c.model.describe(),
             model.parameter_count(), c.batch_size, device_description(dev));

  std::vector<double> times;
  for (int i = 0; i < c.warmup + c.steps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    gl::Tensor loss = gl::cross_entropy(model(x), y);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    backend.synchronize();
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (i >= c.warmup) times.push_back(dt);
  }
  std::sort(times.begin(), times.end());
  const double median = times.size() % 2 ? times[times.size() / 2]
                                         : 0.5 * (times[times.size() / 2 - 1] + times[times.size() / 2]);
  BenchResult r;
  r.median_step_ms = 1e3 * median;
  r.images_per_second = c.batch_size / median;
  if (dev == gl::Device::cuda) r.peak_device_bytes = peak_device_memory_bytes();
  fmt::print(log, "median over {} steps (after {} warm-up): {:.2f} ms/step, {:.1f} images/s\n",
             c.steps, c.warmup, r.median_step_ms, r.images_per_second);
  if (r.peak_device_bytes) {
    fmt::print(log, "peak device memory: {:.1f} MiB\n", r.peak_device_bytes / 1048576.0);
  }
  return r;
}

}  // namespace resnet
