// Problems 3, 4 and 5: the programs' JSON against closed forms and naive loops.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "run_program.h"

using gl::ex::test::run_json;
using std::int64_t;

namespace {

void expect_standard(const nlohmann::json& b, int64_t C, int64_t H, int64_t W) {
  EXPECT_EQ(b["conv_weights"].get<int64_t>(), 2 * 3 * 3 * C * C);
  EXPECT_EQ(b["conv_biases"].get<int64_t>(), 2 * C);
  EXPECT_EQ(b["bn_scale_shift"].get<int64_t>(), 2 * 2 * C);
  EXPECT_EQ(b["bn_running_stats"].get<int64_t>(), 2 * 2 * C);
  EXPECT_EQ(b["parameter_count"].get<int64_t>(), 18 * C * C + 4 * C);
  EXPECT_EQ(b["params_with_bias_and_bn"].get<int64_t>(), 18 * C * C + 6 * C);
  EXPECT_EQ(b["macs_per_example"].get<int64_t>(), 2 * 9 * C * C * H * W);
  // input, conv, BN, ReLU, conv, BN, add, ReLU: 8 maps of C x H x W
  EXPECT_EQ(b["activations_per_example"].get<int64_t>(), 8 * C * H * W);
}

void expect_bottleneck(const nlohmann::json& b, int64_t C, int64_t H, int64_t W) {
  int64_t m = C / 4;
  EXPECT_EQ(b["conv_weights"].get<int64_t>(), C * m + 9 * m * m + m * C);
  EXPECT_EQ(b["conv_biases"].get<int64_t>(), 2 * m + C);
  EXPECT_EQ(b["bn_scale_shift"].get<int64_t>(), 4 * m + 2 * C);
  EXPECT_EQ(b["parameter_count"].get<int64_t>(), C * m + 9 * m * m + m * C + 4 * m + 2 * C);
  EXPECT_EQ(b["macs_per_example"].get<int64_t>(), (C * m + 9 * m * m + m * C) * H * W);
  // input C; conv,BN,ReLU twice at C/4; conv,BN at C; add, ReLU at C
  EXPECT_EQ(b["activations_per_example"].get<int64_t>(), (5 * C + 6 * m) * H * W);
}

}  // namespace

TEST(Ex3ResblockParams, AssignmentShapesMatchClosedForms) {
  auto j = run_json("ex3_resblock_params");
  ASSERT_TRUE(j["ok"].get<bool>());
  auto b = j["values"]["blocks"];
  expect_standard(b["standard"], 32, 16, 16);
  expect_bottleneck(b["bottleneck"], 128, 16, 16);
  EXPECT_EQ(b["standard"]["activation_bytes_at_batch"].get<int64_t>(), 8 * 32 * 16 * 16 * 128 * 4);
  EXPECT_EQ(j["answers"]["standard.params"]["weights + BN scale/shift"].get<double>(), 18 * 32 * 32 + 4 * 32);
}

TEST(Ex3ResblockParams, Variant) {
  auto j = run_json("ex3_resblock_params", "--standard-channels 16 --bottleneck-channels 64 --height 8 --width 4");
  ASSERT_TRUE(j["ok"].get<bool>());
  expect_standard(j["values"]["blocks"]["standard"], 16, 8, 4);
  expect_bottleneck(j["values"]["blocks"]["bottleneck"], 64, 8, 4);
}

namespace {

void expect_bn_case(const nlohmann::json& c, std::vector<int64_t> x_shape, int64_t C) {
  EXPECT_EQ(c["x_shape"].get<std::vector<int64_t>>(), x_shape);
  EXPECT_EQ(c["mean_shape"].get<std::vector<int64_t>>(), std::vector<int64_t>{C});
  EXPECT_EQ(c["var_shape"].get<std::vector<int64_t>>(), std::vector<int64_t>{C});
  std::vector<int64_t> kept(x_shape.size(), 1);
  kept.back() = C;
  EXPECT_EQ(c["mean_shape_keepdims"].get<std::vector<int64_t>>(), kept);
  int64_t per = 1;
  for (std::size_t a = 0; a + 1 < x_shape.size(); ++a) per *= x_shape[a];
  EXPECT_EQ(c["values_per_statistic"].get<int64_t>(), per);
  for (double m : c["output_channel_mean"].get<std::vector<double>>()) EXPECT_NEAR(m, 0.0, 1e-12);
  std::vector<double> var = c["var"], out_var = c["output_channel_var"];
  for (std::size_t k = 0; k < var.size(); ++k) EXPECT_NEAR(out_var[k], var[k] / (var[k] + 1e-5), 1e-12);
}

}  // namespace

TEST(Ex4BatchnormShapes, DefaultAndVariantSizes) {
  auto j = run_json("ex4_batchnorm_shapes");
  ASSERT_TRUE(j["ok"].get<bool>());
  expect_bn_case(j["values"]["fc"], {8, 3}, 3);
  expect_bn_case(j["values"]["conv"], {8, 4, 5, 3}, 3);
  auto v = run_json("ex4_batchnorm_shapes", "--N 3 --C 7 --H 2 --W 6");
  ASSERT_TRUE(v["ok"].get<bool>());
  expect_bn_case(v["values"]["fc"], {3, 7}, 7);
  expect_bn_case(v["values"]["conv"], {3, 2, 6, 7}, 7);
  EXPECT_EQ(v["answers"]["conv.mean_shape"], nlohmann::json::array({"C"}));
}

namespace {

// A by its definition, with loops: A[(j, t), (i, t + k)] = W[j][i][k].
void expect_conv_matrices(const nlohmann::json& j, int64_t Cin, int64_t Cout, int64_t L, int64_t S) {
  auto v = j["values"];
  int64_t Lo = L - S + 1;
  std::vector<double> W = v["W"], X = v["X"], Y = v["Y"], G = v["dL_dY"], dX = v["dL_dX"], dXc = v["dL_dX_by_convolution"];
  std::vector<std::vector<double>> A(Cout * Lo, std::vector<double>(Cin * L, 0.0));
  std::vector<std::vector<std::string>> As(Cout * Lo, std::vector<std::string>(Cin * L, "0"));
  for (int64_t jj = 0; jj < Cout; ++jj)
    for (int64_t i = 0; i < Cin; ++i)
      for (int64_t k = 0; k < S; ++k)
        for (int64_t t = 0; t < Lo; ++t) {
          A[jj * Lo + t][i * L + t + k] = W[(jj * Cin + i) * S + k];
          As[jj * Lo + t][i * L + t + k] = fmt::format("w{}{}_{}", i + 1, jj + 1, k + 1);
        }
  EXPECT_EQ(v["A_symbolic"].get<decltype(As)>(), As);
  auto An = v["A_numeric"].get<std::vector<std::vector<double>>>();
  auto Bs = v["B_symbolic"].get<std::vector<std::vector<std::string>>>();
  for (int64_t r = 0; r < Cout * Lo; ++r) {
    double y = 0;
    for (int64_t c = 0; c < Cin * L; ++c) {
      EXPECT_EQ(An[r][c], A[r][c]);
      EXPECT_EQ(Bs[c][r], As[r][c]);
      y += A[r][c] * X[c];
    }
    EXPECT_NEAR(Y[r], y, 1e-12);
  }
  for (int64_t c = 0; c < Cin * L; ++c) {  // dL/dX = A^T dL/dY
    double g = 0;
    for (int64_t r = 0; r < Cout * Lo; ++r) g += A[r][c] * G[r];
    EXPECT_NEAR(dX[c], g, 1e-12);
    EXPECT_NEAR(dXc[c], g, 1e-12);
  }
  EXPECT_EQ(v["back_padding"].get<int64_t>(), S - 1);
  std::vector<std::string> v12 = v["back_kernels"]["V_12"];
  ASSERT_EQ(v12.size(), static_cast<std::size_t>(S));
  EXPECT_EQ(v12.front(), "w12_" + std::to_string(S));
  EXPECT_EQ(v12.back(), "w12_1");
}

}  // namespace

TEST(Ex5Conv1dMatrix, AssignmentSizesMatchLoops) {
  auto j = run_json("ex5_conv1d_matrix");
  ASSERT_TRUE(j["ok"].get<bool>());
  expect_conv_matrices(j, 2, 2, 4, 3);
}

TEST(Ex5Conv1dMatrix, VariantSizesMatchLoops) {
  auto j = run_json("ex5_conv1d_matrix", "--in-channels 3 --out-channels 2 --length 6 --kernel 2 --seed 9");
  ASSERT_TRUE(j["ok"].get<bool>());
  expect_conv_matrices(j, 3, 2, 6, 2);
}

TEST(Checkers, GraphOptionWritesDot) {
  for (const char* program : {"ex1_tanh_gradient", "ex2_backprop_identity", "ex5_conv1d_matrix"}) {
    std::string path = ::testing::TempDir() + "/" + program + ".dot";
    auto r = gl::ex::test::run_program(program, "--graph " + path + " --format json");
    EXPECT_EQ(r.exit_code, 0) << program;
    std::FILE* f = std::fopen(path.c_str(), "r");
    ASSERT_NE(f, nullptr) << program;
    char head[16] = {};
    EXPECT_GT(std::fread(head, 1, 7, f), 0u);
    std::fclose(f);
    EXPECT_EQ(std::string(head).rfind("digraph", 0), 0u) << program;
  }
}
