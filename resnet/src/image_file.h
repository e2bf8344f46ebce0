// Image files for `resnet predict`: PNG or JPEG (and the other formats
// stb_image reads), decoded to RGB and scaled to 32 x 32.
#pragma once
#include <cstdint>
#include <filesystem>
#include <vector>

namespace resnet {

// 3 x 32 x 32 bytes in CHW order (the CIFAR layout). Throws naming the file
// when it cannot be read or decoded.
std::vector<std::uint8_t> load_image_32x32(const std::filesystem::path& path);

}  // namespace resnet
