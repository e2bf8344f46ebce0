#include "engine/core/gradcheck.h"

#include <cmath>
#include <limits>

#include "engine/core/autograd.h"
#include "engine/core/error.h"

namespace gl {

namespace {
void require_f64_cpu(const Tensor& x, const char* fn) {
  GL_CHECK(x.dtype() == DType::f64 && x.device() == Device::cpu,
           "{}: finite differences need a float64 cpu tensor, got {}; convert with .to(DType::f64)", fn,
           describe(x));
}

// Evaluates f with x[i] replaced by value (restored afterwards).
std::vector<double> eval_at(const std::function<Tensor()>& f, Tensor& x, std::int64_t i, double value) {
  double* p = x.data<double>();
  const double saved = p[i];
  p[i] = value;
  std::vector<double> y;
  {
    NoGradGuard no_grad;
    y = f().to_vector();
  }
  p[i] = saved;
  return y;
}

std::string index_str(const Shape& shape, std::int64_t flat) {
  Shape idx(shape.size());
  for (int k = static_cast<int>(shape.size()) - 1; k >= 0; --k) {
    idx[k] = flat % shape[k];
    flat /= shape[k];
  }
  return shape_str(idx);
}
}  // namespace

Tensor numerical_jacobian(const std::function<Tensor()>& f, Tensor& x, double h) {
  require_f64_cpu(x, "numerical_jacobian");
  const double* p = x.data<double>();
  std::int64_t m = -1;
  std::vector<double> jac;
  for (std::int64_t j = 0; j < x.numel(); ++j) {
    const double v = p[j];
    const auto plus = eval_at(f, x, j, v + h), minus = eval_at(f, x, j, v - h);
    if (m < 0) {
      m = static_cast<std::int64_t>(plus.size());
      jac.assign(static_cast<std::size_t>(m * x.numel()), 0.0);
    }
    for (std::int64_t i = 0; i < m; ++i) jac[i * x.numel() + j] = (plus[i] - minus[i]) / (2 * h);
  }
  if (m < 0) m = 0;
  return Tensor::from_vector(jac, {m, x.numel()}, DType::f64);
}

Tensor numerical_gradient(const std::function<Tensor()>& f, Tensor& x, double h) {
  require_f64_cpu(x, "numerical_gradient");
  Tensor j = numerical_jacobian(f, x, h);
  GL_CHECK(j.size(0) == 1, "numerical_gradient: f returns {} values; it must return one (use numerical_jacobian)",
           j.size(0));
  return Tensor::from_vector(j.to_vector(), x.shape(), DType::f64);
}

GradCheckResult check_gradients(const std::function<Tensor()>& f, std::vector<Tensor> inputs,
                                const GradCheckOptions& o) {
  GradCheckResult r;
  for (auto& x : inputs) {
    require_f64_cpu(x, "check_gradients");
    x.zero_grad();
  }
  Tensor y = f();
  GL_CHECK(y.numel() == 1, "check_gradients: f must return one value, got shape {}", shape_str(y.shape()));
  y.backward();
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    Tensor& x = inputs[k];
    const Tensor g = x.grad();
    const std::vector<double> analytic = g.defined() ? g.to_vector() : std::vector<double>(x.numel(), 0.0);
    const double* p = x.data<double>();
    for (std::int64_t i = 0; i < x.numel(); ++i) {
      const double v = p[i];
      const double f0 = eval_at(f, x, i, v)[0];
      const double fp = eval_at(f, x, i, v + o.h)[0], fm = eval_at(f, x, i, v - o.h)[0];
      const double numeric = (fp - fm) / (2 * o.h);
      const double right = (fp - f0) / o.h, left = (f0 - fm) / o.h;
      // A NaN or an infinity on either side is a failure, never a pass: every
      // comparison with NaN is false, so it must be caught before them.
      if (!std::isfinite(analytic[i]) || !std::isfinite(numeric)) {
        ++r.checked;
        r.max_abs_error = std::numeric_limits<double>::infinity();
        if (r.ok) {
          r.ok = false;
          r.message = fmt::format(
              "non-finite gradient for input {} ({}) at flat index {} (index {}): autograd (actual) {}, finite "
              "differences (expected) {}{}",
              k, describe(x), i, index_str(x.shape(), i), analytic[i], numeric,
              std::isfinite(f0) ? "" : fmt::format("; f itself is {} there", f0));
        }
        continue;
      }
      if (std::abs(right - left) > o.kink_tol * std::max(1.0, std::abs(numeric))) {
        ++r.skipped_kinks;  // a kink lies within h of x_i: the derivative is not defined there
        continue;
      }
      ++r.checked;
      const double err = std::abs(analytic[i] - numeric);
      r.max_abs_error = std::max(r.max_abs_error, err);
      if (err > o.atol + o.rtol * std::abs(numeric) && r.ok) {
        r.ok = false;
        r.message = fmt::format(
            "gradient mismatch for input {} ({}) at flat index {} (index {}): finite differences "
            "(expected) {:.12g}, autograd (actual) {:.12g}, difference {:.3g} > atol {} + rtol {} * |expected|",
            k, describe(x), i, index_str(x.shape(), i), numeric, analytic[i], err, o.atol, o.rtol);
      }
    }
  }
  return r;
}

}  // namespace gl
