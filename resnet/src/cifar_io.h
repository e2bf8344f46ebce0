// The CIFAR-10 binary layout ("CIFAR-10 binary version"): each file is a run of
// 3,073-byte records, one label byte (0-9) then 1,024 R, 1,024 G and 1,024 B
// bytes of a 32 x 32 image, rows top to bottom. The training set is
// data_batch_1.bin ... data_batch_5.bin (10,000 images each), the test set
// test_batch.bin; batches.meta.txt lists the class names, one per line.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace resnet {

constexpr std::int64_t kImageSide = 32;
constexpr std::int64_t kChannels = 3;
constexpr std::int64_t kImageBytes = kChannels * kImageSide * kImageSide;  // 3,072
constexpr std::int64_t kRecordBytes = kImageBytes + 1;                     // 3,073
constexpr int kCifarClasses = 10;

// Images in CHW byte order, one after another: pixels[i * 3072 + (c * 32 + y) * 32 + x].
struct ImageSet {
  std::vector<std::uint8_t> pixels;
  std::vector<std::int32_t> labels;
  std::int64_t size() const { return static_cast<std::int64_t>(labels.size()); }
};

// Reads one file. Throws naming the file when its size is not a whole number of
// records or a label is outside [0, num_classes).
ImageSet read_cifar_file(const std::filesystem::path& path, int num_classes = kCifarClasses);
// The same from a file's bytes (the fuzzer's entry point); `name` is the path for messages.
ImageSet parse_cifar_bytes(const std::uint8_t* bytes, std::size_t size, const std::string& name,
                           int num_classes = kCifarClasses);
// The largest batch file read: 100,000 records (the official files have 10,000).
constexpr std::int64_t kMaxCifarFileBytes = 100'000 * kRecordBytes;
void write_cifar_file(const std::filesystem::path& path, const ImageSet& images);

// Images [begin, end) of `all`.
ImageSet slice_images(const ImageSet& all, std::int64_t begin, std::int64_t end);
void append_images(ImageSet& to, const ImageSet& from);

// The folder holding data_batch_1.bin: `data_dir` itself or its
// cifar-10-batches-bin/ subfolder (where the official archive unpacks).
// Throws with what to do when neither has the files.
std::filesystem::path locate_batches(const std::filesystem::path& data_dir);

// All five training batches, in order (50,000 images).
ImageSet read_training_set(const std::filesystem::path& batches_dir, int num_classes = kCifarClasses);
ImageSet read_test_set(const std::filesystem::path& batches_dir, int num_classes = kCifarClasses);

// Class names from batches.meta.txt, or "class0".. when the file is absent;
// the official names when it is absent and there are 10 classes.
std::vector<std::string> read_class_names(const std::filesystem::path& batches_dir, int num_classes);

}  // namespace resnet
