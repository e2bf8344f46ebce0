#include "image_bytes.h"

#include <png.h>
#include <zlib.h>

#include <cstdio>
#include <stdexcept>

#include <jpeglib.h>

namespace resnet::testing {

std::vector<std::uint8_t> stripes_rgb(int w, int h, int period) {
  std::vector<std::uint8_t> rgb(static_cast<std::size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const bool on = (x / period) % 2 == 1;
      std::uint8_t* p = rgb.data() + (static_cast<std::size_t>(y) * w + x) * 3;
      p[0] = on ? 230 : static_cast<std::uint8_t>(20 + y);
      p[1] = on ? 200 : 30;
      p[2] = on ? static_cast<std::uint8_t>(100 + x) : 40;
    }
  }
  return rgb;
}

std::string png_bytes(int w, int h, const std::vector<std::uint8_t>& rgb, PngKind kind) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(w);
  image.height = static_cast<png_uint_32>(h);
  std::vector<std::uint8_t> bytes8;
  std::vector<std::uint16_t> bytes16;
  const void* pixels = rgb.data();
  const std::size_t n = static_cast<std::size_t>(w) * h;
  switch (kind) {
    case PngKind::rgb: image.format = PNG_FORMAT_RGB; break;
    case PngKind::gray:
      image.format = PNG_FORMAT_GRAY;
      for (std::size_t i = 0; i < n; ++i) bytes8.push_back(rgb[3 * i]);
      pixels = bytes8.data();
      break;
    case PngKind::rgba:
      image.format = PNG_FORMAT_RGBA;
      for (std::size_t i = 0; i < n; ++i) {
        bytes8.insert(bytes8.end(), {rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2], 128});
      }
      pixels = bytes8.data();
      break;
    case PngKind::rgb16:  // 16-bit linear values v * 257, so stripping to 8 bits gives v back
      image.format = PNG_FORMAT_LINEAR_RGB;
      for (std::uint8_t v : rgb) bytes16.push_back(static_cast<std::uint16_t>(v * 257));
      pixels = bytes16.data();
      break;
  }
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&image, nullptr, &size, 0, pixels, 0, nullptr)) {
    throw std::runtime_error(std::string("png_bytes: ") + image.message);
  }
  std::string out(size, '\0');
  if (!png_image_write_to_memory(&image, out.data(), &size, 0, pixels, 0, nullptr)) {
    throw std::runtime_error(std::string("png_bytes: ") + image.message);
  }
  out.resize(size);
  return out;
}

std::string jpeg_bytes(int w, int h, const std::vector<std::uint8_t>& rgb, int quality,
                       bool progressive) {
  jpeg_compress_struct cinfo{};
  jpeg_error_mgr err{};
  cinfo.err = jpeg_std_error(&err);  // a test's own valid input: libjpeg's default exit on error
  jpeg_create_compress(&cinfo);
  unsigned char* mem = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &mem, &size);
  cinfo.image_width = static_cast<JDIMENSION>(w);
  cinfo.image_height = static_cast<JDIMENSION>(h);
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  if (progressive) jpeg_simple_progression(&cinfo);
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<JSAMPLE*>(rgb.data()) + std::size_t{cinfo.next_scanline} * w * 3;
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  std::string out(reinterpret_cast<const char*>(mem), size);
  jpeg_destroy_compress(&cinfo);
  std::free(mem);
  return out;
}

namespace {
void put16(std::string& s, unsigned v) { s += char(v & 0xff), s += char(v >> 8 & 0xff); }
void put32(std::string& s, unsigned v) { put16(s, v & 0xffff), put16(s, v >> 16); }
}  // namespace

std::string bmp_bytes(int w, int h, const std::vector<std::uint8_t>& rgb) {
  const unsigned row = (static_cast<unsigned>(w) * 3 + 3) / 4 * 4, data = row * h;
  std::string s = "BM";
  put32(s, 54 + data), put32(s, 0), put32(s, 54);
  put32(s, 40), put32(s, w), put32(s, h), put16(s, 1), put16(s, 24), put32(s, 0), put32(s, data);
  put32(s, 2835), put32(s, 2835), put32(s, 0), put32(s, 0);
  for (int y = h - 1; y >= 0; --y) {
    std::string r;
    for (int x = 0; x < w; ++x) {
      const std::uint8_t* p = rgb.data() + (static_cast<std::size_t>(y) * w + x) * 3;
      r += char(p[2]), r += char(p[1]), r += char(p[0]);
    }
    r.resize(row, '\0');
    s += r;
  }
  return s;
}

std::string gif_bytes() {
  static const unsigned char gif[] = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0, 0, 0,
                                      0, 255, 255, 255, ',', 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 'D',
                                      1, 0, ';'};
  return std::string(reinterpret_cast<const char*>(gif), sizeof gif);
}

std::string tga_bytes(int w, int h, const std::vector<std::uint8_t>& rgb) {
  std::string s(12, '\0');
  s[2] = 2;  // uncompressed true-colour
  put16(s, w), put16(s, h);
  s += char(24), s += char(0x20);  // 24 bits, top-left origin
  for (std::size_t i = 0; i < rgb.size(); i += 3) s += char(rgb[i + 2]), s += char(rgb[i + 1]), s += char(rgb[i]);
  return s;
}

std::string ppm_bytes(int w, int h, const std::vector<std::uint8_t>& rgb) {
  std::string s = "P6\n" + std::to_string(w) + " " + std::to_string(h) + "\n255\n";
  s.append(reinterpret_cast<const char*>(rgb.data()), rgb.size());
  return s;
}

std::string png_chunk(const std::string& type, const std::string& data, bool bad_crc) {
  std::string s;
  const auto n = static_cast<std::uint32_t>(data.size());
  for (int shift : {24, 16, 8, 0}) s += char(n >> shift & 0xff);
  const std::string body = type + data;
  std::uint32_t crc = static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
  if (bad_crc) crc ^= 1;
  s += body;
  for (int shift : {24, 16, 8, 0}) s += char(crc >> shift & 0xff);
  return s;
}

std::size_t png_chunk_offset(const std::string& png, const std::string& type) {
  for (std::size_t at = 8; at + 8 <= png.size();) {
    const std::uint32_t n = std::uint32_t(std::uint8_t(png[at])) << 24 |
                            std::uint32_t(std::uint8_t(png[at + 1])) << 16 |
                            std::uint32_t(std::uint8_t(png[at + 2])) << 8 | std::uint8_t(png[at + 3]);
    if (png.compare(at + 4, 4, type) == 0) return at;
    at += 12 + n;
  }
  throw std::runtime_error("png_chunk_offset: no " + type + " chunk");
}

}  // namespace resnet::testing
