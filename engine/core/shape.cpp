#include "engine/core/shape.h"

#include "engine/core/error.h"

namespace gl {

std::int64_t numel(const Shape& s) {
  std::int64_t n = 1;
  for (auto d : s) {
    GL_CHECK(d >= 0, "shape {}: sizes must be >= 0", shape_str(s));
    GL_CHECK(!__builtin_mul_overflow(n, d, &n),
             "shape {}: too many elements (the product of the sizes exceeds 2^63 - 1); use smaller sizes",
             shape_str(s));
  }
  return n;
}

std::int64_t checked_numel(const char* op, const Shape& s) {
  try {
    return numel(s);
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}", op, e.what()));
  }
}

std::int64_t checked_mul(std::int64_t a, std::int64_t b, const char* what) {
  std::int64_t r = 0;
  GL_CHECK(!__builtin_mul_overflow(a, b, &r), "{}: size {} x {} overflows int64; use smaller sizes", what, a, b);
  return r;
}

std::int64_t checked_add(std::int64_t a, std::int64_t b, const char* what) {
  std::int64_t r = 0;
  GL_CHECK(!__builtin_add_overflow(a, b, &r), "{}: size {} + {} overflows int64; use smaller sizes", what, a, b);
  return r;
}

std::int64_t window_output_size(const char* op, std::int64_t in, std::int64_t pad_lo, std::int64_t pad_hi,
                                std::int64_t kernel, std::int64_t stride, std::int64_t dilation) {
  GL_CHECK(in >= 0 && pad_lo >= 0 && pad_hi >= 0 && kernel >= 1 && stride >= 1 && dilation >= 1,
           "{}: need input size >= 0, padding >= 0, kernel >= 1, stride >= 1 and dilation >= 1; got input {}, "
           "padding ({}, {}), kernel {}, stride {}, dilation {}",
           op, in, pad_lo, pad_hi, kernel, stride, dilation);
  const std::int64_t padded = checked_add(checked_add(in, pad_lo, op), pad_hi, op);
  const std::int64_t span = checked_add(checked_mul(dilation, kernel - 1, op), 1, op);  // the window's extent
  GL_CHECK(padded >= span, "{}: the kernel (extent {}) is larger than the padded input ({} = {} + padding {} + {})",
           op, span, padded, in, pad_lo, pad_hi);
  return (padded - span) / stride + 1;
}

Strides contiguous_strides(const Shape& s) {
  Strides st(s.size());
  std::int64_t acc = 1;
  for (int i = static_cast<int>(s.size()) - 1; i >= 0; --i) {
    st[i] = acc;
    acc *= s[i];
  }
  return st;
}

std::string shape_str(const Shape& s) { return fmt::format("[{}]", fmt::join(s, ", ")); }

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const std::size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    // Align on the right: missing leading dims count as 1.
    const std::int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const std::int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    GL_CHECK(da == db || da == 1 || db == 1,
             "{}: shapes {} and {} do not broadcast (dimension {} is {} vs {}; sizes must be equal or 1)",
             op, shape_str(a), shape_str(b), i, da, db);
    out[i] = da == 1 ? db : da;
  }
  return out;
}

Strides broadcast_strides(const Shape& s, const Shape& out) {
  const std::size_t rank = out.size(), shift = rank - s.size();
  Strides st(rank, 0);
  std::int64_t stride = 1;
  for (std::size_t i = s.size(); i-- > 0;) {
    st[i + shift] = s[i] == 1 ? 0 : stride;
    stride *= s[i];
  }
  return st;
}

int normalize_axis(int axis, int rank, const char* op) {
  const int a = axis < 0 ? axis + rank : axis;
  GL_CHECK(a >= 0 && a < rank, "{}: axis {} is out of range for a tensor of rank {} (valid: {}..{})",
           op, axis, rank, -rank, rank - 1);
  return a;
}

}  // namespace gl
