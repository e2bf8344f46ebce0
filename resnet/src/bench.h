// `resnet bench`: training throughput of one model and batch size on random
// data (forward, backward, SGD step), warm-up steps first, then the median
// over timed steps. Each timed step ends with the backend's synchronize(), so
// on CUDA the time covers the device's work.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>

#include "model.h"

namespace resnet {

struct BenchConfig {
  ModelConfig model;
  std::string device = "cpu";
  std::int64_t batch_size = 128;
  int steps = 20, warmup = 3, threads = 0;
  std::uint64_t seed = 0;
};

struct BenchResult {
  double images_per_second = 0;  // batch / median step time
  double median_step_ms = 0;
  std::size_t peak_device_bytes = 0;  // CUDA builds on a GPU only
};

BenchResult run_bench(const BenchConfig& config, std::FILE* log = stdout);

}  // namespace resnet
