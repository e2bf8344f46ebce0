// The Winograd minimal-filtering matrices F(m x m, 3 x 3) of Lavin and Gray,
// "Fast Algorithms for Convolutional Neural Networks" (2016). One tile of
// alpha x alpha inputs d (alpha = m + 2) and a 3x3 kernel g give the m x m
// outputs of the correlation y[i][j] = sum_{r,s} d[i+r][j+s] g[r][s] as
//
//   y = AT [ (G g G^T) (.) (BT d BT^T) ] AT^T       (.) elementwise
//
// which costs alpha^2 multiplications per tile instead of 9 m^2: 16 vs 36
// for F(2x2) (2.25x fewer), 36 vs 144 for F(4x4) (4x fewer). The rest is the
// transforms, which the convolution amortizes over channels (see winograd.h).
//
// The adjoint gives the weight gradient with the same matrices: for an output
// gradient dy (m x m) of the tile, dL/dg = G^T [ (A dy A^T) (.) (BT d BT^T) ] G
// with A = AT^T, summed over tiles.
//
// BT and AT have small integer entries (exact in float); G has fractions and is
// applied once per layer, in double.
#pragma once

namespace gl::cpu::winograd {

template <int M> struct Transform;

template <> struct Transform<2> {  // F(2x2, 3x3): interpolation points 0, 1, -1, infinity
  static constexpr int kM = 2, kAlpha = 4;
  static constexpr float BT[4][4] = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
  static constexpr double G[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  static constexpr float AT[2][4] = {{1, 1, 1, 0}, {0, 1, -1, -1}};
  static constexpr float A[4][2] = {{1, 0}, {1, 1}, {1, -1}, {0, -1}};  // AT transposed
};

template <> struct Transform<4> {  // F(4x4, 3x3): points 0, 1, -1, 2, -2, infinity
  static constexpr int kM = 4, kAlpha = 6;
  static constexpr float BT[6][6] = {{4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
                                     {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
  static constexpr double G[6][3] = {{1.0 / 4, 0, 0},
                                     {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                     {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                     {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                     {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                     {0, 0, 1}};
  static constexpr float AT[4][6] = {
      {1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}};
  static constexpr float A[6][4] = {{1, 0, 0, 0}, {1, 1, 1, 1},  {1, -1, 1, -1},
                                    {1, 2, 4, 8}, {1, -2, 4, -8}, {0, 0, 0, 1}};
};

}  // namespace gl::cpu::winograd
