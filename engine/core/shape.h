// Shapes and row-major strides. Every tensor is contiguous and row-major:
// element (i0, i1, ..., ik) lives at sum_j i_j * stride_j, stride_last = 1.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gl {

using Shape = std::vector<std::int64_t>;
using Strides = std::vector<std::int64_t>;

// The number of elements; throws when a size is negative or the product does
// not fit in int64 (a shape such as [2^62 + 1, 4] must never wrap around).
std::int64_t numel(const Shape& s);
// numel(s) for a size `op` is about to use; its error names the op.
std::int64_t checked_numel(const char* op, const Shape& s);
// a * b and a + b for sizes (a, b >= 0), throwing naming `what` on int64 overflow.
std::int64_t checked_mul(std::int64_t a, std::int64_t b, const char* what);
std::int64_t checked_add(std::int64_t a, std::int64_t b, const char* what);
// Output length of a sliding window: (in + pad_lo + pad_hi - dilation*(k-1) - 1) / stride + 1,
// with every argument and intermediate checked; throws naming `op` when the
// window does not fit or a size overflows.
std::int64_t window_output_size(const char* op, std::int64_t in, std::int64_t pad_lo, std::int64_t pad_hi,
                                std::int64_t kernel, std::int64_t stride, std::int64_t dilation = 1);
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
