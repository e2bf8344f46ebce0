#include "synthetic.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numbers>

#include "engine/core/error.h"
#include "engine/core/random.h"

namespace resnet {
namespace fs = std::filesystem;

namespace {
constexpr int kOrientations = 5;
constexpr double kPeriods[2] = {5.0, 10.0};

void draw_grating(int label, gl::Rng& rng, std::uint8_t* chw) {
  const double angle = (label % kOrientations) * std::numbers::pi / kOrientations;
  const double period = kPeriods[label / kOrientations];
  const double phase = rng.uniform(0.0, 2.0 * std::numbers::pi);
  // Two colours at least 100 apart in mean value, so the stripes are visible.
  double fg[3], bg[3];
  do {
    for (int c = 0; c < 3; ++c) {
      fg[c] = rng.uniform(0, 255);
      bg[c] = rng.uniform(0, 255);
    }
  } while (std::abs((fg[0] + fg[1] + fg[2]) - (bg[0] + bg[1] + bg[2])) < 300);
  const double kx = std::cos(angle) * 2 * std::numbers::pi / period;
  const double ky = std::sin(angle) * 2 * std::numbers::pi / period;
  for (int y = 0; y < kImageSide; ++y) {
    for (int x = 0; x < kImageSide; ++x) {
      const double t = 0.5 + 0.5 * std::sin(kx * x + ky * y + phase);
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
    draw_grating(set.labels[i], rng, set.pixels.data() + i * kImageBytes);
  }
  return set;
}

std::vector<std::string> synthetic_class_names() {
  std::vector<std::string> names;
  for (int c = 0; c < kCifarClasses; ++c) {
    names.push_back(fmt::format("grating-{}deg-p{}", (c % kOrientations) * 180 / kOrientations,
                                kPeriods[c / kOrientations]));
  }
  return names;
}

void write_synthetic_dataset(const fs::path& dir, std::int64_t train_count, std::int64_t test_count,
                             std::uint64_t seed) {
  GL_CHECK(train_count >= 5 && train_count % 5 == 0,
           "make-synthetic: --train {} must be a positive multiple of 5 (five training files)",
           train_count);
  GL_CHECK(test_count > 0, "make-synthetic: --test must be positive, got {}", test_count);
  fs::create_directories(dir);
  const ImageSet train = make_synthetic_images(train_count, seed);
  const std::int64_t per_file = train_count / 5;
  for (int b = 0; b < 5; ++b) {
    write_cifar_file(dir / fmt::format("data_batch_{}.bin", b + 1),
                     slice_images(train, b * per_file, (b + 1) * per_file));
  }
  write_cifar_file(dir / "test_batch.bin", make_synthetic_images(test_count, seed + 7919));
  std::ofstream meta(dir / "batches.meta.txt");
  for (const auto& name : synthetic_class_names()) meta << name << "\n";
}

}  // namespace resnet
