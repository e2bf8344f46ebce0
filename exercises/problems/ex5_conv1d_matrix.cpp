// Problem 5: a 1-D convolution as a matrix, Y~ = A X~, and its back-propagation dL/dX~ = B dL/dY~.
//
// Shapes (one example): X [Cin, L], weight [Cout, Cin, S] (engine layout: weight[j-1][i-1][k-1]
// is the assignment's w^{ij}_k, kernel W_ij scanning input channel i into output channel j),
// Y [Cout, Lo], Lo = L - S + 1 (no padding, stride 1). X~ = vec(X) [Cin*L], Y~ = vec(Y) [Cout*Lo].
//   y_j[t] = sum_i sum_k w^{ij}_k x_i[t + k - 1]            =>  A[(j,t), (i, t+k-1)] = w^{ij}_k
//   dL/dx_i[u] = sum_j sum_t dL/dy_j[t] A[(j,t), (i,u)]    =>  B = A^T
//              = sum_j sum_k w^{ij}_k dL/dy_j[u - k + 1]
// which is a cross-correlation of dL/dY, zero-padded by S-1, with the flipped kernels
// V_ij = [w^{ij}_S, ..., w^{ij}_1] (from dL/dY channel j into dL/dX channel i).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <functional>

#include "engine/core/autograd.h"
#include "engine/core/gradcheck.h"
#include "engine/core/random.h"
#include "engine/ops/ops.h"
#include "exercises/common/tensor_util.h"
#include "exercises/problems/problems.h"

namespace gl::ex {
namespace {

struct Sizes {
  std::int64_t Cin, Cout, L, S, Lo;
};

std::string symbol(std::int64_t i, std::int64_t j, std::int64_t k, bool wide) {
  return wide ? fmt::format("w{},{}_{}", i, j, k) : fmt::format("w{}{}_{}", i, j, k);
}
std::string latex_symbol(std::int64_t i, std::int64_t j, std::int64_t k, bool wide) {
  return wide ? fmt::format("w^{{{},{}}}_{{{}}}", i, j, k) : fmt::format("w^{{{}{}}}_{{{}}}", i, j, k);
}

// A matrix of symbols, found by probing `matrix_of(one-hot weight)` one weight at a time.
struct SymbolicMatrix {
  std::int64_t rows = 0, cols = 0;
  std::vector<std::string> text, latex;  // row-major; "0" where no weight lands
  bool well_formed = true;               // every entry is 0 or exactly one weight
};

SymbolicMatrix probe(const Sizes& z, const std::function<Tensor(const Tensor&)>& matrix_of) {
  SymbolicMatrix m;
  bool wide = z.Cin > 9 || z.Cout > 9 || z.S > 9;
  for (std::int64_t j = 0; j < z.Cout; ++j)
    for (std::int64_t i = 0; i < z.Cin; ++i)
      for (std::int64_t k = 0; k < z.S; ++k) {
        std::vector<double> one_hot(z.Cout * z.Cin * z.S, 0.0);
        one_hot[(j * z.Cin + i) * z.S + k] = 1.0;
        Tensor M = matrix_of(f64(one_hot, {z.Cout, z.Cin, z.S}));
        if (m.text.empty()) {
          m.rows = M.size(0);
          m.cols = M.size(1);
          m.text.assign(m.rows * m.cols, "0");
          m.latex.assign(m.rows * m.cols, "0");
        }
        auto v = M.to_vector();
        for (std::size_t e = 0; e < v.size(); ++e) {
          if (v[e] == 0.0) continue;
          if (v[e] != 1.0 || m.text[e] != "0") m.well_formed = false;
          m.text[e] = symbol(i + 1, j + 1, k + 1, wide);
          m.latex[e] = latex_symbol(i + 1, j + 1, k + 1, wide);
        }
      }
  return m;
}

std::vector<std::vector<std::string>> grid(const std::vector<std::string>& v, std::int64_t rows, std::int64_t cols) {
  std::vector<std::vector<std::string>> out(rows, std::vector<std::string>(cols));
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) out[r][c] = v[r * cols + c];
  return out;
}

nlohmann::json json_grid(const std::vector<std::string>& v, std::int64_t rows, std::int64_t cols) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& row : grid(v, rows, cols)) j.push_back(row);
  return j;
}

std::vector<std::string> transpose_symbols(const SymbolicMatrix& m, bool latex) {
  std::vector<std::string> out(m.rows * m.cols);
  const auto& src = latex ? m.latex : m.text;
  for (std::int64_t r = 0; r < m.rows; ++r)
    for (std::int64_t c = 0; c < m.cols; ++c) out[c * m.rows + r] = src[r * m.cols + c];
  return out;
}

// The back-propagation kernels: V[i, j, :] = W[j, i, ::-1]  ([Cout, Cin, S] -> [Cin, Cout, S]).
Tensor flipped_kernels(const Tensor& W) {
  Tensor Wt = permute(W, {1, 0, 2});  // [Cin, Cout, S]
  std::vector<Tensor> taps;
  for (std::int64_t k = W.size(2); k-- > 0;) taps.push_back(slice(Wt, 2, k, k + 1));
  return concat(taps, 2);
}

std::vector<std::string> labels(const char* letter, std::int64_t channels, std::int64_t length) {
  std::vector<std::string> out;
  for (std::int64_t c = 1; c <= channels; ++c)
    for (std::int64_t t = 1; t <= length; ++t)
      out.push_back(channels > 9 || length > 9 ? fmt::format("{}{},{}", letter, c, t) : fmt::format("{}{}{}", letter, c, t));
  return out;
}

}  // namespace

Report run_ex5(const Ex5Options& o) {
  GL_CHECK(o.in_channels >= 1 && o.out_channels >= 1 && o.kernel >= 1 && o.length >= o.kernel,
           "ex5: need channels >= 1 and length >= kernel >= 1 (got in={}, out={}, length={}, kernel={})",
           o.in_channels, o.out_channels, o.length, o.kernel);
  Sizes z{o.in_channels, o.out_channels, o.length, o.kernel, o.length - o.kernel + 1};
  Report r("ex5", "Problem 5: back-propagation of a 1-D convolution, written as matrices");
  r.section("Problem");
  r.paragraph(fmt::format(
      "X has {} channels of length {}; {} kernels W_ij = [w^ij_1 .. w^ij_{}] (W_ij scans input channel i into\n"
      "output channel j); no padding, stride 1, no bias; Y has {} channels of length {}.\n"
      "(a) Write Y~ = A X~. (b) Write dL/dX~ = B dL/dY~ and relate A and B. (c) Is (b) a convolution of\n"
      "dL/dY into dL/dX? If so give its kernels and padding.",
      z.Cin, z.L, z.Cin * z.Cout, z.S, z.Cout, z.Lo));

  auto x_labels = labels("x", z.Cin, z.L), y_labels = labels("y", z.Cout, z.Lo);
  r.section("(a) The convolution as a matrix");
  r.paragraph("y_j[t] = sum_i sum_k w^ij_k x_i[t+k-1], so row (j,t) of A holds w^ij_k in column (i, t+k-1).\n"
              "A is found by probing the engine's explicit convolution matrix (conv1d_matrix) with one weight set\n"
              "to 1 at a time and recording where the 1 lands:",
              "$y_j[t] = \\sum_i\\sum_k w^{ij}_k\\,x_i[t+k-1]$, so row $(j,t)$ of $A$ holds $w^{ij}_k$ in column $(i,t+k-1)$. "
              "$A$ is found by probing the engine's explicit convolution matrix one weight at a time:");
  SymbolicMatrix A = probe(z, [&](const Tensor& w) { return conv1d_matrix(w, z.L); });
  r.matrix("A", grid(A.text, A.rows, A.cols), y_labels, x_labels, grid(A.latex, A.rows, A.cols));
  r.check("every entry of A is 0 or exactly one weight", A.well_formed, 0, 0,
          fmt::format("{} probes of conv1d_matrix", z.Cin * z.Cout * z.S));

  // Numbers: random weights, input and upstream gradient.
  Rng rng(o.seed);
  Tensor W = Tensor::randn({z.Cout, z.Cin, z.S}, rng, 0.0, 1.0, DType::f64).set_name("W");   // [Cout, Cin, S]
  Tensor X = Tensor::randn({1, z.Cin, z.L}, rng, 0.0, 1.0, DType::f64).set_name("X");        // [1, Cin, L]
  Tensor G = Tensor::randn({1, z.Cout, z.Lo}, rng, 0.0, 1.0, DType::f64).set_name("dL/dY");  // [1, Cout, Lo]
  X.set_requires_grad(true);
  Tensor A_num = conv1d_matrix(W, z.L);                                                      // [Cout*Lo, Cin*L]
  Tensor Y = conv1d(X, W).set_name("Y");                                                     // [1, Cout, Lo]
  Tensor AX = matmul(A_num, reshape(X.detach(), {z.Cin * z.L, 1}));                          // [Cout*Lo, 1]
  double d_ax = max_abs_diff(AX, Y.detach());
  r.check("A X~ == conv1d(X, W) (im2col) on random values", d_ax <= 1e-12, d_ax, 1e-12,
          fmt::format("seed {}", o.seed));
  // The symbolic A evaluated at W must be the numeric A.
  auto Wv = W.to_vector();
  std::vector<double> A_eval(A.rows * A.cols, 0.0);
  {
    std::vector<double> probe_sum(A.rows * A.cols, 0.0);
    for (std::int64_t p = 0; p < z.Cout * z.Cin * z.S; ++p) {
      std::vector<double> one_hot(Wv.size(), 0.0);
      one_hot[p] = 1.0;
      auto pattern = conv1d_matrix(f64(one_hot, W.shape()), z.L).to_vector();
      for (std::size_t e = 0; e < pattern.size(); ++e) A_eval[e] += Wv[p] * pattern[e];
    }
  }
  double d_sym = max_abs_diff(A_eval, A_num.to_vector());
  r.check("symbolic A evaluated at W == conv1d_matrix(W)", d_sym <= 1e-12, d_sym, 1e-12, "");
  Tensor X_fd = X.detach().clone();
  Tensor J_fd = numerical_jacobian([&] { NoGradGuard ng; return conv1d(X_fd, W); }, X_fd, 1e-6);
  double d_fd = max_abs_diff(J_fd, A_num);
  r.check("A == finite-difference Jacobian dY~/dX~", d_fd <= 1e-8, d_fd, 1e-8, "central differences, h = 1e-6");

  r.section("(b) Back-propagation as a matrix");
  r.paragraph("dL/dx_i[u] = sum_{j,t} (dy_j[t]/dx_i[u]) dL/dy_j[t] = sum_{j,t} A[(j,t),(i,u)] dL/dy_j[t], hence\n"
              "dL/dX~ = A^T dL/dY~: B = A^T (the Jacobian dY~/dX~ = A, transposed).\n"
              "B below is probed from the engine's AUTOGRAD Jacobian (one backward pass per output, one weight at a time):",
              "$\\frac{\\partial L}{\\partial x_i[u]} = \\sum_{j,t} A_{(j,t),(i,u)}\\frac{\\partial L}{\\partial y_j[t]}$, "
              "hence $B = A^\\top$. $B$ below is probed from the engine's autograd Jacobian:");
  SymbolicMatrix B = probe(z, [&](const Tensor& w) {
    Tensor xp = Tensor::zeros({1, z.Cin, z.L}, DType::f64).set_requires_grad(true);
    return transpose(jacobian(conv1d(xp, w), xp));  // [Cin*L, Cout*Lo]
  });
  auto dx_labels = labels("dx", z.Cin, z.L), dy_labels = labels("dy", z.Cout, z.Lo);
  r.matrix("B", grid(B.text, B.rows, B.cols), dx_labels, dy_labels, grid(B.latex, B.rows, B.cols));
  bool b_is_at = B.well_formed && B.text == transpose_symbols(A, false);
  r.check("symbolic B (autograd) == A^T (entry by entry)", b_is_at, 0, 0, "");
  Tensor J = jacobian(Y, X);                                                          // [Cout*Lo, Cin*L]
  double d_j = max_abs_diff(transpose(J), transpose(A_num));
  r.check("numeric B = autograd Jacobian^T == A^T", d_j <= 1e-12, d_j, 1e-12, "random W");
  Tensor Lsum = sum(Y * G).set_name("L");
  r.graph_dot = to_dot(Lsum);
  Lsum.backward();
  Tensor dX = X.grad();                                                               // [1, Cin, L]
  Tensor B_dY = matmul(transpose(A_num), reshape(G, {z.Cout * z.Lo, 1}));
  double d_b = max_abs_diff(dX, B_dY);
  r.check("autograd dL/dX~ == A^T dL/dY~ for L = sum(Y * G)", d_b <= 1e-12, d_b, 1e-12, "G random");

  r.section("(c) Back-propagation as a convolution");
  std::int64_t pad = z.S - 1;
  Tensor V = flipped_kernels(W);                                                      // [Cin, Cout, S]
  Tensor dX_conv = conv1d(G, V, Tensor(), 1, pad);                                    // [1, Cin, L]
  double d_c = max_abs_diff(dX_conv, dX);
  Tensor B_conv = conv1d_matrix(V, z.Lo, 1, pad);                                     // [Cin*L, Cout*Lo]
  double d_bc = max_abs_diff(B_conv, transpose(A_num));
  bool wide = z.Cin > 9 || z.Cout > 9 || z.S > 9;
  std::vector<std::vector<std::string>> kernel_rows;
  nlohmann::json kernels = nlohmann::json::object();
  for (std::int64_t i = 1; i <= z.Cin; ++i)
    for (std::int64_t j = 1; j <= z.Cout; ++j) {
      std::vector<std::string> taps;
      for (std::int64_t k = z.S; k >= 1; --k) taps.push_back(symbol(i, j, k, wide));
      std::string key = wide ? fmt::format("V_{},{}", i, j) : fmt::format("V_{}{}", i, j);
      kernel_rows.push_back({key, fmt::format("dL/dY channel {}", j), fmt::format("dL/dX channel {}", i),
                             fmt::format("[{}]", fmt::join(taps, ", "))});
      kernels[key] = taps;
      r.expected.push_back(
          symbolic_item("c." + key, fmt::format("kernel from dL/dY channel {} into dL/dX channel {}", j, i), {z.S}, taps));
    }
  r.paragraph(fmt::format(
      "Yes. dL/dx_i[u] = sum_j sum_k w^ij_k dL/dy_j[u-k+1]: a cross-correlation of dL/dY, zero-padded by\n"
      "S - 1 = {} on both sides (\"full\" padding), stride 1, with the kernels flipped and the channel roles\n"
      "swapped: the kernel from dL/dY channel j into dL/dX channel i is V_ij = W_ij reversed. Each block of A\n"
      "is a banded (Toeplitz) matrix; its transpose is again banded, with the taps in reverse order.\n"
      "(This is the 'transposed convolution'; with stride > 1, dL/dY would also be dilated by the stride.)",
      pad));
  r.table({"kernel", "scans", "contributes to", "taps"}, kernel_rows);
  r.check("conv1d(dL/dY, V, padding S-1) == autograd dL/dX", d_c <= 1e-12, d_c, 1e-12, "the answer to (c), run");
  r.check("conv1d_matrix(V, padding S-1) == A^T", d_bc <= 1e-12, d_bc, 1e-12, "the back convolution's matrix is B");

  r.section("Answer");
  r.paragraph(fmt::format(
      "(a) A is the {} x {} matrix above. (b) B = A^T (the {} x {} matrix above): back-propagation multiplies by the\n"
      "transpose of the forward matrix. (c) Yes: dL/dX = conv(pad(dL/dY, {}), V) with V_ij = W_ij flipped,\n"
      "{} input and {} output channels, stride 1.",
      A.rows, A.cols, B.rows, B.cols, pad, z.Cout, z.Cin));

  r.values["sizes"] = {{"in_channels", z.Cin}, {"out_channels", z.Cout}, {"length", z.L}, {"kernel", z.S},
                       {"out_length", z.Lo}, {"seed", o.seed}};
  r.values["x_labels"] = x_labels;
  r.values["y_labels"] = y_labels;
  r.values["A_symbolic"] = json_grid(A.text, A.rows, A.cols);
  r.values["B_symbolic"] = json_grid(B.text, B.rows, B.cols);
  r.values["W"] = Wv;
  r.values["X"] = X.detach().to_vector();
  r.values["Y"] = Y.detach().to_vector();
  r.values["A_numeric"] = to_json(A_num);
  r.values["dL_dY"] = G.to_vector();
  r.values["dL_dX"] = dX.to_vector();
  r.values["dL_dX_by_convolution"] = dX_conv.to_vector();
  r.values["back_kernels"] = kernels;
  r.values["back_padding"] = pad;
  r.values["back_stride"] = 1;

  r.answer_note =
      "Symbols: w12_3 is w^{12}_3 (kernel W_12: input channel 1 -> output channel 2, tap 3); write 0 for zero\n"
      "entries (w^{12}_3 is accepted too). B may be written out or in terms of A. b.relation: one word naming how\n"
      "B relates to A. c.is_convolution: yes or no.\n"
      "c.V_ij: the kernel from dL/dY channel j into dL/dX channel i, taps in order.";
  r.expected.insert(r.expected.begin(),
                    {symbolic_item("A", "Y~ = A X~ (entries like w12_3 or 0)", {A.rows, A.cols}, A.text),
                     symbolic_item("B", "dL/dX~ = B dL/dY~", {B.rows, B.cols}, B.text),
                     choice_item("b.relation", "how B relates to A", {"transpose", "transposed", "A^T", "A_transpose", "A.T", "AT"},
                                 {"equal", "equals", "same", "identical", "inverse", "inverted", "A^-1", "A^{-1}"}),
                     choice_item("c.is_convolution", "is dL/dX~ = B dL/dY~ a convolution?", {"yes", "y", "true"},
                                 {"no", "n", "false"}),
                     numeric_item("c.padding", "zero padding of dL/dY on each side", {}, {double(pad)})});
  r.expected[1].transpose_of = "A";  // B = A^T, A.T, transpose(A): graded by the student's own A
  r.expected[1].mistakes.push_back({fmt::format("B is written as A: B maps the {} output gradients to the {} input "
                                                "gradients, so it is {} x {}", A.rows, A.cols, A.cols, A.rows),
                                    {}, A.text, {A.rows, A.cols}});
  r.expected[2].mistakes.push_back({"B is not A itself: B is the Jacobian's other orientation", {}, {"equal", "equals", "same", "identical"}, {}});
  r.expected[2].mistakes.push_back({"not the inverse: A is not even square", {}, {"inverse", "inverted", "A^-1", "A^{-1}"}, {}});
  if (pad != 1)
    r.expected[4].mistakes.push_back({"the wrong padding: 1 is 'same' padding for a kernel of 3; the back convolution must "
                                      "reach every output a tap touched", {1.0}, {}, {}});
  r.expected[4].mistakes.push_back({"the wrong padding: without padding the back convolution is shorter than dL/dX", {0.0}, {}, {}});
  return r;
}

}  // namespace gl::ex
