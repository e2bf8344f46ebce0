// Tensor basics: construction, metadata, data access, dtype conversion,
// clone vs detach, copy_from, in-place to_(), shape helpers, and their errors.
#include "tests/test_util.h"

namespace gl {
namespace {

using test::all_close;

TEST(Tensor, FromVectorRoundTripsAndMetadata) {
  Tensor t = Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3}, DType::f64);
  EXPECT_TRUE(t.defined());
  EXPECT_EQ(t.shape(), (Shape{2, 3}));
  EXPECT_EQ(t.dim(), 2);
  EXPECT_EQ(t.numel(), 6);
  EXPECT_EQ(t.size(0), 2);
  EXPECT_EQ(t.size(-1), 3);
  EXPECT_EQ(t.dtype(), DType::f64);
  EXPECT_EQ(t.device(), Device::cpu);
  EXPECT_EQ(t.to_vector(), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(t.at({1, 0}), 4.0);
  EXPECT_EQ(t.at({0, 2}), 3.0);
  EXPECT_EQ(t.data<double>()[5], 6.0);
  EXPECT_EQ(describe(t), "float64[2, 3] cpu");
  EXPECT_FALSE(Tensor().defined());
}

// rows(): a view of leading rows sharing storage (the trainer's per-step
// slice of an epoch's plan on the device); out-of-range rows are refused.
TEST(Tensor, RowsIsAViewOfLeadingRows) {
  const Tensor t = Tensor::from_vector({0, 1, 2, 3, 4, 5, 6, 7}, {4, 2}, DType::f64);
  const Tensor middle = t.rows(1, 2);
  EXPECT_EQ(middle.shape(), (Shape{2, 2}));
  EXPECT_EQ(middle.to_vector(), (std::vector<double>{2, 3, 4, 5}));
  EXPECT_EQ(middle.raw_data(), static_cast<const char*>(t.raw_data()) + 2 * sizeof(double));
  EXPECT_EQ(t.rows(3, 1).rows(0, 1).to_vector(), (std::vector<double>{6, 7}));
  EXPECT_EQ(t.rows(4, 0).numel(), 0);
  EXPECT_GL_ERROR(t.rows(3, 2), "outside");
  EXPECT_GL_ERROR(t.rows(-1, 1), "outside");
  EXPECT_GL_ERROR(Tensor::scalar(1.0).rows(0, 1), "outside");
}

TEST(Tensor, Float32StoresRoundedValues) {
  Tensor t = Tensor::from_vector({0.1, 1.0 / 3.0}, {2});
  EXPECT_EQ(t.dtype(), DType::f32);
  EXPECT_EQ(t.to_vector()[0], static_cast<double>(0.1f));
  EXPECT_EQ(t.data<float>()[1], 1.0f / 3.0f);
}

TEST(Tensor, Factories) {
  EXPECT_EQ(Tensor::zeros({2, 2}).to_vector(), (std::vector<double>{0, 0, 0, 0}));
  EXPECT_EQ(Tensor::ones({3}, DType::f64).to_vector(), (std::vector<double>{1, 1, 1}));
  EXPECT_EQ(Tensor::full({2}, 2.5).to_vector(), (std::vector<double>{2.5, 2.5}));
  EXPECT_EQ(Tensor::arange(4, DType::f64).to_vector(), (std::vector<double>{0, 1, 2, 3}));
  Tensor s = Tensor::scalar(7.0, DType::f64);
  EXPECT_EQ(s.numel(), 1);
  EXPECT_EQ(s.item(), 7.0);
  EXPECT_EQ(Tensor::empty({4, 5}).numel(), 20);
  Tensor labels = Tensor::from_labels({3, 1, 2});
  EXPECT_EQ(labels.dtype(), DType::i32);
  EXPECT_EQ(labels.shape(), (Shape{3}));
  EXPECT_EQ(labels.to_labels(), (std::vector<std::int32_t>{3, 1, 2}));
}

TEST(Tensor, RandomFactoriesAreSeeded) {
  Rng a(5), b(5), c(6);
  const std::vector<double> va = Tensor::randn({100}, a, 0.0, 1.0, DType::f64).to_vector();
  EXPECT_EQ(va, Tensor::randn({100}, b, 0.0, 1.0, DType::f64).to_vector());
  EXPECT_NE(va, Tensor::randn({100}, c, 0.0, 1.0, DType::f64).to_vector());
  Rng u(7);
  for (double v : Tensor::uniform({200}, u, -2.0, 3.0).to_vector()) {
    EXPECT_GE(v, -2.0);
    EXPECT_LE(v, 3.0);
  }
}

TEST(Tensor, ToDTypeConverts) {
  Tensor t = Tensor::from_vector({0.1, -2.5}, {2}, DType::f64);
  Tensor f = t.to(DType::f32);
  EXPECT_EQ(f.dtype(), DType::f32);
  EXPECT_EQ(f.to_vector(), (std::vector<double>{static_cast<double>(0.1f), -2.5}));
  EXPECT_EQ(t.dtype(), DType::f64);  // the original is unchanged
  EXPECT_EQ(f.to(DType::f64).to_vector()[0], static_cast<double>(0.1f));
  Tensor same = t.to(Device::cpu);
  EXPECT_EQ(same.to_vector(), t.to_vector());
}

TEST(Tensor, CloneCopiesDetachShares) {
  Tensor x = Tensor::from_vector({1, 2, 3}, {3}, DType::f64).set_requires_grad();
  Tensor y = mul_scalar(x, 2.0);
  Tensor c = y.clone(), d = y.detach();
  EXPECT_FALSE(c.requires_grad());
  EXPECT_FALSE(d.requires_grad());
  EXPECT_EQ(c.grad_fn(), nullptr);
  EXPECT_EQ(d.grad_fn(), nullptr);
  c.data<double>()[0] = 100;
  EXPECT_EQ(y.at({0}), 2.0);  // clone is a deep copy
  d.data<double>()[0] = 100;
  EXPECT_EQ(y.at({0}), 100.0);  // detach shares data
}

TEST(Tensor, CopyFromAcrossDTypes) {
  Tensor dst = Tensor::zeros({2, 2}, DType::f64);
  dst.copy_from(Tensor::from_vector({1, 2, 3, 4}, {2, 2}, DType::f32));
  EXPECT_EQ(dst.to_vector(), (std::vector<double>{1, 2, 3, 4}));
  EXPECT_EQ(dst.dtype(), DType::f64);
  EXPECT_GL_ERROR(dst.copy_from(Tensor::zeros({4}, DType::f64)), "copy_from");
}

TEST(Tensor, InPlaceToDTypeIsSeenByEveryHandle) {
  Tensor a = Tensor::from_vector({1.5, 2.5}, {2});
  Tensor handle = a;  // shares the TensorImpl
  a.to_(DType::f64);
  EXPECT_EQ(handle.dtype(), DType::f64);
  EXPECT_EQ(handle.to_vector(), (std::vector<double>{1.5, 2.5}));
}

TEST(Tensor, SetNameAndRequiresGrad) {
  Tensor t = Tensor::zeros({2}, DType::f64);
  t.set_name("w");
  EXPECT_EQ(t.name(), "w");
  EXPECT_FALSE(t.requires_grad());
  EXPECT_TRUE(t.is_leaf());
  t.set_requires_grad();
  EXPECT_TRUE(t.requires_grad());
  EXPECT_FALSE(t.grad().defined());
}

TEST(Tensor, AccessErrors) {
  Tensor t = Tensor::from_vector({1, 2, 3, 4}, {2, 2}, DType::f64);
  EXPECT_GL_ERROR(t.item(), "item");
  EXPECT_GL_ERROR(t.data<float>(), "data");
  EXPECT_GL_ERROR(t.to_labels(), "to_labels");
  EXPECT_GL_ERROR(t.at({2, 0}), "at");
  EXPECT_GL_ERROR(t.at({0}), "at");
  EXPECT_GL_ERROR(t.size(2), "size");
  EXPECT_GL_ERROR(Tensor::from_vector({1, 2, 3}, {2, 2}), "from_vector");
}

TEST(Shape, HelpersAndBroadcasting) {
  EXPECT_EQ(numel({2, 3, 4}), 24);
  EXPECT_EQ(numel({}), 1);
  EXPECT_EQ(contiguous_strides({2, 3, 4}), (Strides{12, 4, 1}));
  EXPECT_EQ(shape_str({128, 16, 32, 32}), "[128, 16, 32, 32]");
  EXPECT_EQ(broadcast_shapes({3, 1}, {1, 4}, "add"), (Shape{3, 4}));
  EXPECT_EQ(broadcast_shapes({2, 3, 4}, {4}, "add"), (Shape{2, 3, 4}));
  EXPECT_EQ(broadcast_shapes({}, {5}, "add"), (Shape{5}));
  EXPECT_GL_ERROR(broadcast_shapes({2, 3}, {4}, "myop"), "myop");
  EXPECT_EQ(normalize_axis(-1, 3, "sum"), 2);
  EXPECT_EQ(normalize_axis(0, 3, "sum"), 0);
  EXPECT_GL_ERROR(normalize_axis(3, 3, "myop"), "myop");
  EXPECT_GL_ERROR(normalize_axis(-4, 3, "myop"), "myop");
}

}  // namespace
}  // namespace gl
