// One image's im2col / col2im, shared by im2col.cpp (the backend's own
// im2col/col2im over a batch) and conv.cpp (per-image conv through GEMM).
//   x     [C, H, W]
//   cols  [C*R*S, Ho*Wo]: row (c*R + r)*S + s, column oh*Wo + ow holds
//         x[c, oh*stride_h - pad_h + r, ow*stride_w - pad_w + s] (0 outside).
// `ld` is the distance between rows of cols (Ho*Wo for one image alone; more
// when several images sit side by side as column blocks of one matrix).
#pragma once
#include <cstdint>
#include <vector>

#include "engine/core/backend.h"

namespace gl::cpu {

template <class T> void im2col_one(const T* x, const ConvGeom& g, T* cols, std::int64_t ld);
// dx[c, ih, iw] = sum of the cols entries that im2col copied from there
// (overwrites dx).
template <class T> void col2im_one(const T* cols, const ConvGeom& g, T* dx, std::int64_t ld);

// A 1x1 kernel with stride 1 and no padding has cols == x: no copy needed.
inline bool im2col_is_identity(const ConvGeom& g) {
  return g.R == 1 && g.S == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_h == 0 &&
         g.pad_w == 0;
}

// A buffer owned by the calling thread that only grows, so per-image work in
// a parallel loop reuses memory across images and calls. `slot` tells apart
// buffers needed at the same time: conv.cpp uses 0-2, im2col/col2im use 3
// (one padded channel plane).
template <class T> T* thread_scratch(std::size_t n, int slot) {
  thread_local std::vector<T> buffers[4];
  std::vector<T>& b = buffers[slot];
  if (b.size() < n) b.resize(n);
  return b.data();
}

}  // namespace gl::cpu
