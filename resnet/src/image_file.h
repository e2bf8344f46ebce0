// Image files for `resnet predict`: PNG and JPEG only, decoded strictly
// (image_decode.h) to RGB and scaled to 32 x 32 (stb_image_resize: area
// averaging when shrinking).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "image_decode.h"

namespace resnet {

inline constexpr std::int64_t kMaxImagePixels = std::int64_t{64} << 20;       // 64 megapixels
inline constexpr std::uint64_t kMaxImageFileBytes = std::uint64_t{256} << 20;  // 256 MiB

// 3 x 32 x 32 bytes in CHW order (the CIFAR layout). Throws naming the file
// when it is missing, not a regular file, too large, not PNG or JPEG, damaged,
// or followed by extra bytes.
std::vector<std::uint8_t> load_image_32x32(const std::filesystem::path& path);

// A decoded image scaled to 32 x 32, in CHW order.
std::vector<std::uint8_t> image_to_32x32(const RgbImage& image, const std::string& name);

}  // namespace resnet
