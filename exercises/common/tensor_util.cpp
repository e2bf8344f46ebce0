#include "exercises/common/tensor_util.h"

#include <algorithm>
#include <cmath>

#include "engine/core/error.h"

namespace gl::ex {

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  GL_CHECK(a.size() == b.size(), "max_abs_diff: {} values vs {} values", a.size(), b.size());
  double m = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}
double max_abs_diff(const Tensor& a, const Tensor& b) { return max_abs_diff(a.to_vector(), b.to_vector()); }

Tensor f64(const std::vector<double>& values, const Shape& shape) {
  return Tensor::from_vector(values, shape, DType::f64);
}

std::vector<std::vector<std::string>> cells(const Tensor& t, int significant) {
  std::int64_t rows = t.dim() == 2 ? t.size(0) : 1;
  std::int64_t cols = t.numel() / std::max<std::int64_t>(rows, 1);
  return format_matrix(t.to_vector(), rows, cols, significant);
}

nlohmann::json to_json(const Tensor& t) {
  auto v = t.to_vector();
  if (t.dim() == 0) return v[0];
  if (t.dim() == 1) return v;
  return json_matrix(v, t.size(0), t.numel() / t.size(0));
}

double norm2(const Tensor& t) {
  double s = 0.0;
  for (double v : t.to_vector()) s += v * v;
  return std::sqrt(s);
}

}  // namespace gl::ex
