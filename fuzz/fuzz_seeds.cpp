#include "fuzz_seeds.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "checkpoint.h"
#include "cifar_io.h"
#include "corrupt_safetensors.h"
#include "engine/core/random.h"
#include "engine/optim/sgd.h"
#include "image_bytes.h"
#include "safetensors.h"
#include "synthetic.h"

namespace resnet::fuzz {
namespace fs = std::filesystem;

namespace {
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A real checkpoint: ResNet-8 v1 with 1 filter and 2 classes, momentum included.
std::string tiny_checkpoint() {
  const ModelConfig m{1, 1, 1, 2, true};
  gl::Rng rng(1);
  ResNet model(m, rng);
  gl::optim::SGD opt(gl::optim::decay_groups(model, 1e-4), 0.1, 0.9, false);
  auto& velocities = opt.velocities();  // as after a step: one buffer per parameter
  velocities.clear();
  for (const auto& group : opt.groups()) {
    for (const auto& p : group.params) velocities.push_back(gl::Tensor::full(p.shape(), 0.01));
  }
  CheckpointInfo info;
  info.model = m;
  info.position = {1, 3, 13, 4.5, 20};
  info.class_names = {"cat", "dog"};
  info.flags_json = "{\"batch_size\":32}";
  const fs::path p = fs::temp_directory_path() / ("fuzz_seed_" + std::to_string(::getpid()) +
                                                  ".safetensors");
  save_checkpoint(p, model, &opt, info);
  std::string bytes = slurp(p);
  fs::remove(p);
  return bytes;
}

std::string metadata_lines(const std::map<std::string, std::string>& m) {
  std::string out;
  for (const auto& [k, v] : m) out += k + "=" + v + "\n";
  return out;
}

std::string args(const std::vector<std::string>& a) {
  std::string out;
  for (std::size_t i = 0; i < a.size(); ++i) out += (i ? std::string(1, '\0') : "") + a[i];
  return out;
}
}  // namespace

std::map<std::string, std::vector<std::string>> seed_corpus() {
  std::map<std::string, std::vector<std::string>> seeds;
  const std::string ckpt = tiny_checkpoint();
  auto& st = seeds["safetensors"];
  st.push_back(ckpt);
  st.push_back(testing::valid_safetensors());
  for (const auto& c : testing::corrupt_safetensors_cases()) st.push_back(c.bytes);

  const auto meta = parse_safetensors(std::vector<char>(ckpt.begin(), ckpt.end()), "seed").metadata;
  auto& md = seeds["checkpoint_metadata"];
  md.push_back(metadata_lines(meta));
  auto at_start = meta;
  at_start["step_in_epoch"] = "0";
  at_start["step"] = "10";
  at_start["loss_sum"] = at_start["correct"] = "0";
  at_start["standardize"] = "per-channel";
  at_start["channel_mean"] = "[125.3,122.9,113.8]";
  at_start["channel_std"] = "[62.9,62.1,66.7]";
  md.push_back(metadata_lines(at_start));

  auto& cifar = seeds["cifar"];
  const ImageSet images = make_synthetic_images(3, 7);
  std::string records;
  for (std::int64_t i = 0; i < images.size(); ++i) {
    records += static_cast<char>(images.labels[i]);
    records.append(reinterpret_cast<const char*>(images.pixels.data() + i * kImageBytes), kImageBytes);
  }
  cifar.push_back(std::string(1, char(8)) + records);                    // 10 classes
  cifar.push_back(std::string(1, char(0)) + records.substr(0, kRecordBytes));  // 2 classes

  seeds["train_flags"] = {
      args({"--data-dir", "d"}),
      args({"--data-dir", "d", "--epochs", "2", "--batch-size", "200", "--lr-boundaries", "0.5,1",
            "--lr-multipliers", "1,0.1,0.01"}),
      args({"--data-dir", "d", "--schedule", "cosine", "--warmup-epochs", "1.5", "--epochs", "2",
            "--nesterov", "--momentum", "0.9", "--seed", "3"}),
      args({"--data-dir=d", "--preset", "recipe30", "--threads", "2", "--standardize",
            "per-channel", "--validation", "--weight-decay", "5e-4"}),
      args({"--data-dir", "d", "--resnet-version", "2", "--resnet-size", "18",
            "--first-num-filters", "16", "--num-classes", "10", "--projection-first-block",
            "false", "--train-limit", "1000", "--stop-after-steps", "5", "--resume"}),
  };

  // Small valid images of each kind the decoder reads, and a BMP it refuses.
  const auto rgb = testing::stripes_rgb(12, 10, 3);
  using testing::PngKind;
  seeds["image"] = {testing::png_bytes(12, 10, rgb), testing::png_bytes(12, 10, rgb, PngKind::gray),
                    testing::png_bytes(12, 10, rgb, PngKind::rgba),
                    testing::png_bytes(12, 10, rgb, PngKind::rgb16),
                    testing::jpeg_bytes(12, 10, rgb, 90), testing::jpeg_bytes(12, 10, rgb, 75, true),
                    testing::bmp_bytes(12, 10, rgb)};

  seeds["answer_file"] = {
      "# Problem 2\ndW1 = [[0.1, 0.2], [0.3, 0.4]]\ndelta.3 = -0.5\nanswer = yes\n",
      "standard.params = 18432\nbottleneck.params = 17408\nlist = [1 2 3\n  4 5 6]\n",
      "c.V_12 = w12_3\nA = [[w11_1, w11_2, w11_3, 0], [0, w11_1, w11_2, w11_3]]\n",
  };
  return seeds;
}

}  // namespace resnet::fuzz
