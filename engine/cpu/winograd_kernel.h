// The body of the Winograd convolution (see winograd.h), written once over
// the vector width kV (floats per register) with GCC vector extensions and
// included by one file per instruction set inside its own namespace, like
// conv_direct_kernel.h. The includer defines kV and includes <algorithm>,
// <cstdint>, <utility>, <vector>, engine/core/backend.h and winograd_transforms.h first;
// after it, it defines horizontal_sum with its intrinsics.
//
// Layout: the lanes of a vector are kV images ("a block"), so every transform
// is plain vertical vector arithmetic, whatever the tile size. A "unit" is one
// tile position of one block, u = block * tiles + tile; a task is a range of
// units [u0, u1), and unit u owns the kV columns (u - u0) * kV + lane of the
// task's matrices (cols = (u1 - u0) * kV columns):
//   V  [alpha^2][C][cols]   BT d BT^T of every input tile (d: alpha x alpha)
//   Mo [K][alpha^2][cols]   sum_c U[xi][k][c] V[xi][c][.]   (alpha^2 GEMMs)
//   DY [alpha^2][K][cols]   A dy A^T of every output-gradient tile (dy: m x m)
// (the xi slices of V and DY are xi_stride apart, a cache line more than [C][cols]).
// with U = G w G^T packed by winograd_pack_weights: [alpha^2][K/kMR][C][kMR].

namespace {

static_assert(kV == 8 || kV == 16, "the transpose below has stages for 8 or 16 lanes");
typedef float Vec __attribute__((vector_size(kV * sizeof(float))));
typedef float VecU __attribute__((vector_size(kV * sizeof(float)), aligned(4)));  // unaligned access

inline Vec load(const float* p) { return *reinterpret_cast<const VecU*>(p); }
inline void store(float* p, Vec v) { *reinterpret_cast<VecU*>(p) = v; }
inline float horizontal_sum(Vec v);  // the sum of the lanes (the includer's intrinsics)

constexpr int kMR = 4;  // output channels per GEMM register tile (the packed panels)

// The 1-D transforms, out[i * os] = sum_j L[i][j] in[j * is] for L = BT, AT
// and A of winograd_transforms.h, written out with the common terms of rows
// shared (Lavin's F(4x4) input transform in 12 operations instead of 22).
template <int M> struct Ops;
template <> struct Ops<2> {
  static void bt(const Vec* d, int is, Vec* o, int os) {
    o[0] = d[0] - d[2 * is];
    o[os] = d[is] + d[2 * is];
    o[2 * os] = d[2 * is] - d[is];
    o[3 * os] = d[is] - d[3 * is];
  }
  static void at(const Vec* m, int is, Vec* o, int os) {
    o[0] = m[0] + m[is] + m[2 * is];
    o[os] = m[is] - m[2 * is] - m[3 * is];
  }
  static void a(const Vec* e, int is, Vec* o, int os) {
    o[0] = e[0];
    o[os] = e[0] + e[is];
    o[2 * os] = e[0] - e[is];
    o[3 * os] = -e[is];
  }
};
template <> struct Ops<4> {
  static void bt(const Vec* d, int is, Vec* o, int os) {
    const Vec d0 = d[0], d1 = d[is], d2 = d[2 * is], d3 = d[3 * is], d4 = d[4 * is], d5 = d[5 * is];
    const Vec t1 = d4 - 4.0f * d2, t2 = d3 - 4.0f * d1, t3 = d4 - d2, t4 = d3 - d1;
    o[0] = 4.0f * d0 - 5.0f * d2 + d4;
    o[os] = t1 + t2;
    o[2 * os] = t1 - t2;
    o[3 * os] = t3 + 2.0f * t4;
    o[4 * os] = t3 - 2.0f * t4;
    o[5 * os] = 4.0f * d1 - 5.0f * d3 + d5;
  }
  static void at(const Vec* m, int is, Vec* o, int os) {
    const Vec s12 = m[is] + m[2 * is], d12 = m[is] - m[2 * is];
    const Vec s34 = m[3 * is] + m[4 * is], d34 = m[3 * is] - m[4 * is];
    o[0] = m[0] + s12 + s34;
    o[os] = d12 + 2.0f * d34;
    o[2 * os] = s12 + 4.0f * s34;
    o[3 * os] = d12 + 8.0f * d34 + m[5 * is];
  }
  static void a(const Vec* e, int is, Vec* o, int os) {
    const Vec p = e[0] + e[2 * is], q = e[is] + e[3 * is];
    const Vec r = e[0] + 4.0f * e[2 * is], t = 2.0f * e[is] + 8.0f * e[3 * is];
    o[0] = e[0];
    o[os] = p + q;
    o[2 * os] = p - q;
    o[3 * os] = r + t;
    o[4 * os] = r - t;
    o[5 * os] = e[3 * is];
  }
};

// out = L in L^T with a 1-D transform f (Ri inputs, Ro outputs): in [Ri][Ri]
// and out [Ro][Ro], row-major arrays of vectors.
template <int Ro, int Ri, class F>
[[gnu::always_inline]] inline void apply2d(F f, const Vec* in, Vec* out) {
  Vec tmp[Ro * Ri];
#pragma GCC unroll 8
  for (int s = 0; s < Ri; ++s) f(in + s, Ri, tmp + s, Ri);  // tmp = L in (column by column)
#pragma GCC unroll 8
  for (int i = 0; i < Ro; ++i) f(tmp + i * Ri, 1, out + i * Ro, 1);  // out = tmp L^T
}

// ---- kV x kV transposes between image rows and image lanes -----------------------------

// Stage B of Eklundh's transpose: rows i and i + B (bit B of i clear) swap
// their off-diagonal B-blocks. After stages 1, 2, 4, ..., kV/2, r[i][k] holds
// the old r[k][i].
template <int B, std::size_t... K>
inline Vec lower_half(Vec a, Vec b, std::index_sequence<K...>) {
  return __builtin_shufflevector(a, b, ((K & B) ? static_cast<int>(kV + K - B) : static_cast<int>(K))...);
}
template <int B, std::size_t... K>
inline Vec upper_half(Vec a, Vec b, std::index_sequence<K...>) {
  return __builtin_shufflevector(a, b, ((K & B) ? static_cast<int>(kV + K) : static_cast<int>(K + B))...);
}
template <int B> inline void transpose_stage(Vec* r) {
  constexpr auto lanes = std::make_index_sequence<kV>();
#pragma GCC unroll 16
  for (int i = 0; i < kV; ++i) {
    if (i & B) continue;
    const Vec a = r[i], b = r[i + B];
    r[i] = lower_half<B>(a, b, lanes);
    r[i + B] = upper_half<B>(a, b, lanes);
  }
}
inline void transpose(Vec* r) {
  transpose_stage<1>(r);
  transpose_stage<2>(r);
  transpose_stage<4>(r);
  if constexpr (kV == 16) transpose_stage<8>(r);
}

// The first n (<= kV) floats at p, zeros above (p[n..] is not read).
inline Vec load_first(const float* p, std::int64_t n) {
  if (n == kV) return load(p);
  alignas(64) float tmp[kV] = {};
  for (std::int64_t i = 0; i < n; ++i) tmp[i] = p[i];
  return load(tmp);
}
// p[0 .. n) = the first n lanes of v.
inline void store_first(float* p, Vec v, std::int64_t n) {
  if (n == kV) return store(p, v);
  for (std::int64_t i = 0; i < n; ++i) p[i] = v[i];
}

struct Plan {
  std::int64_t tiles_h, tiles_w, tiles;  // tiles of one image (m x m outputs each)
  std::int64_t blocks, units;            // blocks of kV images; units = blocks * tiles
};
inline Plan make_plan(const gl::ConvGeom& g, int m) {
  Plan p;
  p.tiles_h = (g.Ho + m - 1) / m;
  p.tiles_w = (g.Wo + m - 1) / m;
  p.tiles = p.tiles_h * p.tiles_w;
  p.blocks = (g.N + kV - 1) / kV;
  p.units = p.blocks * p.tiles;
  return p;
}

// Floats from one xi slice of V or DY ([channels][cols]) to the next: one
// cache line more than the slice, because the slices are often a multiple of
// 4 KB long, and the alpha^2 stores of one tile would all fall into one L1
// set (measured: the input transform ran ~2x slower that way).
inline std::int64_t xi_stride(std::int64_t channels, std::int64_t cols) { return channels * cols + 16; }

// One float buffer a thread per role, grown as needed and kept.
inline float* scratch(std::vector<float>& buf, std::int64_t n) {
  if (static_cast<std::int64_t>(buf.size()) < n) buf.resize(static_cast<std::size_t>(n));
  return buf.data();
}

// slab [rows][cols][kV]: slab[r][j][lane] = src[n0 + lane][ch][row0 + r][col0 + j]
// for lanes < count, and zero outside the [H, W] plane and for the other lanes.
// src is [*, channels, H, W]. Rows of kV columns of the kV images are read as
// vectors and transposed in registers into kV columns of image lanes.
void pack_slab(const float* src, std::int64_t channels, std::int64_t H, std::int64_t W,
               std::int64_t n0, std::int64_t count, std::int64_t ch, std::int64_t row0,
               std::int64_t rows, std::int64_t col0, std::int64_t cols, float* slab) {
  const std::int64_t w_lo = std::max<std::int64_t>(0, col0), w_hi = std::min(W, col0 + cols);
  const std::int64_t h_lo = std::max<std::int64_t>(0, row0), h_hi = std::min(H, row0 + rows);
  const std::int64_t plane = H * W, image = channels * plane;
  const float* first = src + n0 * image + ch * plane;
  for (std::int64_t r = 0; r < rows; ++r) {
    float* out = slab + r * cols * kV;
    const std::int64_t h = row0 + r;
    if (h < h_lo || h >= h_hi) {
      std::fill(out, out + cols * kV, 0.0f);
      continue;
    }
    std::fill(out, out + (w_lo - col0) * kV, 0.0f);  // the left border
    std::fill(out + (w_hi - col0) * kV, out + cols * kV, 0.0f);  // the right border
    for (std::int64_t w0 = w_lo; w0 < w_hi; w0 += kV) {
      const std::int64_t n = std::min<std::int64_t>(kV, w_hi - w0);
      Vec v[kV];
      for (std::int64_t lane = 0; lane < kV; ++lane)
        v[lane] = lane < count ? load_first(first + lane * image + h * W + w0, n) : Vec{};
      transpose(v);
      for (std::int64_t i = 0; i < n; ++i) store(out + (w0 - col0 + i) * kV, v[i]);
    }
  }
}

// The inverse for outputs: dst[n0 + lane][ch][row0 + r][j] = slab[r][j][lane]
// for lanes < count, rows r < rows and columns j < W (slab rows are `cols` >= W
// wide, and readable up to a whole vector past W).
void unpack_slab(const float* slab, std::int64_t rows, std::int64_t cols, std::int64_t n0,
                 std::int64_t count, std::int64_t ch, std::int64_t channels, std::int64_t H,
                 std::int64_t W, std::int64_t row0, float* dst) {
  const std::int64_t plane = H * W, image = channels * plane;
  float* first = dst + n0 * image + ch * plane;
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* in = slab + r * cols * kV;
    for (std::int64_t w0 = 0; w0 < W; w0 += kV) {
      const std::int64_t n = std::min<std::int64_t>(kV, W - w0);
      Vec v[kV];
      for (std::int64_t i = 0; i < kV; ++i) v[i] = load(in + (w0 + i) * kV);
      transpose(v);
      for (std::int64_t lane = 0; lane < count; ++lane)
        store_first(first + lane * image + (row0 + r) * W + w0, v[lane], n);
    }
  }
}

// The units of [u0, u1) that lie in block b: tiles [t0, t1), tile rows [th0, th1).
struct BlockSpan {
  std::int64_t t0, t1, th0, th1;
};
inline BlockSpan block_span(const Plan& p, std::int64_t b, std::int64_t u0, std::int64_t u1) {
  BlockSpan s;
  s.t0 = std::max<std::int64_t>(u0 - b * p.tiles, 0);
  s.t1 = std::min(u1 - b * p.tiles, p.tiles);
  s.th0 = s.t0 / p.tiles_w;
  s.th1 = (s.t1 - 1) / p.tiles_w + 1;
  return s;
}

// out [alpha^2][channels][cols] = L t L^T (the 1-D transform f, Ri inputs and
// alpha outputs) for every Ri x Ri tile t of src [N, channels, H, W] in units
// [u0, u1): tile (th, tw) starts at row th*M - pad_h, column tw*M - pad_w, and
// reads zeros outside the plane.
template <int M, int Ri, class F>
void transform_tiles(const float* src, std::int64_t N, std::int64_t channels, std::int64_t H,
                     std::int64_t W, std::int64_t pad_h, std::int64_t pad_w, const Plan& p,
                     std::int64_t u0, std::int64_t u1, F f, float* out) {
  constexpr int alpha = M + 2, a2 = alpha * alpha;
  const std::int64_t cols = (u1 - u0) * kV, slab_w = p.tiles_w * M + (Ri - M);
  thread_local std::vector<float> slab_buf;
  for (std::int64_t b = u0 / p.tiles; b * p.tiles < u1; ++b) {
    const BlockSpan s = block_span(p, b, u0, u1);
    const std::int64_t n0 = b * kV, count = std::min<std::int64_t>(kV, N - n0);
    const std::int64_t slab_h = (s.th1 - s.th0) * M + (Ri - M);
    float* slab = scratch(slab_buf, slab_h * slab_w * kV);
    for (std::int64_t c = 0; c < channels; ++c) {
      pack_slab(src, channels, H, W, n0, count, c, s.th0 * M - pad_h, slab_h, -pad_w, slab_w, slab);
      for (std::int64_t t = s.t0; t < s.t1; ++t) {
        const std::int64_t th = t / p.tiles_w - s.th0, tw = t % p.tiles_w;
        const float* origin = slab + (th * M * slab_w + tw * M) * kV;
        Vec in[Ri * Ri], v[a2];
#pragma GCC unroll 8
        for (int r = 0; r < Ri; ++r)
#pragma GCC unroll 8
          for (int q = 0; q < Ri; ++q) in[r * Ri + q] = load(origin + (r * slab_w + q) * kV);
        apply2d<alpha, Ri>(f, in, v);
        float* dst = out + c * cols + (b * p.tiles + t - u0) * kV;
#pragma GCC unroll 8
        for (int xi = 0; xi < a2; ++xi) store(dst + xi * xi_stride(channels, cols), v[xi]);
      }
    }
  }
}

// V [alpha^2][C][cols] = BT d BT^T for every alpha x alpha tile d of x (padded).
template <int M>
void transform_input(const float* x, const gl::ConvGeom& g, const Plan& p, std::int64_t u0,
                     std::int64_t u1, float* V) {
  transform_tiles<M, M + 2>(x, g.N, g.C, g.H, g.W, g.pad_h, g.pad_w, p, u0, u1, Ops<M>::bt, V);
}

// DY [alpha^2][K][cols] = A dy A^T for every m x m tile of dy [N, K, Ho, Wo].
template <int M>
void transform_output_grad(const float* dy, const gl::ConvGeom& g, const Plan& p, std::int64_t u0,
                           std::int64_t u1, float* DY) {
  transform_tiles<M, M>(dy, g.N, g.K, g.Ho, g.Wo, 0, 0, p, u0, u1, Ops<M>::a, DY);
}

// out[m][.] = sum_c u[c][m] v[c][.] for kMR rows and NV vectors of columns;
// rows past `rows` (zero weights past K) are not stored.
template <int NV>
inline void gemm_tile(const float* u, const float* v, std::int64_t C, std::int64_t cols, float* out,
                      std::int64_t out_stride, int rows) {
  Vec acc[kMR][NV];
  for (int m = 0; m < kMR; ++m)
    for (int n = 0; n < NV; ++n) acc[m][n] = Vec{};
  for (std::int64_t c = 0; c < C; ++c) {
    Vec xv[NV];
    for (int n = 0; n < NV; ++n) xv[n] = load(v + c * cols + n * kV);
    const float* w = u + c * kMR;
    for (int m = 0; m < kMR; ++m) {
      const float b = w[m];
      for (int n = 0; n < NV; ++n) acc[m][n] += b * xv[n];
    }
  }
  if (rows == kMR) {  // the usual case, stored straight from the registers
    for (int m = 0; m < kMR; ++m)
      for (int n = 0; n < NV; ++n) store(out + m * out_stride + n * kV, acc[m][n]);
    return;
  }
  for (int m = 0; m < rows; ++m)
    for (int n = 0; n < NV; ++n) store(out + m * out_stride + n * kV, acc[m][n]);
}

// y for units [u0, u1): transform, alpha^2 GEMMs, inverse transform. The
// range must hold whole rows of tiles (winograd_forward's tasks do): the
// outputs leave a slab of whole rows.
template <int M>
void forward_units(const float* x, const float* packed_u, const gl::ConvGeom& g, std::int64_t u0,
                   std::int64_t u1, float* y) {
  constexpr int alpha = M + 2, a2 = alpha * alpha;
  const Plan p = make_plan(g, M);
  const std::int64_t cols = (u1 - u0) * kV, panels = (g.K + kMR - 1) / kMR;
  thread_local std::vector<float> v_buf, m_buf;
  float* V = scratch(v_buf, a2 * xi_stride(g.C, cols));
  float* Mo = scratch(m_buf, g.K * a2 * cols);
  transform_input<M>(x, g, p, u0, u1, V);

  for (int xi = 0; xi < a2; ++xi) {
    const float* vx = V + xi * xi_stride(g.C, cols);
    for (std::int64_t panel = 0; panel < panels; ++panel) {
      const float* u = packed_u + (xi * panels + panel) * g.C * kMR;
      const int rows = static_cast<int>(std::min<std::int64_t>(kMR, g.K - panel * kMR));
      float* out = Mo + (panel * kMR * a2 + xi) * cols;
      std::int64_t j = 0;
      for (; j + 3 * kV <= cols; j += 3 * kV) gemm_tile<3>(u, vx + j, g.C, cols, out + j, a2 * cols, rows);
      if (j + 2 * kV <= cols) {
        gemm_tile<2>(u, vx + j, g.C, cols, out + j, a2 * cols, rows);
        j += 2 * kV;
      }
      if (j < cols) gemm_tile<1>(u, vx + j, g.C, cols, out + j, a2 * cols, rows);
    }
  }

  // y: AT Mo AT^T of each tile into a slab of the block's tile rows, then
  // transposed out to y's rows (the slab is a whole vector wider than the tiles).
  const std::int64_t slab_w = p.tiles_w * M + kV;
  thread_local std::vector<float> y_buf;
  for (std::int64_t b = u0 / p.tiles; b * p.tiles < u1; ++b) {
    const BlockSpan s = block_span(p, b, u0, u1);
    const std::int64_t n0 = b * kV, count = std::min<std::int64_t>(kV, g.N - n0);
    const std::int64_t oh0 = s.th0 * M, oh1 = std::min(g.Ho, s.th1 * M);
    float* slab = scratch(y_buf, (s.th1 - s.th0) * M * slab_w * kV);
    for (std::int64_t k = 0; k < g.K; ++k) {
      for (std::int64_t t = s.t0; t < s.t1; ++t) {
        const std::int64_t th = t / p.tiles_w - s.th0, tw = t % p.tiles_w;
        const float* in = Mo + k * a2 * cols + (b * p.tiles + t - u0) * kV;
        Vec mv[a2], o[M * M];
#pragma GCC unroll 8
        for (int xi = 0; xi < a2; ++xi) mv[xi] = load(in + xi * cols);
        apply2d<M, alpha>(Ops<M>::at, mv, o);
        float* origin = slab + (th * M * slab_w + tw * M) * kV;
#pragma GCC unroll 8
        for (int i = 0; i < M; ++i)
#pragma GCC unroll 8
          for (int j = 0; j < M; ++j) store(origin + (i * slab_w + j) * kV, o[i * M + j]);
      }
      unpack_slab(slab, oh1 - oh0, slab_w, n0, count, k, g.K, g.Ho, g.Wo, oh0, y);
    }
  }
}

// out[m * C + n] += sum_j dy[m][j] d[n][j] (rows of DY[xi] and D[xi], `cols` long).
template <int MR, int NT>
inline void dw_tile(const float* dy, const float* d, std::int64_t cols, float* out, std::int64_t C) {
  Vec acc[MR][NT];
  for (int m = 0; m < MR; ++m)
    for (int n = 0; n < NT; ++n) acc[m][n] = Vec{};
  for (std::int64_t j = 0; j < cols; j += kV) {
    Vec dv[NT];
    for (int n = 0; n < NT; ++n) dv[n] = load(d + n * cols + j);
    for (int m = 0; m < MR; ++m) {
      const Vec e = load(dy + m * cols + j);
      for (int n = 0; n < NT; ++n) acc[m][n] += e * dv[n];
    }
  }
  for (int m = 0; m < MR; ++m)
    for (int n = 0; n < NT; ++n) out[m * C + n] += horizontal_sum(acc[m][n]);
}

// Register tile of the weight-gradient GEMM: rows (output channels) x columns
// (input channels), 2 x 4 accumulators for AVX2's 16 registers, 4 x 6 for AVX-512's 32.
constexpr int kDwRows = kV == 16 ? 4 : 2;
constexpr int kDwCols = kV == 16 ? 6 : 4;

template <int MR>
void dw_rows(const float* dy, const float* d, std::int64_t C, std::int64_t cols, float* out) {
  std::int64_t c = 0;
  for (; c + kDwCols <= C; c += kDwCols) dw_tile<MR, kDwCols>(dy, d + c * cols, cols, out + c, C);
  for (; c < C; ++c) dw_tile<MR, 1>(dy, d + c * cols, cols, out + c, C);
}

// dw_hat [alpha^2][K][C] += sum over units [u0, u1) of DY[xi][k][.] . D[xi][c][.],
// the weight gradient in the transformed domain (winograd.cpp applies G^T . G).
template <int M>
void weight_grad_units(const float* x, const float* dy, const gl::ConvGeom& g, std::int64_t u0,
                       std::int64_t u1, float* dw_hat) {
  constexpr int alpha = M + 2, a2 = alpha * alpha;
  const Plan p = make_plan(g, M);
  const std::int64_t cols = (u1 - u0) * kV;
  thread_local std::vector<float> d_buf, dy_buf;
  float* D = scratch(d_buf, a2 * xi_stride(g.C, cols));
  float* DY = scratch(dy_buf, a2 * xi_stride(g.K, cols));
  transform_input<M>(x, g, p, u0, u1, D);
  transform_output_grad<M>(dy, g, p, u0, u1, DY);
  for (int xi = 0; xi < a2; ++xi) {
    const float* dx_i = D + xi * xi_stride(g.C, cols);
    const float* dy_i = DY + xi * xi_stride(g.K, cols);
    float* out = dw_hat + xi * g.K * g.C;
    std::int64_t k = 0;
    for (; k + kDwRows <= g.K; k += kDwRows) dw_rows<kDwRows>(dy_i + k * cols, dx_i, g.C, cols, out + k * g.C);
    for (; k < g.K; ++k) dw_rows<1>(dy_i + k * cols, dx_i, g.C, cols, out + k * g.C);
  }
}

}  // namespace
