// safetensors files and trainer checkpoints: layout, round trips, atomic
// writes and clear errors for files that do not fit.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "checkpoint.h"
#include "engine/core/autograd.h"
#include "engine/core/random.h"
#include "engine/ops/ops.h"
#include "engine/optim/sgd.h"
#include "safetensors.h"
#include "test_util.h"

namespace resnet {
namespace fs = std::filesystem;
using testing::error_of;
using testing::TempDir;

namespace {
CheckpointInfo info_for(const ModelConfig& m, std::int64_t step) {
  CheckpointInfo info;
  info.model = m;
  info.position.step = step;
  info.class_names = {"a", "b", "c"};
  return info;
}
// One SGD step on random data, so that weights, running statistics and
// momentum buffers all differ from their initial values.
void train_one_step(ResNet& model, gl::optim::SGD& opt, gl::Rng& rng) {
  model.train();
  const gl::Tensor x = gl::Tensor::randn({4, 3, 32, 32}, rng);
  const gl::Tensor y = gl::Tensor::from_labels({0, 1, 2, 1});
  gl::Tensor loss = gl::cross_entropy(model(x), y);
  opt.zero_grad();
  loss.backward();
  opt.step();
}
}  // namespace

TEST(Safetensors, LayoutIsHeaderLengthJsonThenLittleEndianData) {
  TempDir dir("st");
  const gl::Tensor a = gl::Tensor::from_vector({1.5, -2, 3, 4, 5, 6}, {2, 3});
  const gl::Tensor b = gl::Tensor::from_vector({0.25}, {1}, gl::DType::f64);
  write_safetensors(dir.path() / "t.safetensors", {{"a", a}, {"b", b}}, {{"k", "v"}});
  std::ifstream in(dir.path() / "t.safetensors", std::ios::binary);
  std::uint64_t n = 0;
  in.read(reinterpret_cast<char*>(&n), 8);
  std::string text(n, ' ');
  in.read(text.data(), n);
  const auto header = nlohmann::json::parse(text);
  EXPECT_EQ(header["a"]["dtype"], "F32");
  EXPECT_EQ(header["a"]["shape"], nlohmann::json({2, 3}));
  EXPECT_EQ(header["a"]["data_offsets"], nlohmann::json({0, 24}));
  EXPECT_EQ(header["b"]["dtype"], "F64");
  EXPECT_EQ(header["b"]["data_offsets"], nlohmann::json({24, 32}));
  EXPECT_EQ(header["__metadata__"]["k"], "v");
  float first = 0;
  in.read(reinterpret_cast<char*>(&first), 4);
  EXPECT_EQ(first, 1.5f);
  const SafetensorsFile f = read_safetensors(dir.path() / "t.safetensors");
  EXPECT_EQ(f.tensor("a").to_vector(), a.to_vector());
  EXPECT_EQ(f.tensor("b").to_vector(), b.to_vector());
  EXPECT_FALSE(fs::exists(dir.path() / "t.safetensors.tmp"));  // renamed into place
}

TEST(Safetensors, TruncatedAndCorruptFilesAreRejected) {
  TempDir dir("bad");
  const fs::path p = dir.path() / "t.safetensors";
  write_safetensors(p, {{"a", gl::Tensor::ones({100})}}, {});
  fs::resize_file(p, fs::file_size(p) - 10);
  std::string msg = error_of([&] { read_safetensors(p); });
  EXPECT_NE(msg.find("truncated or corrupt"), std::string::npos) << msg;
  EXPECT_NE(msg.find("t.safetensors"), std::string::npos) << msg;
  std::ofstream(p, std::ios::binary | std::ios::trunc) << "not a checkpoint at all";
  msg = error_of([&] { read_safetensors(p); });
  EXPECT_NE(msg.find("truncated or not a safetensors file"), std::string::npos) << msg;
}

TEST(Checkpoint, RoundTripGivesIdenticalPredictionsAndMomentum) {
  TempDir dir("ckpt");
  const ModelConfig m{1, 1, 4, 3, true};
  gl::Rng rng(3);
  ResNet model(m, rng);
  gl::optim::SGD opt(gl::optim::decay_groups(model, 1e-4), 0.1, 0.9, true);
  train_one_step(model, opt, rng);
  const fs::path p = dir.path() / "c.safetensors";
  save_checkpoint(p, model, &opt, info_for(m, 1));

  gl::Rng other(99);
  ResNet copy(m, other);
  gl::optim::SGD copy_opt(gl::optim::decay_groups(copy, 1e-4), 0.1, 0.9, true);
  load_checkpoint(p, copy, &copy_opt);
  const gl::Tensor x = gl::Tensor::randn({5, 3, 32, 32}, rng);
  model.eval();
  copy.eval();
  gl::NoGradGuard no_grad;
  EXPECT_EQ(model(x).to_vector(), copy(x).to_vector());
  ASSERT_EQ(copy_opt.velocities().size(), opt.velocities().size());
  for (std::size_t i = 0; i < opt.velocities().size(); ++i) {
    EXPECT_EQ(copy_opt.velocities()[i].to_vector(), opt.velocities()[i].to_vector());
  }
  CheckpointInfo info;
  auto loaded = model_from_checkpoint(p, gl::Device::cpu, &info);
  EXPECT_EQ(info.model.first_filters, 4);
  EXPECT_EQ(info.class_names, (std::vector<std::string>{"a", "b", "c"}));
  loaded->eval();
  EXPECT_EQ(model(x).to_vector(), (*loaded)(x).to_vector());
}

TEST(Checkpoint, WrongShapesAreAllReported) {
  TempDir dir("shape");
  gl::Rng rng(0);
  const ModelConfig small{1, 1, 4, 3, true}, wide{1, 1, 8, 3, true};
  ResNet model(small, rng);
  save_checkpoint(dir.path() / "s.safetensors", model, nullptr, info_for(small, 0));
  ResNet other(wide, rng);
  const std::string msg = error_of([&] { load_checkpoint(dir.path() / "s.safetensors", other, nullptr); });
  EXPECT_NE(msg.find("does not fit"), std::string::npos) << msg;
  EXPECT_NE(msg.find("stem_conv.weight: checkpoint has float32 [4, 3, 3, 3], the model has float32 "
                     "[8, 3, 3, 3]"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("dense.weight"), std::string::npos) << msg;
  ResNet deeper(ModelConfig{1, 2, 4, 3, true}, rng);
  const std::string missing =
      error_of([&] { load_checkpoint(dir.path() / "s.safetensors", deeper, nullptr); });
  EXPECT_NE(missing.find("stack1.block1.conv1.weight: missing"), std::string::npos) << missing;
}

TEST(Checkpoint, NewestIsTheLargestStep) {
  TempDir dir("newest");
  gl::Rng rng(0);
  const ModelConfig m{1, 1, 2, 3, true};
  ResNet model(m, rng);
  EXPECT_FALSE(newest_checkpoint(dir.path()).has_value());
  save_checkpoint(dir.path() / "b.safetensors", model, nullptr, info_for(m, 30));
  save_checkpoint(dir.path() / "a.safetensors", model, nullptr, info_for(m, 70));
  save_checkpoint(dir.path() / "c.safetensors", model, nullptr, info_for(m, 50));
  EXPECT_EQ(newest_checkpoint(dir.path())->filename(), "a.safetensors");
}

}  // namespace resnet
