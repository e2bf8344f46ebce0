// The body of the direct convolution (see conv_direct.h), written once over
// the vector width V (floats per register) with GCC vector extensions, and
// included by one file per instruction set inside its own namespace.
// The includer defines kV (floats per register: 8 or 16) and includes
// <algorithm>, <cstdint>, <cstring>, <vector> and engine/core/backend.h first
// (this file is included inside a namespace, so it includes nothing itself).

namespace {

constexpr int kMR = 8;  // output channels per register tile (conv_direct_pack's panels)
// Column vectors per tile: 8 x 2 accumulators with AVX-512's 32 registers;
// 8 x 1 with AVX2's 16 (a wider tile would spill).
constexpr int kNV = kV == 16 ? 2 : 1;

typedef float Vec __attribute__((vector_size(kV * sizeof(float))));
typedef float VecU __attribute__((vector_size(kV * sizeof(float)), aligned(4)));  // unaligned access

inline Vec load(const float* p) { return *reinterpret_cast<const VecU*>(p); }
inline void store(float* p, Vec v) { *reinterpret_cast<VecU*>(p) = v; }


// yg[m, q .. q + NV*kV) for the kMR channels of one panel:
//   sum over taps t < taps of wt[t*kMR + m] * xp[off[t] + q + ...].
template <int NV>
inline void tile(const float* xp, const std::int64_t* off, std::int64_t taps, const float* wt,
                 std::int64_t q, float* yg, std::int64_t ld) {
  Vec acc[kMR][NV];
  for (int m = 0; m < kMR; ++m)
    for (int v = 0; v < NV; ++v) acc[m][v] = Vec{} ;
  for (std::int64_t t = 0; t < taps; ++t) {
    const float* src = xp + off[t] + q;
    Vec xv[NV];
    for (int v = 0; v < NV; ++v) xv[v] = load(src + v * kV);
    const float* w = wt + t * kMR;
    for (int m = 0; m < kMR; ++m) {
      const float b = w[m];  // scalar * vector: GCC broadcasts it (vbroadcastss)
      for (int v = 0; v < NV; ++v) acc[m][v] += b * xv[v];
    }
  }
  for (int m = 0; m < kMR; ++m)
    for (int v = 0; v < NV; ++v) store(yg + m * ld + q + v * kV, acc[m][v]);
}

// One thread's scratch: the padded image and the grid output.
struct Scratch {
  std::vector<float> xp, yg;
};

void direct_images(const float* x, const float* packed_w, const gl::ConvGeom& g, std::int64_t n0,
                   std::int64_t n1, float* y) {
  const std::int64_t Hp = g.H + 2 * g.pad_h, Wp = g.W + 2 * g.pad_w, plane = Hp * Wp;
  const std::int64_t taps = g.C * g.R * g.S, panels = (g.K + kMR - 1) / kMR;
  const std::int64_t Q = g.Ho * Wp;                    // grid columns that hold outputs
  const std::int64_t Qv = (Q + kV - 1) / kV * kV;      // rounded up to whole vectors
  // Reads reach xp[C*plane + S + kV - 3] at most (last tap, last vector): zeros there.
  const std::size_t xp_size = static_cast<std::size_t>(g.C * plane + g.S + 2 * kV);
  thread_local Scratch s;
  if (s.xp.size() < xp_size) s.xp.assign(xp_size, 0.0f);
  const std::size_t yg_size = static_cast<std::size_t>(panels * kMR * Qv);
  if (s.yg.size() < yg_size) s.yg.resize(yg_size);
  float* xp = s.xp.data();
  float* yg = s.yg.data();
  std::fill(xp + g.C * plane, xp + xp_size, 0.0f);  // the slack past the last plane

  std::vector<std::int64_t> off(static_cast<std::size_t>(taps));
  for (std::int64_t c = 0; c < g.C; ++c)
    for (std::int64_t r = 0; r < g.R; ++r)
      for (std::int64_t t = 0; t < g.S; ++t) off[static_cast<std::size_t>((c * g.R + r) * g.S + t)] = c * plane + r * Wp + t;

  for (std::int64_t n = n0; n < n1; ++n) {
    // xp = x[n] with the zero border.
    const float* img = x + n * g.C * g.H * g.W;
    for (std::int64_t c = 0; c < g.C; ++c) {
      float* p = xp + c * plane;
      std::fill(p, p + g.pad_h * Wp, 0.0f);
      for (std::int64_t h = 0; h < g.H; ++h) {
        float* row = p + (h + g.pad_h) * Wp;
        std::fill(row, row + g.pad_w, 0.0f);
        std::memcpy(row + g.pad_w, img + (c * g.H + h) * g.W, static_cast<std::size_t>(g.W) * sizeof(float));
        std::fill(row + g.pad_w + g.W, row + Wp, 0.0f);
      }
      std::fill(p + (g.pad_h + g.H) * Wp, p + plane, 0.0f);
    }
    for (std::int64_t panel = 0; panel < panels; ++panel) {
      const float* wt = packed_w + panel * taps * kMR;
      float* out = yg + panel * kMR * Qv;
      std::int64_t q = 0;
      for (; q + kNV * kV <= Qv; q += kNV * kV) tile<kNV>(xp, off.data(), taps, wt, q, out, Qv);
      for (; q < Qv; q += kV) tile<1>(xp, off.data(), taps, wt, q, out, Qv);
    }
    float* yn = y + n * g.K * g.Ho * g.Wo;
    for (std::int64_t k = 0; k < g.K; ++k)
      for (std::int64_t oh = 0; oh < g.Ho; ++oh)
        std::memcpy(yn + (k * g.Ho + oh) * g.Wo, yg + k * Qv + oh * Wp, static_cast<std::size_t>(g.Wo) * sizeof(float));
  }
}

}  // namespace
