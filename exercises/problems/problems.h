// The five written problems as library functions (target gradlab_exercises),
// so that the command-line programs and the notebook exporter share one
// implementation. Each returns a Report: render it with to_text(),
// to_markdown() or to_json() (keys documented in exercises/README.md).
// Everything is computed in float64 on the CPU.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "exercises/common/report.h"

namespace gl::ex {

// Problem 1: LFD Exercise 7.7, gradient of E_in for h(x) = tanh(w^T x).
struct Ex1Options {
  std::int64_t N = 20;         // data points
  std::int64_t dim = 3;        // input dimension d (x includes no bias coordinate)
  std::uint64_t seed = 7;
  int max_power = 4;           // scale table: w * 10^0 ... w * 10^max_power
};
Report run_ex1(const Ex1Options& options);

// Problem 2: LFD Exercise 7.8 (Example 7.1's network; identity vs tanh output).
// Weights in book notation: W[l] is (d(l-1)+1) x d(l), row 0 the bias weights.
struct Ex2Options {
  std::vector<double> x = {2.0};
  double y = 1.0;
  std::vector<std::vector<std::vector<double>>> W = {
      {{0.1, 0.2}, {0.3, 0.4}}, {{0.2}, {1.0}, {-3.0}}, {{1.0}, {2.0}}};
};
// Reads x, y, W1, W2, ... from a file in the answer-file format (see README).
Ex2Options read_ex2_network(const std::string& path);
Report run_ex2(const Ex2Options& options);

// Problem 3: parameters of the standard and the bottleneck residual block.
struct Ex3Options {
  std::int64_t batch = 128, height = 16, width = 16;
  std::int64_t standard_channels = 32;
  std::int64_t bottleneck_channels = 128;  // bottleneck width = channels / 4
  int bytes_per_value = 4;                 // activation memory in float32
};
Report run_ex3(const Ex3Options& options);

// Problem 4: shapes of batch-norm statistics.
struct Ex4Options {
  std::int64_t N = 8, C = 3, H = 4, W = 5;
  std::uint64_t seed = 4;
};
Report run_ex4(const Ex4Options& options);

// Problem 5: 1-D convolution as Y~ = A X~, back-propagation as B.
struct Ex5Options {
  std::int64_t in_channels = 2, out_channels = 2, length = 4, kernel = 3;
  std::uint64_t seed = 5;
};
Report run_ex5(const Ex5Options& options);

}  // namespace gl::ex
