#include "test_util.h"

#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "build_paths.h"
#include "safetensors.h"
#include "synthetic.h"

namespace resnet::testing {

TempDir::TempDir(const std::string& tag) {
  static std::atomic<int> counter{0};
  path_ = std::filesystem::temp_directory_path() /
          ("resnet_test_" + tag + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

const std::filesystem::path& synthetic_data() {
  static TempDir dir("synthetic");
  static bool written = false;
  if (!written) {
    write_synthetic_dataset(dir.path(), 2000, 200, 11);
    written = true;
  }
  return dir.path();
}

TrainConfig small_config(const std::filesystem::path& model_dir) {
  TrainConfig c;
  c.data_dir = synthetic_data().string();
  c.model_dir = model_dir.string();
  c.model = ModelConfig{1, 1, 4, 10, true};
  c.batch_size = 32;
  c.epochs = 2;
  c.train_limit = 320;  // 10 steps per epoch
  c.schedule = ScheduleKind::cosine;
  c.warmup_epochs = 0.5;
  c.nesterov = true;
  c.threads = 1;  // tiny layers: one thread avoids OpenMP overhead (and CI runs tests in parallel)
  c.quiet = true;
  c.seed = 5;
  return c;
}

TrainResult quiet_train(const TrainConfig& c) {
  std::FILE* sink = std::tmpfile();
  TrainResult r = train(c, sink);
  std::fclose(sink);
  return r;
}

void set_metadata(const std::filesystem::path& path, const std::string& key,
                  const std::string& value) {
  const SafetensorsFile f = read_safetensors(path);
  std::vector<std::pair<std::string, gl::Tensor>> tensors;
  for (const auto& [name, e] : f.entries) tensors.emplace_back(name, f.tensor(name));
  auto meta = f.metadata;
  if (value == "<erase>") meta.erase(key);
  else meta[key] = value;
  write_safetensors(path, tensors, meta);
}

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

CliRun run_resnet(const std::string& args) {
  const std::string cmd = "timeout 120 " + std::string(build_paths::resnet_binary) + " " + args + " 2>&1";
  std::FILE* pipe = popen(cmd.c_str(), "r");
  CliRun r{-1, ""};
  if (pipe == nullptr) return r;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) r.output.append(buf, n);
  const int status = pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

}  // namespace resnet::testing
