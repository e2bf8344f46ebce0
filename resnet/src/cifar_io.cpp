#include "cifar_io.h"

#include <cstring>
#include <fstream>

#include "engine/core/error.h"
#include "input_file.h"
#include "output_file.h"

namespace resnet {
namespace fs = std::filesystem;

ImageSet parse_cifar_bytes(const std::uint8_t* bytes, std::size_t size, const std::string& name,
                           int num_classes) {
  const auto n = static_cast<std::int64_t>(size);
  GL_CHECK(n > 0 && n % kRecordBytes == 0,
           "read_cifar_file: {} has {} bytes, which is not a whole number of {}-byte records "
           "(label byte + 3,072 pixel bytes); the file is truncated or not a CIFAR-10 binary batch",
           name, n, kRecordBytes);
  ImageSet set;
  const std::int64_t count = n / kRecordBytes;
  set.labels.resize(count);
  set.pixels.resize(count * kImageBytes);
  for (std::int64_t i = 0; i < count; ++i) {
    const std::uint8_t* record = bytes + i * kRecordBytes;
    GL_CHECK(record[0] < num_classes,
             "read_cifar_file: {} record {} (byte offset {}) has label {}, expected 0-{}; the file "
             "is corrupt or not a CIFAR-10 batch",
             name, i, i * kRecordBytes, int(record[0]), num_classes - 1);
    set.labels[i] = record[0];
    std::copy(record + 1, record + kRecordBytes, set.pixels.begin() + i * kImageBytes);
  }
  return set;
}

ImageSet read_cifar_file(const fs::path& path, int num_classes) {
  const std::vector<char> bytes = read_input_file(
      path, kMaxCifarFileBytes, "read_cifar_file (expected a CIFAR-10 binary batch file)");
  return parse_cifar_bytes(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(),
                           path.string(), num_classes);
}

void write_cifar_file(const fs::path& path, const ImageSet& images) {
  GL_CHECK(static_cast<std::int64_t>(images.pixels.size()) == images.size() * kImageBytes,
           "write_cifar_file: {} labels but {} pixel bytes (need 3,072 per image)", images.size(),
           images.pixels.size());
  write_file_atomically(path, "write_cifar_file", [&](OutputFile& out) {
    std::string record(1 + kImageBytes, '\0');  // label byte, then 3,072 pixel bytes
    for (std::int64_t i = 0; i < images.size(); ++i) {
      record[0] = static_cast<char>(images.labels[i]);
      std::memcpy(record.data() + 1, images.pixels.data() + i * kImageBytes, kImageBytes);
      out.write(record);
    }
  });
}

ImageSet slice_images(const ImageSet& all, std::int64_t begin, std::int64_t end) {
  GL_CHECK(0 <= begin && begin <= end && end <= all.size(),
           "slice_images: range [{}, {}) outside a set of {} images", begin, end, all.size());
  ImageSet part;
  part.labels.assign(all.labels.begin() + begin, all.labels.begin() + end);
  part.pixels.assign(all.pixels.begin() + begin * kImageBytes, all.pixels.begin() + end * kImageBytes);
  return part;
}

void append_images(ImageSet& to, const ImageSet& from) {
  to.labels.insert(to.labels.end(), from.labels.begin(), from.labels.end());
  to.pixels.insert(to.pixels.end(), from.pixels.begin(), from.pixels.end());
}

fs::path locate_batches(const fs::path& data_dir) {
  GL_CHECK(fs::is_directory(data_dir),
           "--data-dir {} is not a directory; run `resnet download --data-dir {}` for the real "
           "files or `resnet make-synthetic --out {}` for a small generated set",
           data_dir.string(), data_dir.string(), data_dir.string());
  for (const fs::path& dir : {data_dir, data_dir / "cifar-10-batches-bin"}) {
    if (fs::exists(dir / "data_batch_1.bin")) {
      check_regular_if_present(dir / "data_batch_1.bin", "--data-dir");
      return dir;
    }
  }
  throw gl::Error(fmt::format(
      "--data-dir {}: no data_batch_1.bin there or in its cifar-10-batches-bin/ folder; run "
      "`resnet download --data-dir {}` or `resnet make-synthetic --out {}`",
      data_dir.string(), data_dir.string(), data_dir.string()));
}

ImageSet read_training_set(const fs::path& batches_dir, int num_classes) {
  ImageSet all;
  for (int b = 1; b <= 5; ++b) {
    const fs::path file = batches_dir / fmt::format("data_batch_{}.bin", b);
    GL_CHECK(fs::exists(file), "read_training_set: {} is missing (the training set is "
             "data_batch_1.bin ... data_batch_5.bin)", file.string());
    append_images(all, read_cifar_file(file, num_classes));
  }
  return all;
}

ImageSet read_test_set(const fs::path& batches_dir, int num_classes) {
  const fs::path file = batches_dir / "test_batch.bin";
  GL_CHECK(fs::exists(file), "read_test_set: {} is missing", file.string());
  return read_cifar_file(file, num_classes);
}

std::vector<std::string> read_class_names(const fs::path& batches_dir, int num_classes) {
  std::vector<std::string> names;
  const fs::path list = batches_dir / "batches.meta.txt";
  check_regular_if_present(list, "read_class_names");
  GL_CHECK(!fs::exists(list) || fs::file_size(list) <= (1u << 20),
           "read_class_names: {} has {} bytes; a class list is one short name per line", list.string(),
           fs::file_size(list));
  std::ifstream in(list);
  for (std::string line; in && std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) names.push_back(line);
  }
  if (static_cast<int>(names.size()) >= num_classes) {
    names.resize(num_classes);
    return names;
  }
  if (num_classes == kCifarClasses) {
    return {"airplane", "automobile", "bird", "cat", "deer",
            "dog",      "frog",       "horse", "ship", "truck"};
  }
  names.clear();
  for (int k = 0; k < num_classes; ++k) names.push_back(fmt::format("class{}", k));
  return names;
}

}  // namespace resnet
