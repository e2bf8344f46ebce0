#include "synthetic.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "engine/core/error.h"
#include "engine/core/random.h"
#include "output_file.h"

namespace resnet {
namespace fs = std::filesystem;

namespace {
constexpr int kPatterns = 5;
constexpr double kPeriods[2] = {5.0, 10.0};
const char* const kPatternNames[kPatterns] = {"vertical", "horizontal", "plaid", "crosshatch",
                                              "rings"};

// The pattern's brightness in [0, 1] at (x, y). Every pattern is symmetric
// under a left-right flip (the training augmentation), so flipping never turns
// one class into another.
double pattern(int kind, double k, double x, double y, double phase_x, double phase_y, double cx,
               double cy) {
  const double d = k / std::numbers::sqrt2;
  switch (kind) {
    case 0: return 0.5 + 0.5 * std::sin(k * x + phase_x);
    case 1: return 0.5 + 0.5 * std::sin(k * y + phase_y);
    case 2: return 0.5 + 0.25 * (std::sin(k * x + phase_x) + std::sin(k * y + phase_y));
    case 3: return 0.5 + 0.25 * (std::sin(d * (x + y) + phase_x) + std::sin(d * (x - y) + phase_y));
    default: return 0.5 + 0.5 * std::sin(k * std::hypot(x - cx, y - cy) + phase_x);
  }
}

void draw_image(int label, gl::Rng& rng, std::uint8_t* chw) {
  const int kind = label % kPatterns;
  const double k = 2 * std::numbers::pi / kPeriods[label / kPatterns];
  const double phase_x = rng.uniform(0.0, 2.0 * std::numbers::pi);
  const double phase_y = rng.uniform(0.0, 2.0 * std::numbers::pi);
  const double cx = rng.uniform(8, 24), cy = rng.uniform(8, 24);
  // Two colours at least 100 apart in mean value, so the pattern is visible.
  double fg[3], bg[3];
  do {
    for (int c = 0; c < 3; ++c) {
      fg[c] = rng.uniform(0, 255);
      bg[c] = rng.uniform(0, 255);
    }
  } while (std::abs((fg[0] + fg[1] + fg[2]) - (bg[0] + bg[1] + bg[2])) < 300);
  for (int y = 0; y < kImageSide; ++y) {
    for (int x = 0; x < kImageSide; ++x) {
      const double t = pattern(kind, k, x, y, phase_x, phase_y, cx, cy);
      for (int c = 0; c < 3; ++c) {
        const double v = bg[c] + (fg[c] - bg[c]) * t + rng.normal(0.0, 12.0);
        chw[(c * kImageSide + y) * kImageSide + x] =
            static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
      }
    }
  }
}
}  // namespace

ImageSet make_synthetic_images(std::int64_t count, std::uint64_t seed) {
  GL_CHECK(count > 0, "make_synthetic_images: count must be positive, got {}", count);
  gl::Rng rng(seed);
  ImageSet set;
  set.labels.resize(count);
  set.pixels.resize(count * kImageBytes);
  for (std::int64_t i = 0; i < count; ++i) {
    set.labels[i] = static_cast<std::int32_t>(i % kCifarClasses);
    draw_image(set.labels[i], rng, set.pixels.data() + i * kImageBytes);
  }
  return set;
}

std::vector<std::string> synthetic_class_names() {
  std::vector<std::string> names;
  for (int c = 0; c < kCifarClasses; ++c) {
    names.push_back(fmt::format("{}-p{}", kPatternNames[c % kPatterns], kPeriods[c / kPatterns]));
  }
  return names;
}

void write_synthetic_dataset(const fs::path& dir, std::int64_t train_count, std::int64_t test_count,
                             std::uint64_t seed) {
  GL_CHECK(train_count >= 5 && train_count % 5 == 0,
           "make-synthetic: --train {} must be a positive multiple of 5 (five training files)",
           train_count);
  GL_CHECK(test_count > 0, "make-synthetic: --test must be positive, got {}", test_count);
  create_output_folder(dir, "make-synthetic");
  check_folder_writable(dir, "make-synthetic");
  const ImageSet train = make_synthetic_images(train_count, seed);
  const std::int64_t per_file = train_count / 5;
  for (int b = 0; b < 5; ++b) {
    write_cifar_file(dir / fmt::format("data_batch_{}.bin", b + 1),
                     slice_images(train, b * per_file, (b + 1) * per_file));
  }
  write_cifar_file(dir / "test_batch.bin", make_synthetic_images(test_count, seed + 7919));
  std::string meta;
  for (const auto& name : synthetic_class_names()) meta += name + "\n";
  write_file_atomically(dir / "batches.meta.txt", "make-synthetic", meta);
}

}  // namespace resnet
