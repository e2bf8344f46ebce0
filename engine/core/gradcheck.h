// Finite differences in float64: the independent route every gradient in
// gradlab is checked against (op tests, the exercise checkers).
//
// Central differences: df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / 2h, O(h^2)
// error. Near a kink (relu at 0, a max-pool tie) the two one-sided differences
// disagree; such elements are reported as skipped instead of failing.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/core/tensor.h"

namespace gl {

// d f / d x for a scalar-valued f (f must read x's current data each call).
// x must be float64 on the cpu. Returns a tensor shaped like x.
Tensor numerical_gradient(const std::function<Tensor()>& f, Tensor& x, double h = 1e-6);

// d vec(f) / d vec(x) as [f.numel(), x.numel()] (row i = d f_i / d x).
Tensor numerical_jacobian(const std::function<Tensor()>& f, Tensor& x, double h = 1e-6);

struct GradCheckOptions {
  double h = 1e-6;
  double atol = 1e-7;   // pass when |analytic - numeric| <= atol + rtol * |numeric|
  double rtol = 1e-5;
  double kink_tol = 1e-3;  // one-sided slopes differing more than this: a kink, skipped
};

struct GradCheckResult {
  bool ok = true;
  std::int64_t checked = 0, skipped_kinks = 0;
  double max_abs_error = 0.0;
  std::string message;  // on failure: input, flat index, expected (numeric), actual (analytic)
};

// Compares autograd's gradient of the scalar f() with respect to each input
// (float64, cpu, requires_grad set by the caller) with central differences.
GradCheckResult check_gradients(const std::function<Tensor()>& f, std::vector<Tensor> inputs,
                                const GradCheckOptions& options = {});

}  // namespace gl
