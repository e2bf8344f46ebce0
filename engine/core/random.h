// Seeded random numbers for initialisation, shuffling and augmentation.
// Same seed, same sequence (on the same standard library).
#pragma once
#include <cstdint>
#include <random>

namespace gl {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) : gen_(seed) {}
  double normal(double mean = 0.0, double stddev = 1.0) {
    return std::normal_distribution<double>(mean, stddev)(gen_);
  }
  double uniform(double low = 0.0, double high = 1.0) {
    return std::uniform_real_distribution<double>(low, high)(gen_);
  }
  std::int64_t integer(std::int64_t low, std::int64_t high_inclusive) {
    return std::uniform_int_distribution<std::int64_t>(low, high_inclusive)(gen_);
  }
  std::mt19937_64& generator() { return gen_; }

 private:
  std::mt19937_64 gen_;
};

}  // namespace gl
