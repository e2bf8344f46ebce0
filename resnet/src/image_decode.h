// Strict decoding of the image formats `resnet predict` reads: PNG (libpng)
// and JPEG (libjpeg-turbo). The first bytes decide the format; any other
// format (BMP, GIF, TGA, PPM, WebP, ...) is refused naming what was found.
// PNG: the signature, every chunk's CRC (ancillary chunks too), the zlib
// stream's checksum, chunk order and lengths. JPEG: the markers and tables;
// any warning of libjpeg (corrupt data, extraneous bytes, premature end) is an
// error here, where libjpeg would go on with guessed pixels. For both, the
// file must end where the image ends: bytes after PNG's IEND chunk or JPEG's
// EOI marker are refused, and are never read. JPEG has no checksum: a flipped
// bit inside the compressed data can still decode to wrong pixels.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace resnet {

struct RgbImage {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;  // [height, width, 3], 8-bit RGB
};

// Decodes `file`, whose size is `size` bytes, read from its current start.
// Throws gl::Error "cannot decode NAME as PNG: reason" or "NAME is a BMP file,
// not PNG ..." (the expected format comes from the name's extension), and
// refuses images of more than `max_pixels` pixels before decoding them.
RgbImage decode_image(std::FILE* file, std::uint64_t size, const std::string& name,
                      std::int64_t max_pixels);

RgbImage decode_png(std::FILE* file, std::uint64_t size, const std::string& name,
                    std::int64_t max_pixels);
RgbImage decode_jpeg(std::FILE* file, std::uint64_t size, const std::string& name,
                     std::int64_t max_pixels);

// What the first bytes of a file show: "a PNG file", "a JPEG file", "a BMP
// file", "a text file", "an empty file", ...
std::string image_format_of(const std::uint8_t* head, std::size_t size);

}  // namespace resnet
