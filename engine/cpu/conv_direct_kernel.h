// The body of the direct convolution (see conv_direct.h), written once over
// the vector width kV (floats per register) with GCC vector extensions, and
// included by one file per instruction set inside its own namespace.
// The includer defines kV (8 or 16) and includes <algorithm>, <cstdint>,
// <cstring>, <vector> and engine/core/backend.h first (this file is included
// inside a namespace, so it includes nothing itself); after it, the includer
// defines store_lanes, load_first and horizontal_sum with its intrinsics.
//
// Legend: C in-channels, K out-channels, taps t = (c, r, s) < C*R*S,
// Hp x Wp the padded plane, q a padded-grid column (oh*Wp + j), Qv the grid
// columns rounded up to whole vectors.
//
// Small maps put G images side by side in one padded plane ("a group"), so
// the grid columns that hold no output are fewer: with "same" padding
// (S - 1 = 2 pad_w) neighbours can share their pad_w zero columns, and image
// b of the group starts at column pad_w + b*span, span = W + pad_w. An 8x8
// layer then wastes 1/9 of its columns instead of 2/10, 16x16 1/17 not 2/18.

namespace {

typedef float Vec __attribute__((vector_size(kV * sizeof(float))));
typedef float VecU __attribute__((vector_size(kV * sizeof(float)), aligned(4)));  // unaligned access

inline Vec load(const float* p) { return *reinterpret_cast<const VecU*>(p); }
inline void store(float* p, Vec v) { *reinterpret_cast<VecU*>(p) = v; }
// p[i] = v[i] for lanes a <= i < b only (other lanes of p are not touched).
inline void store_lanes(float* p, Vec v, int a, int b);
// v[i] = p[i] for lanes i < n, 0 above (p[n..] is not read).
inline Vec load_first(const float* p, int n);

// dst[0 .. n) = src[0 .. n) in registers: the rows here are 8 to 34 floats,
// where a memcpy call costs more than the copy.
inline void copy_row(float* dst, const float* src, std::int64_t n) {
  std::int64_t i = 0;
  for (; i + kV <= n; i += kV) store(dst + i, load(src + i));
  if (i < n) store_lanes(dst + i, load_first(src + i, static_cast<int>(n - i)), 0, static_cast<int>(n - i));
}
// The sum of the lanes (a shuffle tree; a lane-by-lane loop cost a quarter of
// the weight-gradient tile).
inline float horizontal_sum(Vec v);

struct Grid {
  std::int64_t G, span;        // images per group, columns from one image to the next
  std::int64_t Hp, Wp, plane;  // padded plane of a group
  std::int64_t taps, Qv;
  std::int64_t xp_size;        // one padded group plus the slack reads reach
  std::vector<std::int64_t> off;  // off[t] = c*plane + r*Wp + s
};

// Images per group: enough for ~32 columns a row when the padding can be shared.
std::int64_t group_size(const gl::ConvGeom& g) {
  if (g.S - 1 != 2 * g.pad_w || g.W >= 32) return 1;
  return (32 + g.W - 1) / g.W;
}

Grid make_grid(const gl::ConvGeom& g) {
  Grid d;
  d.G = group_size(g);
  d.Hp = g.H + 2 * g.pad_h;
  d.span = d.G == 1 ? g.W + 2 * g.pad_w : g.W + g.pad_w;
  d.Wp = d.G == 1 ? d.span : d.G * d.span + g.pad_w;
  d.plane = d.Hp * d.Wp;
  d.taps = g.C * g.R * g.S;
  d.Qv = (g.Ho * d.Wp + kV - 1) / kV * kV;
  // Reads reach xp[C*plane + S + kV - 3] at most (last tap, last vector): zeros there.
  d.xp_size = g.C * d.plane + g.S + 2 * kV;
  d.off.resize(static_cast<std::size_t>(d.taps));
  for (std::int64_t c = 0; c < g.C; ++c)
    for (std::int64_t r = 0; r < g.R; ++r)
      for (std::int64_t s = 0; s < g.S; ++s)
        d.off[static_cast<std::size_t>((c * g.R + r) * g.S + s)] = c * d.plane + r * d.Wp + s;
  return d;
}

// Per-thread buffers of `slots` equal slots whose zeros (the padding border,
// the slack, the grid columns that hold no output) are written once: the
// kernels only ever write the other positions, so while the layout (`key`)
// stays the same, a slot zeroed before is still zero where it must be.
struct ZeroedSlots {
  std::vector<float> data;
  std::vector<std::int64_t> key;
  std::int64_t zeroed = 0;  // slots known to be zero outside what the kernels write
  float* get(std::vector<std::int64_t> layout, std::int64_t slot_size, std::int64_t slots) {
    if (layout != key) {
      key = std::move(layout);
      zeroed = 0;
    }
    if (static_cast<std::int64_t>(data.size()) < slots * slot_size) {
      data.resize(static_cast<std::size_t>(slots * slot_size));  // keeps the zeroed slots
    }
    if (zeroed < slots) {
      std::fill(data.begin() + zeroed * slot_size, data.begin() + slots * slot_size, 0.0f);
      zeroed = slots;
    }
    return data.data();
  }
};

// Per-thread buffers of padded groups (the border is zero, see ZeroedSlots).
float* padded_groups(ZeroedSlots& buf, const gl::ConvGeom& g, const Grid& d, std::int64_t groups) {
  return buf.get({g.C, g.H, g.W, g.pad_h, g.pad_w, d.G, d.xp_size}, d.xp_size, groups);
}
// The interior of a padded group xp: images x[n0 .. n0+count) at their
// columns; slots past count are zeroed (a short last group).
void pad_group(const float* x, const gl::ConvGeom& g, const Grid& d, std::int64_t n0,
               std::int64_t count, float* xp) {
  for (std::int64_t b = 0; b < d.G; ++b) {
    const float* img = b < count ? x + (n0 + b) * g.C * g.H * g.W : nullptr;
    for (std::int64_t c = 0; c < g.C; ++c) {
      float* p = xp + c * d.plane + g.pad_h * d.Wp + g.pad_w + b * d.span;
      for (std::int64_t h = 0; h < g.H; ++h) {
        if (img != nullptr) {
          copy_row(p + h * d.Wp, img + (c * g.H + h) * g.W, g.W);
        } else {
          std::fill(p + h * d.Wp, p + h * d.Wp + g.W, 0.0f);
        }
      }
    }
  }
}

// ---- forward: y[k, q] = sum_t w[k, t] * xp[off[t] + q] ---------------------------

constexpr int kMR = 8;  // output channels per register tile (conv_direct_pack's panels)
// Column vectors per tile: 8 x 3 accumulators with AVX-512's 32 registers
// (3 loads and 8 broadcasts per 24 FMAs); 8 x 1 with AVX2's 16 (a wider tile
// would spill).
constexpr int kNV = kV == 16 ? 3 : 1;

// Where a vector of grid columns q0 .. q0+kV-1 lands in y: runs of lanes
// [a, b) that hold outputs of image `image` of the group, each stored at
// y[image] + start + (lane - a) (start = oh*Wo + ow of lane a).
struct LaneRun {
  int a, b;
  std::int64_t image, start;
};
inline int lane_runs(std::int64_t q0, const gl::ConvGeom& g, const Grid& d, std::int64_t count,
                     LaneRun* runs) {
  int n = 0;
  for (int i = 0; i < kV;) {
    const std::int64_t q = q0 + i, oh = q / d.Wp, j = q % d.Wp;
    if (oh >= g.Ho) break;
    const std::int64_t image = j / d.span, ow = j % d.span;
    if (image >= count) {  // past the group's last image: on to the next row
      i += static_cast<int>(d.Wp - j);
      continue;
    }
    if (ow >= g.Wo) {  // padding columns between images
      i += static_cast<int>(d.span - ow);
      continue;
    }
    const int b = static_cast<int>(std::min<std::int64_t>(kV, i + (g.Wo - ow)));
    runs[n++] = {i, b, image, oh * g.Wo + ow};
    i = b;
  }
  return n;
}

// y[n0 + image, k0 + m, .] for the grid columns q .. q + NV*kV of the kMR
// channels of one panel (rows past K are computed on zero weights, not stored).
template <int NV>
inline void tile(const float* xp, const float* wt, std::int64_t q, const gl::ConvGeom& g,
                 const Grid& d, std::int64_t count, std::int64_t k0, float* y_group) {
  Vec acc[kMR][NV];
  for (int m = 0; m < kMR; ++m)
    for (int v = 0; v < NV; ++v) acc[m][v] = Vec{};
  const std::int64_t* off = d.off.data();
  for (std::int64_t t = 0; t < d.taps; ++t) {
    const float* src = xp + off[t] + q;
    Vec xv[NV];
    for (int v = 0; v < NV; ++v) xv[v] = load(src + v * kV);
    const float* w = wt + t * kMR;
    for (int m = 0; m < kMR; ++m) {
      const float b = w[m];  // scalar * vector: GCC broadcasts it (vbroadcastss)
      for (int v = 0; v < NV; ++v) acc[m][v] += b * xv[v];
    }
  }
  const std::int64_t P = g.Ho * g.Wo;
  const int rows = static_cast<int>(std::min<std::int64_t>(kMR, g.K - k0));
  for (int v = 0; v < NV; ++v) {
    LaneRun runs[kV];
    const int n = lane_runs(q + v * kV, g, d, count, runs);
    for (int r = 0; r < n; ++r) {
      float* base = y_group + (runs[r].image * g.K + k0) * P + runs[r].start - runs[r].a;
      for (int m = 0; m < rows; ++m) store_lanes(base + m * P, acc[m][v], runs[r].a, runs[r].b);
    }
  }
}

void direct_images(const float* x, const float* packed_w, const gl::ConvGeom& g, std::int64_t n0,
                   std::int64_t n1, float* y) {
  const Grid d = make_grid(g);
  const std::int64_t panels = (g.K + kMR - 1) / kMR;
  thread_local ZeroedSlots xp_buf;
  float* xp = padded_groups(xp_buf, g, d, 1);
  for (std::int64_t n = n0; n < n1; n += d.G) {
    const std::int64_t count = std::min(d.G, n1 - n);
    pad_group(x, g, d, n, count, xp);
    float* y_group = y + n * g.K * g.Ho * g.Wo;
    for (std::int64_t panel = 0; panel < panels; ++panel) {
      const float* wt = packed_w + panel * d.taps * kMR;
      const std::int64_t k0 = panel * kMR;
      std::int64_t q = 0;
      for (; q + kNV * kV <= d.Qv; q += kNV * kV) tile<kNV>(xp, wt, q, g, d, count, k0, y_group);
      if (kNV > 2 && q + 2 * kV <= d.Qv) {  // the tail: one 2-vector tile, then single vectors
        tile<2>(xp, wt, q, g, d, count, k0, y_group);
        q += 2 * kV;
      }
      for (; q < d.Qv; q += kV) tile<1>(xp, wt, q, g, d, count, k0, y_group);
    }
  }
}

// ---- weight gradient: dw[k, t] += sum over groups, q of dyg[k, q] * xp[off[t] + q] ----
// dyg is dy placed on the padded grid with zeros in the columns that hold no
// output, so the garbage columns of xp contribute nothing. Accumulators run
// over q (and over the padded groups of the call) and are summed across lanes once.

// Tile: output channels x taps of accumulators, 4 x 6 = 24 of AVX-512's 32
// registers (10 loads per 24 FMAs; 3x3 layers have 9*C taps, a multiple of
// 6 for even C), 2 x 4 of AVX2's 16.
constexpr int kDwRows = kV == 16 ? 4 : 2;
constexpr int kDwTaps = kV == 16 ? 6 : 4;

template <int MR, int NT>
inline void dw_tile(const float* xps, std::int64_t xp_stride, const float* dygs, std::int64_t dyg_stride,
                    std::int64_t groups, const Grid& d, std::int64_t k0, std::int64_t t0, float* dw) {
  Vec acc[MR][NT];
  for (int m = 0; m < MR; ++m)
    for (int j = 0; j < NT; ++j) acc[m][j] = Vec{};
  for (std::int64_t b = 0; b < groups; ++b) {
    const float* xp = xps + b * xp_stride;
    const float* dyg = dygs + b * dyg_stride + k0 * d.Qv;
    const float* src[NT];
    for (int j = 0; j < NT; ++j) src[j] = xp + d.off[static_cast<std::size_t>(t0 + j)];
    for (std::int64_t q = 0; q < d.Qv; q += kV) {
      Vec xv[NT];
      for (int j = 0; j < NT; ++j) xv[j] = load(src[j] + q);
      for (int m = 0; m < MR; ++m) {
        const Vec dv = load(dyg + m * d.Qv + q);
        for (int j = 0; j < NT; ++j) acc[m][j] += dv * xv[j];
      }
    }
  }
  for (int m = 0; m < MR; ++m)
    for (int j = 0; j < NT; ++j) dw[(k0 + m) * d.taps + t0 + j] += horizontal_sum(acc[m][j]);
}

// Tiles of MR rows over all taps (whole kDwTaps groups, then one tap at a time).
template <int MR>
void dw_rows(const float* xps, std::int64_t xp_stride, const float* dygs, std::int64_t dyg_stride,
             std::int64_t groups, const Grid& d, std::int64_t k0, float* dw) {
  std::int64_t t = 0;
  for (; t + kDwTaps <= d.taps; t += kDwTaps)
    dw_tile<MR, kDwTaps>(xps, xp_stride, dygs, dyg_stride, groups, d, k0, t, dw);
  for (; t < d.taps; ++t) dw_tile<MR, 1>(xps, xp_stride, dygs, dyg_stride, groups, d, k0, t, dw);
}

void direct_weight_grad(const float* x, const float* dy, const gl::ConvGeom& g, std::int64_t n0,
                        std::int64_t n1, float* dw) {
  const Grid d = make_grid(g);
  const std::int64_t groups = (n1 - n0 + d.G - 1) / d.G, dyg_stride = g.K * d.Qv;
  thread_local ZeroedSlots xp_buf, dyg_buf;
  float* xps = padded_groups(xp_buf, g, d, groups);
  float* dygs = dyg_buf.get({g.K, g.Ho, g.Wo, d.Wp, d.Qv, d.G}, dyg_stride, groups);
  for (std::int64_t slot = 0; slot < groups; ++slot) {
    const std::int64_t n = n0 + slot * d.G, count = std::min(d.G, n1 - n);
    pad_group(x, g, d, n, count, xps + slot * d.xp_size);
    float* dyg = dygs + slot * dyg_stride;  // its other columns stay zero
    for (std::int64_t b = 0; b < d.G; ++b) {
      const float* dyn = b < count ? dy + (n + b) * g.K * g.Ho * g.Wo : nullptr;
      for (std::int64_t k = 0; k < g.K; ++k)
        for (std::int64_t oh = 0; oh < g.Ho; ++oh) {
          float* row = dyg + k * d.Qv + oh * d.Wp + b * d.span;
          if (dyn != nullptr) {
            copy_row(row, dyn + (k * g.Ho + oh) * g.Wo, g.Wo);
          } else {
            std::fill(row, row + g.Wo, 0.0f);  // a short last group
          }
        }
    }
  }
  std::int64_t k = 0;
  for (; k + kDwRows <= g.K; k += kDwRows) dw_rows<kDwRows>(xps, d.xp_size, dygs, dyg_stride, groups, d, k, dw);
  for (; k < g.K; ++k) dw_rows<1>(xps, d.xp_size, dygs, dyg_stride, groups, d, k, dw);
}

// Images per weight-gradient call: whole groups, ~1,024 grid columns (the
// dispatcher asks the AVX2 build: the answer does not depend on kV).
[[maybe_unused]] std::int64_t weight_grad_images(const gl::ConvGeom& g) {
  const Grid d = make_grid(g);
  const std::int64_t columns = std::max<std::int64_t>(g.Ho * d.Wp, 1);
  return std::clamp<std::int64_t>((1024 + columns - 1) / columns * d.G, 1, std::max<std::int64_t>(g.N, 1));
}

}  // namespace
