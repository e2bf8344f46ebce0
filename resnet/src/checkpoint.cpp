#include "checkpoint.h"

#include <charconv>
#include <cmath>
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

using Metadata = std::map<std::string, std::string>;

const std::string& meta_field(const Metadata& m, const std::string& path, const std::string& key) {
  auto it = m.find(key);
  GL_CHECK(it != m.end(), "{}: metadata {} is missing; not a gradlab resnet checkpoint", path, key);
  return it->second;
}

// A whole decimal integer in [lo, hi]: no sign other than '-', no spaces, no
// trailing characters, no wrap-around ("4294967304" is not 8).
std::int64_t meta_int(const Metadata& m, const std::string& path, const std::string& key,
                      std::int64_t lo, std::int64_t hi) {
  const std::string& text = meta_field(m, path, key);
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  GL_CHECK(!text.empty() && ec == std::errc() && end == text.data() + text.size(),
           "{}: metadata {} = '{}' is not an integer", path, key, text);
  GL_CHECK(v >= lo && v <= hi, "{}: metadata {} = {} is outside {}-{}; the checkpoint is corrupt",
           path, key, v, lo, hi);
  return v;
}

// A finite number >= 0 (the running loss sum and correct count).
double meta_sum(const Metadata& m, const std::string& path, const std::string& key) {
  const std::string& text = meta_field(m, path, key);
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  GL_CHECK(!text.empty() && ec == std::errc() && end == text.data() + text.size(),
           "{}: metadata {} = '{}' is not a number", path, key, text);
  GL_CHECK(std::isfinite(v) && v >= 0, "{}: metadata {} = {} must be a finite number >= 0", path,
           key, text);
  return v;
}

json meta_json(const Metadata& m, const std::string& path, const std::string& key) {
  const std::string& text = meta_field(m, path, key);
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw gl::Error(fmt::format("{}: metadata {} is not valid JSON: {}", path, key, e.what()));
  }
}

std::vector<float> meta_channels(const Metadata& m, const std::string& path, const std::string& key,
                                 bool positive) {
  const json j = meta_json(m, path, key);
  GL_CHECK(j.is_array() && j.size() == 3,
           "{}: metadata {} must be a list of 3 numbers (R, G, B), got {}", path, key, j.dump());
  std::vector<float> out;
  for (const json& v : j) {
    // Raw 0..255 units: anything beyond float's range is corrupt, not a statistic.
    const bool ok = v.is_number() && std::isfinite(v.get<double>()) &&
                    std::abs(v.get<double>()) < 1e30 && (!positive || v.get<double>() > 1e-30);
    GL_CHECK(ok, "{}: metadata {} must hold 3 finite numbers{}, got {}", path, key,
             positive ? " > 0" : "", j.dump());
    out.push_back(v.get<float>());
  }
  return out;
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

CheckpointInfo checkpoint_info_from_metadata(const Metadata& m, const std::string& path) {
  auto fmt_it = m.find("format");
  GL_CHECK(fmt_it != m.end() && fmt_it->second == kFormat,
           "{}: not a gradlab resnet checkpoint (metadata format is '{}', expected '{}')", path,
           fmt_it == m.end() ? "" : fmt_it->second, kFormat);
  CheckpointInfo info;
  // The ranges of validate(ModelConfig), reported as metadata rather than flags.
  info.model.version = static_cast<int>(meta_int(m, path, "resnet_version", 1, 2));
  info.model.size = static_cast<int>(meta_int(m, path, "resnet_size", 1, 200));
  info.model.first_filters = static_cast<int>(meta_int(m, path, "first_num_filters", 1, 1024));
  info.model.num_classes = static_cast<int>(meta_int(m, path, "num_classes", 2, 256));
  info.model.projection_first_block = meta_int(m, path, "projection_first_block", 0, 1) == 1;
  constexpr std::int64_t kHuge = std::int64_t{1} << 53;  // exact in a double, never reached
  TrainPosition& pos = info.position;
  pos.epoch = meta_int(m, path, "epoch", 0, kHuge);
  pos.step_in_epoch = meta_int(m, path, "step_in_epoch", 0, kHuge);
  pos.step = meta_int(m, path, "step", 0, kHuge);
  GL_CHECK(pos.step_in_epoch <= pos.step,
           "{}: metadata step_in_epoch = {} is larger than step = {}; the checkpoint is corrupt",
           path, pos.step_in_epoch, pos.step);
  pos.loss_sum = meta_sum(m, path, "loss_sum");
  pos.correct = meta_sum(m, path, "correct");
  GL_CHECK(pos.correct == std::floor(pos.correct),
           "{}: metadata correct = {} is not a whole count of images", path, pos.correct);
  GL_CHECK(pos.step_in_epoch > 0 || (pos.loss_sum == 0 && pos.correct == 0),
           "{}: metadata loss_sum and correct must be 0 at the start of an epoch (step_in_epoch "
           "= 0), got {} and {}", path, pos.loss_sum, pos.correct);
  const std::string& mode = meta_field(m, path, "standardize");
  GL_CHECK(mode == "per-image" || mode == "per-channel",
           "{}: metadata standardize = '{}', expected per-image or per-channel", path, mode);
  info.preprocessing.standardize =
      mode == "per-channel" ? Standardize::per_channel : Standardize::per_image;
  info.preprocessing.channel_mean = meta_channels(m, path, "channel_mean", false);
  info.preprocessing.channel_std = meta_channels(m, path, "channel_std", true);
  const json names = meta_json(m, path, "class_names");
  GL_CHECK(names.is_array() && names.size() == static_cast<std::size_t>(info.model.num_classes),
           "{}: metadata class_names must list num_classes = {} names, got {}", path,
           info.model.num_classes, names.dump());
  for (const json& n : names) {
    GL_CHECK(n.is_string() && !n.get<std::string>().empty(),
             "{}: metadata class_names must be non-empty strings, got {}", path, names.dump());
    info.class_names.push_back(n.get<std::string>());
  }
  if (m.count("flags")) {
    GL_CHECK(meta_json(m, path, "flags").is_object(), "{}: metadata flags must be a JSON object",
             path);
    info.flags_json = m.at("flags");
  }
  return info;
}

CheckpointInfo read_checkpoint_info(const fs::path& path) {
  return checkpoint_info_from_metadata(read_safetensors(path).metadata, path.string());
}

void check_resumable(const CheckpointInfo& info, const std::string& path, const ModelConfig& model,
                     Standardize standardize, std::int64_t epochs, std::int64_t steps_per_epoch,
                     std::int64_t batch_size) {
  const ModelConfig& m = info.model;
  GL_CHECK(m.version == model.version && m.size == model.size &&
               m.first_filters == model.first_filters && m.num_classes == model.num_classes &&
               m.projection_first_block == model.projection_first_block,
           "--resume: {} holds a {}, the flags ask for a {}; give the flags it was trained with "
           "or another --model-dir", path, m.describe(), model.describe());
  GL_CHECK(info.preprocessing.standardize == standardize,
           "--resume: {} was trained with --standardize {}, the flags say {}", path,
           standardize_name(info.preprocessing.standardize), standardize_name(standardize));
  const TrainPosition& p = info.position;
  GL_CHECK(p.epoch < epochs || (p.epoch == epochs && p.step_in_epoch == 0),
           "--resume: {} is at epoch {} (step {} of it), beyond --epochs {}; raise --epochs to "
           "train further", path, p.epoch, p.step_in_epoch, epochs);
  GL_CHECK(p.step_in_epoch < steps_per_epoch,
           "--resume: {}: metadata step_in_epoch = {}, but an epoch has {} steps here; the "
           "checkpoint was written with another --batch-size, --train-limit or data set",
           path, p.step_in_epoch, steps_per_epoch);
  GL_CHECK(p.step == p.epoch * steps_per_epoch + p.step_in_epoch,
           "--resume: {}: metadata step = {} is not epoch {} x {} steps per epoch + step_in_epoch "
           "{}; the checkpoint was written with another --batch-size, --train-limit or data set",
           path, p.step, p.epoch, steps_per_epoch, p.step_in_epoch);
  GL_CHECK(p.correct <= double(p.step_in_epoch) * double(batch_size),
           "--resume: {}: metadata correct = {} is more than the {} images of the epoch's first "
           "{} steps; the checkpoint is corrupt", path, p.correct, p.step_in_epoch * batch_size,
           p.step_in_epoch);
}

std::string first_non_finite(const ResNet& model, gl::optim::SGD* optimizer) {
  auto finite = [](const gl::Tensor& t) {
    if (!t.defined()) return true;
    for (double v : t.to_vector()) {
      if (!std::isfinite(v)) return false;
    }
    return true;
  };
  for (const auto& p : model.named_parameters()) {
    if (!finite(p.tensor)) return p.name;
  }
  for (const auto& b : model.named_buffers()) {
    if (!finite(b.tensor)) return b.name;
  }
  if (optimizer) {
    const auto& velocities = optimizer->velocities();
    for (std::size_t i = 0; i < velocities.size(); ++i) {
      if (!finite(velocities[i])) return fmt::format("{}(slot {})", kMomentumPrefix, i);
    }
  }
  return "";
}

void load_checkpoint(const fs::path& path, ResNet& model, gl::optim::SGD* optimizer) {
  const SafetensorsFile file = read_safetensors(path);
  const CheckpointInfo info = checkpoint_info_from_metadata(file.metadata, path.string());
  std::vector<std::string> problems;
  std::vector<std::pair<gl::Tensor, std::string>> assignments;  // (destination, entry)
  auto expect = [&](const gl::Tensor& dst, const std::string& name, bool assign = true) {
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
    if (assign) assignments.emplace_back(dst, name);
  };
  std::map<std::string, bool> used;
  for (const auto& p : model.named_parameters()) expect(p.tensor, p.name), used[p.name] = true;
  for (const auto& b : model.named_buffers()) expect(b.tensor, b.name), used[b.name] = true;
  // A momentum buffer has its parameter's shape and dtype (an I32 momentum
  // would be loaded, stepped with and saved again as I32).
  for (const auto& p : model.named_parameters()) {
    const std::string key = kMomentumPrefix + p.name;
    if (file.entries.count(key)) expect(p.tensor, key, false), used[key] = true;
  }
  for (const auto& [name, e] : file.entries) {
    if (!used.count(name)) {
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
      GL_CHECK(v.shape() == params[i].shape() && v.dtype() == params[i].dtype(),
               "load_checkpoint: {}: {} is {} {}, its parameter {} {}", path.string(), key,
               gl::dtype_name(v.dtype()), gl::shape_str(v.shape()),
               gl::dtype_name(params[i].dtype()), gl::shape_str(params[i].shape()));
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
    // A checkpoint that cannot be read stops --resume here, named, untouched:
    // skipping it would start from scratch and later overwrite it.
    const std::int64_t step = read_checkpoint_info(entry.path()).position.step;
    if (!best || step > best_step || (step == best_step && entry.path() > *best)) {
      best_step = step;
      best = entry.path();
    }
  }
  return best;
}

}  // namespace resnet
