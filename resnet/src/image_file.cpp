#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include "image_file.h"

#include <stb_image.h>
#include <stb_image_resize.h>

#include <memory>

#include "cifar_io.h"
#include "engine/core/error.h"
#include "input_file.h"

namespace resnet {

std::vector<std::uint8_t> load_image_32x32(const std::filesystem::path& path) {
  const std::vector<char> file = read_input_file(path, 256u << 20, "predict");
  const auto* bytes = reinterpret_cast<const stbi_uc*>(file.data());
  const int size = static_cast<int>(file.size());
  int w = 0, h = 0, channels = 0;
  // The header's dimensions first: a few bytes can declare a 16384 x 16384 image.
  GL_CHECK(!stbi_info_from_memory(bytes, size, &w, &h, &channels) ||
               (std::int64_t(w) * h <= std::int64_t{64} << 20),
           "predict: {} is {}x{} pixels; images up to 64 megapixels are read", path.string(), w, h);
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
      stbi_load_from_memory(bytes, size, &w, &h, &channels, 3), stbi_image_free);
  GL_CHECK(pixels != nullptr, "predict: cannot decode {}: {} (PNG and JPEG are supported)",
           path.string(), stbi_failure_reason() ? stbi_failure_reason() : "unknown error");
  // Resize (area-averaging when shrinking) to 32 x 32, interleaved RGB.
  std::vector<std::uint8_t> hwc(kImageSide * kImageSide * 3);
  const int ok = stbir_resize_uint8(pixels.get(), w, h, 0, hwc.data(), kImageSide, kImageSide, 0, 3);
  GL_CHECK(ok, "predict: resizing {} ({}x{}) to 32x32 failed", path.string(), w, h);
  std::vector<std::uint8_t> chw(kImageBytes);
  for (int y = 0; y < kImageSide; ++y) {
    for (int x = 0; x < kImageSide; ++x) {
      for (int c = 0; c < 3; ++c) {
        chw[(c * kImageSide + y) * kImageSide + x] = hwc[(y * kImageSide + x) * 3 + c];
      }
    }
  }
  return chw;
}

}  // namespace resnet
