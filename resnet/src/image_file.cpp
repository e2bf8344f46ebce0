#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include "image_file.h"

#include <stb_image.h>
#include <stb_image_resize.h>

#include <memory>

#include "cifar_io.h"
#include "engine/core/error.h"

namespace resnet {

std::vector<std::uint8_t> load_image_32x32(const std::filesystem::path& path) {
  int w = 0, h = 0, channels = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
      stbi_load(path.string().c_str(), &w, &h, &channels, 3), stbi_image_free);
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
