// Image files made in memory, for the image tests and the fuzz seeds: PNG
// through libpng's simplified API, JPEG through libjpeg-turbo, BMP, GIF, TGA
// and PPM headers by hand, and the PNG chunk surgery the tests need. No image
// is read from disk.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace resnet::testing {

// w x h interleaved RGB: vertical stripes of period `period` with a colour ramp.
std::vector<std::uint8_t> stripes_rgb(int w, int h, int period);

enum class PngKind { rgb, gray, rgba, rgb16 };
std::string png_bytes(int w, int h, const std::vector<std::uint8_t>& rgb, PngKind kind = PngKind::rgb);
std::string jpeg_bytes(int w, int h, const std::vector<std::uint8_t>& rgb, int quality = 95,
                       bool progressive = false);
// Other formats' files (valid in their own format).
std::string bmp_bytes(int w, int h, const std::vector<std::uint8_t>& rgb);
std::string gif_bytes();  // 1x1
std::string tga_bytes(int w, int h, const std::vector<std::uint8_t>& rgb);
std::string ppm_bytes(int w, int h, const std::vector<std::uint8_t>& rgb);

// A PNG chunk (length, type, data, CRC); `bad_crc` flips the CRC's last bit.
std::string png_chunk(const std::string& type, const std::string& data, bool bad_crc = false);
// The byte offset of the first chunk of `type` in a PNG (its length field).
std::size_t png_chunk_offset(const std::string& png, const std::string& type);

}  // namespace resnet::testing
