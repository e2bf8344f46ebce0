#include "checkpoint.h"

#include <map>
#include <nlohmann/json.hpp>

#include "engine/core/error.h"
#include "engine/core/random.h"
#include "safetensors.h"

namespace resnet {
namespace fs = std::filesystem;
using nlohmann::json;

const char* standardize_name(Standardize s) {
  return s == Standardize::per_image ? "per-image" : "per-channel";
}

namespace {
const std::string kFormat = "gradlab-resnet-1";
const std::string kMomentumPrefix = "optimizer.momentum.";

// The parameter name of each optimizer slot, in the optimizer's order.
std::vector<std::string> velocity_names(const ResNet& model, gl::optim::SGD& optimizer) {
  std::map<const gl::TensorImpl*, std::string> name_of;
  for (const auto& p : model.named_parameters()) name_of[p.tensor.impl()] = p.name;
  std::vector<std::string> names;
  for (const auto& group : optimizer.groups()) {
    for (const auto& p : group.params) {
      auto it = name_of.find(p.impl());
      GL_CHECK(it != name_of.end(), "checkpoint: the optimizer holds a tensor that is not a "
               "parameter of the model");
      names.push_back(it->second);
    }
  }
  return names;
}

std::int64_t meta_int(const SafetensorsFile& f, const std::string& key) {
  auto it = f.metadata.find(key);
  GL_CHECK(it != f.metadata.end(), "{}: metadata {} is missing; not a gradlab resnet checkpoint",
           f.path, key);
  try {
    return std::stoll(it->second);
  } catch (const std::exception&) {
    throw gl::Error(fmt::format("{}: metadata {} = '{}' is not an integer", f.path, key, it->second));
  }
}
double meta_double(const SafetensorsFile& f, const std::string& key) {
  auto it = f.metadata.find(key);
  return it == f.metadata.end() ? 0.0 : std::stod(it->second);
}

CheckpointInfo info_from(const SafetensorsFile& f) {
  auto fmt_it = f.metadata.find("format");
  GL_CHECK(fmt_it != f.metadata.end() && fmt_it->second == kFormat,
           "{}: not a gradlab resnet checkpoint (metadata format is '{}', expected '{}')", f.path,
           fmt_it == f.metadata.end() ? "" : fmt_it->second, kFormat);
  CheckpointInfo info;
  info.model.version = static_cast<int>(meta_int(f, "resnet_version"));
  info.model.size = static_cast<int>(meta_int(f, "resnet_size"));
  info.model.first_filters = static_cast<int>(meta_int(f, "first_num_filters"));
  info.model.num_classes = static_cast<int>(meta_int(f, "num_classes"));
  info.model.projection_first_block = meta_int(f, "projection_first_block") != 0;
  info.position.epoch = meta_int(f, "epoch");
  info.position.step_in_epoch = meta_int(f, "step_in_epoch");
  info.position.step = meta_int(f, "step");
  info.position.loss_sum = meta_double(f, "loss_sum");
  info.position.correct = meta_double(f, "correct");
  try {
    const std::string mode = f.metadata.at("standardize");
    info.preprocessing.standardize =
        mode == "per-channel" ? Standardize::per_channel : Standardize::per_image;
    info.preprocessing.channel_mean = json::parse(f.metadata.at("channel_mean")).get<std::vector<float>>();
    info.preprocessing.channel_std = json::parse(f.metadata.at("channel_std")).get<std::vector<float>>();
    info.class_names = json::parse(f.metadata.at("class_names")).get<std::vector<std::string>>();
  } catch (const std::exception& e) {
    throw gl::Error(fmt::format("{}: preprocessing metadata is missing or malformed ({})", f.path,
                                e.what()));
  }
  auto flags = f.metadata.find("flags");
  if (flags != f.metadata.end()) info.flags_json = flags->second;
  return info;
}
}  // namespace

void save_checkpoint(const fs::path& path, const ResNet& model, gl::optim::SGD* optimizer,
                     const CheckpointInfo& info) {
  std::vector<std::pair<std::string, gl::Tensor>> tensors;
  for (const auto& p : model.named_parameters()) tensors.emplace_back(p.name, p.tensor);
  for (const auto& b : model.named_buffers()) tensors.emplace_back(b.name, b.tensor);
  if (optimizer) {
    const auto names = velocity_names(model, *optimizer);
    const auto& velocities = optimizer->velocities();
    for (std::size_t i = 0; i < velocities.size() && i < names.size(); ++i) {
      if (velocities[i].defined()) tensors.emplace_back(kMomentumPrefix + names[i], velocities[i]);
    }
  }
  const ModelConfig& m = info.model;
  const TrainPosition& pos = info.position;
  std::map<std::string, std::string> meta = {
      {"format", kFormat},
      {"resnet_version", std::to_string(m.version)},
      {"resnet_size", std::to_string(m.size)},
      {"first_num_filters", std::to_string(m.first_filters)},
      {"num_classes", std::to_string(m.num_classes)},
      {"projection_first_block", m.projection_first_block ? "1" : "0"},
      {"epoch", std::to_string(pos.epoch)},
      {"step_in_epoch", std::to_string(pos.step_in_epoch)},
      {"step", std::to_string(pos.step)},
      {"loss_sum", fmt::format("{}", pos.loss_sum)},
      {"correct", fmt::format("{}", pos.correct)},
      {"standardize", standardize_name(info.preprocessing.standardize)},
      {"channel_mean", json(info.preprocessing.channel_mean).dump()},
      {"channel_std", json(info.preprocessing.channel_std).dump()},
      {"class_names", json(info.class_names).dump()},
      {"flags", info.flags_json.empty() ? "{}" : info.flags_json},
  };
  write_safetensors(path, tensors, meta);
}

CheckpointInfo read_checkpoint_info(const fs::path& path) {
  return info_from(read_safetensors(path));
}

void load_checkpoint(const fs::path& path, ResNet& model, gl::optim::SGD* optimizer) {
  const SafetensorsFile file = read_safetensors(path);
  const CheckpointInfo info = info_from(file);
  std::vector<std::string> problems;
  std::vector<std::pair<gl::Tensor, std::string>> assignments;  // (destination, entry)
  auto expect = [&](const gl::Tensor& dst, const std::string& name) {
    auto it = file.entries.find(name);
    if (it == file.entries.end()) {
      problems.push_back(fmt::format("{}: missing (the model has {} {})", name,
                                     gl::dtype_name(dst.dtype()), gl::shape_str(dst.shape())));
      return;
    }
    const auto& e = it->second;
    if (e.shape != dst.shape() || e.dtype != dst.dtype()) {
      problems.push_back(fmt::format("{}: checkpoint has {} {}, the model has {} {}", name,
                                     gl::dtype_name(e.dtype), gl::shape_str(e.shape),
                                     gl::dtype_name(dst.dtype()), gl::shape_str(dst.shape())));
      return;
    }
    assignments.emplace_back(dst, name);
  };
  std::map<std::string, bool> used;
  for (const auto& p : model.named_parameters()) expect(p.tensor, p.name), used[p.name] = true;
  for (const auto& b : model.named_buffers()) expect(b.tensor, b.name), used[b.name] = true;
  for (const auto& [name, e] : file.entries) {
    if (!used.count(name) && name.rfind(kMomentumPrefix, 0) != 0) {
      problems.push_back(fmt::format("{}: in the checkpoint ({} {}) but not in the model", name,
                                     gl::dtype_name(e.dtype), gl::shape_str(e.shape)));
    }
  }
  if (!problems.empty()) {
    std::string list;
    for (const auto& p : problems) list += "\n  " + p;
    throw gl::Error(fmt::format(
        "load_checkpoint: {} does not fit {} (the checkpoint is {}); {} mismatch(es):{}",
        path.string(), model.config().describe(), info.model.describe(), problems.size(), list));
  }
  for (auto& [dst, name] : assignments) {
    gl::Tensor d = dst;
    d.copy_from(file.tensor(name));
  }
  if (optimizer) {
    const auto names = velocity_names(model, *optimizer);
    auto& velocities = optimizer->velocities();
    if (velocities.size() < names.size()) velocities.resize(names.size());
    const auto params = [&] {
      std::vector<gl::Tensor> all;
      for (const auto& g : optimizer->groups()) all.insert(all.end(), g.params.begin(), g.params.end());
      return all;
    }();
    for (std::size_t i = 0; i < names.size(); ++i) {
      const std::string key = kMomentumPrefix + names[i];
      if (!file.entries.count(key)) {
        velocities[i] = gl::Tensor();
        continue;
      }
      gl::Tensor v = file.tensor(key);
      GL_CHECK(v.shape() == params[i].shape(),
               "load_checkpoint: {}: {} has shape {}, its parameter {}", path.string(), key,
               gl::shape_str(v.shape()), gl::shape_str(params[i].shape()));
      velocities[i] = v.to(params[i].device());
    }
  }
}

std::shared_ptr<ResNet> model_from_checkpoint(const fs::path& path, gl::Device device,
                                              CheckpointInfo* info_out) {
  const CheckpointInfo info = read_checkpoint_info(path);
  gl::Rng rng(0);
  auto model = std::make_shared<ResNet>(info.model, rng);
  model->to(device);
  load_checkpoint(path, *model, nullptr);
  if (info_out) *info_out = info;
  return model;
}

std::optional<fs::path> newest_checkpoint(const fs::path& dir) {
  std::optional<fs::path> best;
  std::int64_t best_step = -1;
  if (!fs::is_directory(dir)) return best;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".safetensors") continue;
    const std::int64_t step = read_checkpoint_info(entry.path()).position.step;
    if (step > best_step || (step == best_step && entry.path() > *best)) {
      best_step = step;
      best = entry.path();
    }
  }
  return best;
}

}  // namespace resnet
