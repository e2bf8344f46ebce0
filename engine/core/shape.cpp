#include "engine/core/shape.h"

#include "engine/core/error.h"

namespace gl {

std::int64_t numel(const Shape& s) {
  std::int64_t n = 1;
  for (auto d : s) n *= d;
  return n;
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
