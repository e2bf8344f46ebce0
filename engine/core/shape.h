// Shapes and row-major strides. Every tensor is contiguous and row-major:
// element (i0, i1, ..., ik) lives at sum_j i_j * stride_j, stride_last = 1.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gl {

using Shape = std::vector<std::int64_t>;
using Strides = std::vector<std::int64_t>;

std::int64_t numel(const Shape& s);
Strides contiguous_strides(const Shape& s);
std::string shape_str(const Shape& s);  // "[128, 16, 32, 32]"

// NumPy broadcasting: align on the right, sizes equal or 1. Throws naming `op`.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);
// Strides of `s` read inside an output of shape `out` it broadcasts to: the
// contiguous strides of s, right-aligned, 0 along dims where s has size 1 or
// is missing (the same element is read again).
Strides broadcast_strides(const Shape& s, const Shape& out);

// Negative axes count from the end; throws naming `op` when out of range.
int normalize_axis(int axis, int rank, const char* op);

}  // namespace gl
