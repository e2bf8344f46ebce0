#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include "image_file.h"

#include <stb_image_resize.h>

#include <cstdio>
#include <memory>

#include "cifar_io.h"
#include "engine/core/error.h"
#include "image_decode.h"
#include "input_file.h"

namespace resnet {
namespace fs = std::filesystem;

std::vector<std::uint8_t> image_to_32x32(const RgbImage& image, const std::string& name) {
  // Resize (area-averaging when shrinking) to 32 x 32, interleaved RGB.
  std::vector<std::uint8_t> hwc(kImageSide * kImageSide * 3);
  const int ok = stbir_resize_uint8(image.rgb.data(), image.width, image.height, 0, hwc.data(),
                                    kImageSide, kImageSide, 0, 3);
  GL_CHECK(ok, "resizing {} ({}x{}) to 32x32 failed", name, image.width, image.height);
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

std::vector<std::uint8_t> load_image_32x32(const fs::path& path) {
  std::error_code ec;
  GL_CHECK(fs::exists(fs::status(path, ec)), "predict: {} does not exist", path.string());
  check_regular_if_present(path, "predict");
  const std::uint64_t size = fs::file_size(path, ec);
  GL_CHECK(!ec, "predict: cannot read the size of {}: {}", path.string(), ec.message());
  GL_CHECK(size <= kMaxImageFileBytes, "predict: {} has {} bytes; image files up to {} bytes are read",
           path.string(), size, kMaxImageFileBytes);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
  GL_CHECK(file != nullptr, "predict: cannot open {} (permissions?)", path.string());
  try {
    return image_to_32x32(decode_image(file.get(), size, path.string(), kMaxImagePixels),
                          path.string());
  } catch (const gl::Error& e) {
    throw gl::Error(fmt::format("predict: {}", e.what()));
  }
}

}  // namespace resnet
