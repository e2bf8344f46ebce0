#include <algorithm>
#include <cctype>
#include <cstring>
#include <string_view>

#include "engine/core/error.h"
#include "image_decode.h"

namespace resnet {
using namespace std::string_view_literals;

namespace {
bool starts_with(const std::uint8_t* head, std::size_t size, std::string_view magic) {
  return size >= magic.size() && std::memcmp(head, magic.data(), magic.size()) == 0;
}

// TGA has no signature: a plausible header (colour-map type 0 or 1, a known
// image type, a usual pixel depth, a non-zero size).
bool looks_like_tga(const std::uint8_t* h, std::size_t size) {
  if (size < 18) return false;
  const bool map = h[1] <= 1, type = h[2] == 1 || h[2] == 2 || h[2] == 3 || (h[2] >= 9 && h[2] <= 11);
  const int depth = h[16];
  const bool bits = depth == 8 || depth == 15 || depth == 16 || depth == 24 || depth == 32;
  return map && type && bits && (h[12] | h[13]) != 0 && (h[14] | h[15]) != 0;
}

// "png" -> "PNG", "jpg"/"jpeg" -> "JPEG", else "PNG or JPEG".
std::string format_named_by(const std::string& name) {
  std::string ext;
  const std::size_t dot = name.rfind('.'), slash = name.rfind('/');
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) ext = name.substr(dot + 1);
  for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (ext == "png") return "PNG";
  if (ext == "jpg" || ext == "jpeg" || ext == "jpe" || ext == "jfif") return "JPEG";
  return "PNG or JPEG";
}
}  // namespace

std::string image_format_of(const std::uint8_t* h, std::size_t size) {
  if (size == 0) return "an empty file";
  if (starts_with(h, size, "\x89PNG\r\n\x1a\n"sv)) return "a PNG file";
  if (starts_with(h, size, "\xff\xd8\xff"sv)) return "a JPEG file";
  if (starts_with(h, size, "BM"sv) && size >= 18) {
    const unsigned dib = h[14] | h[15] << 8 | h[16] << 16 | unsigned(h[17]) << 24;  // header size
    if (dib == 12 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108 || dib == 124) {
      return "a BMP file";
    }
  }
  if (starts_with(h, size, "GIF87a"sv) || starts_with(h, size, "GIF89a"sv)) return "a GIF file";
  if (size >= 12 && starts_with(h, size, "RIFF"sv) && std::memcmp(h + 8, "WEBP", 4) == 0) return "a WebP file";
  if (starts_with(h, size, "II*\0"sv) || starts_with(h, size, "MM\0*"sv)) return "a TIFF file";
  if (size >= 3 && h[0] == 'P' && h[1] >= '1' && h[1] <= '7' &&
      (h[2] == ' ' || h[2] == '\n' || h[2] == '\r' || h[2] == '\t')) {
    return "a PPM/PGM/PBM file (Netpbm)";
  }
  if (starts_with(h, size, "8BPS"sv)) return "a Photoshop (PSD) file";
  if (starts_with(h, size, "#?RADIANCE"sv) || starts_with(h, size, "#?RGBE"sv)) return "an HDR file";
  if (starts_with(h, size, "qoif"sv)) return "a QOI file";
  if (size >= 12 && std::memcmp(h + 4, "ftyp", 4) == 0) return "an HEIF/AVIF/MP4 file";
  if (starts_with(h, size, "\0\0\0\x0cjP  "sv)) return "a JPEG 2000 file";
  if (starts_with(h, size, "\0\0\1\0"sv)) return "an ICO file";
  if (starts_with(h, size, "%PDF"sv)) return "a PDF file";
  if (starts_with(h, size, "PK\3\4"sv)) return "a ZIP archive";
  if (starts_with(h, size, "\x1f\x8b"sv)) return "a gzip file";
  if (looks_like_tga(h, size)) return "a TGA file";
  bool text = true;
  for (std::size_t i = 0; i < size; ++i) {
    text = text && (h[i] == '\n' || h[i] == '\r' || h[i] == '\t' || (h[i] >= 0x20 && h[i] < 0x7f));
  }
  if (text) return "a text file";
  std::string hex;
  for (std::size_t i = 0; i < std::min<std::size_t>(size, 8); ++i) hex += fmt::format(" {:02x}", h[i]);
  return fmt::format("a file of unknown format (its first bytes are{})", hex);
}

RgbImage decode_image(std::FILE* file, std::uint64_t size, const std::string& name,
                      std::int64_t max_pixels) {
  std::uint8_t head[32] = {};
  const std::size_t n = std::fread(head, 1, sizeof head, file);
  GL_CHECK(!std::ferror(file) && std::fseek(file, 0, SEEK_SET) == 0, "cannot read {}", name);
  const std::string found = image_format_of(head, n);
  if (found == "a PNG file") return decode_png(file, size, name, max_pixels);
  if (found == "a JPEG file") return decode_jpeg(file, size, name, max_pixels);
  throw gl::Error(fmt::format("{} is {}, not {}; PNG and JPEG files are read", name, found,
                              format_named_by(name)));
}

}  // namespace resnet
