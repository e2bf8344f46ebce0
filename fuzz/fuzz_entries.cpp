#include "fuzz_entries.h"

#include <map>
#include <string>
#include <vector>

#include "batches.h"
#include "checkpoint.h"
#include "cifar_io.h"
#include "engine/core/error.h"
#include "image_file.h"
#include "safetensors.h"
#include "train_flags.h"
#include "trainer.h"

namespace resnet::fuzz {

void safetensors_one(const std::uint8_t* data, std::size_t size) {
  try {
    const SafetensorsFile f =
        parse_safetensors(std::vector<char>(data, data + size), "fuzz.safetensors");
    for (const auto& [name, entry] : f.entries) (void)f.tensor(name);
  } catch (const gl::Error&) {
  }
}

void checkpoint_metadata_one(const std::uint8_t* data, std::size_t size) {
  std::map<std::string, std::string> metadata;
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string line = text.substr(start, end - start);
    const std::size_t eq = line.find('=');
    if (eq != std::string::npos) metadata[line.substr(0, eq)] = line.substr(eq + 1);
    start = end + 1;
  }
  try {
    const CheckpointInfo info = checkpoint_info_from_metadata(metadata, "fuzz.safetensors");
    (void)info.model.describe();
    check_resumable(info, "fuzz.safetensors", info.model, info.preprocessing.standardize, 100, 10,
                    32);
  } catch (const gl::Error&) {
  }
}

void cifar_one(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return;
  const int num_classes = 2 + data[0] % 255;
  try {
    const ImageSet set = parse_cifar_bytes(data + 1, size - 1, "fuzz.bin", num_classes);
    (void)make_preprocessing(set, Standardize::per_channel);
    (void)make_preprocessing(set, Standardize::per_image);
  } catch (const gl::Error&) {
  }
}

void train_flags_one(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args;
  std::string current;
  for (std::size_t i = 0; i < size && args.size() < 64; ++i) {
    if (data[i] == 0) {
      args.push_back(current);
      current.clear();
    } else {
      current += static_cast<char>(data[i]);
    }
  }
  if (!current.empty()) args.push_back(current);
  try {
    const TrainConfig c = parse_train_flags(args);
    const auto schedule = make_schedule(c, 1 + static_cast<std::int64_t>(size % 400));
    (void)schedule->describe();
    for (std::int64_t step : {std::int64_t{0}, std::int64_t{1}, std::int64_t{1000}}) {
      (void)schedule->at(step);
    }
  } catch (const CLI::ParseError&) {
  } catch (const gl::Error&) {
  }
}

void image_one(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return;  // fmemopen needs a byte
  std::FILE* file = fmemopen(const_cast<std::uint8_t*>(data), size, "rb");
  if (file == nullptr) return;
  try {
    (void)image_to_32x32(decode_image(file, size, "fuzz.png", std::int64_t{1} << 20), "fuzz.png");
  } catch (const gl::Error&) {
  }
  std::fclose(file);
}

}  // namespace resnet::fuzz
