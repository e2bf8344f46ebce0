// `resnet predict`'s image reading: PNG and JPEG decoded strictly, everything
// else refused naming the file and what it is. Every image is made here.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include "image_bytes.h"
#include "image_file.h"
#include "test_util.h"

namespace resnet {
namespace fs = std::filesystem;
using testing::error_of;
using testing::TempDir;

namespace {
fs::path write(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

// The 32x32 CHW bytes of raw pixels, through the same resize predict uses.
std::vector<std::uint8_t> expected_32x32(int w, int h, const std::vector<std::uint8_t>& rgb) {
  return image_to_32x32(RgbImage{w, h, rgb}, "expected");
}

void expect_refused(const fs::path& path, const std::string& what) {
  const std::string e = error_of([&] { load_image_32x32(path); });
  EXPECT_NE(e.find(path.string()), std::string::npos) << e;
  EXPECT_NE(e.find(what), std::string::npos) << "expected '" << what << "' in: " << e;
}
}  // namespace

TEST(ImageDecode, PngOfEveryKindGivesTheWrittenPixels) {
  TempDir dir("img_png");
  const int w = 40, h = 48;
  const auto rgb = testing::stripes_rgb(w, h, 5);
  const auto want = expected_32x32(w, h, rgb);
  using testing::PngKind;
  for (PngKind kind : {PngKind::rgb, PngKind::rgba, PngKind::rgb16}) {
    const fs::path p = write(dir.path() / "x.png", testing::png_bytes(w, h, rgb, kind));
    EXPECT_EQ(load_image_32x32(p), want) << int(kind);  // alpha dropped, 16 bits stripped
  }
  // Gray: the red channel repeated in G and B.
  std::vector<std::uint8_t> gray3;
  for (std::size_t i = 0; i < rgb.size(); i += 3) gray3.insert(gray3.end(), {rgb[i], rgb[i], rgb[i]});
  const fs::path g = write(dir.path() / "g.png", testing::png_bytes(w, h, rgb, PngKind::gray));
  EXPECT_EQ(load_image_32x32(g), expected_32x32(w, h, gray3));
}

TEST(ImageDecode, JpegBaselineAndProgressiveAreCloseToTheWrittenPixels) {
  TempDir dir("img_jpg");
  const int w = 64, h = 64;
  const auto rgb = testing::stripes_rgb(w, h, 10);
  const auto want = expected_32x32(w, h, rgb);
  for (bool progressive : {false, true}) {
    const fs::path p = write(dir.path() / "x.jpg", testing::jpeg_bytes(w, h, rgb, 95, progressive));
    const auto got = load_image_32x32(p);
    ASSERT_EQ(got.size(), want.size());
    double sum = 0;
    for (std::size_t i = 0; i < got.size(); ++i) sum += std::abs(int(got[i]) - int(want[i]));
    EXPECT_LT(sum / got.size(), 6.0) << "progressive " << progressive;  // quality 95, chroma subsampled
  }
}

TEST(ImageDecode, OtherFormatsNamedPngOrJpgAreRefusedNamingWhatTheyAre) {
  TempDir dir("img_other");
  const int w = 8, h = 6;
  const auto rgb = testing::stripes_rgb(w, h, 2);
  const std::vector<std::pair<std::string, std::string>> files = {
      {testing::bmp_bytes(w, h, rgb), "is a BMP file"},
      {testing::gif_bytes(), "is a GIF file"},
      {testing::tga_bytes(w, h, rgb), "is a TGA file"},
      {testing::ppm_bytes(w, h, rgb), "is a PPM/PGM/PBM file (Netpbm)"},
      {"", "is an empty file"},
      {"class names\n", "is a text file"},
      {std::string("\x01\x02\x03\x04\xfe\xfd", 6), "unknown format (its first bytes are 01 02 03 04 fe fd)"},
  };
  for (const auto& [bytes, what] : files) {
    expect_refused(write(dir.path() / "a.png", bytes), what + ", not PNG");
    expect_refused(write(dir.path() / "a.JPG", bytes), what + ", not JPEG");
    expect_refused(write(dir.path() / "a.img", bytes), what + ", not PNG or JPEG");
  }
}

TEST(ImageDecode, PngWithABadCrcInAnyChunkIsRefused) {
  TempDir dir("img_crc");
  const auto rgb = testing::stripes_rgb(16, 16, 3);
  const std::string png = testing::png_bytes(16, 16, rgb);
  for (const std::string chunk : {"IHDR", "IDAT", "IEND"}) {
    std::string bad = png;
    const std::size_t at = testing::png_chunk_offset(png, chunk);
    const std::size_t length = std::uint32_t(std::uint8_t(png[at + 2])) << 8 | std::uint8_t(png[at + 3]);
    bad[at + 8 + length] ^= 0x10;  // the CRC's first byte
    expect_refused(write(dir.path() / "bad.png", bad), chunk + ": CRC error");
  }
  // A flipped bit inside the compressed data: zlib's checksum or the CRC.
  std::string flipped = png;
  flipped[testing::png_chunk_offset(png, "IDAT") + 12] ^= 0x04;
  expect_refused(write(dir.path() / "flip.png", flipped), "as PNG: ");
  // An ancillary chunk (tEXt) with a bad CRC: libpng would only warn by default.
  const std::size_t idat = testing::png_chunk_offset(png, "IDAT");
  const std::string text = png.substr(0, idat) + testing::png_chunk("tEXt", std::string("Title\0x", 7), true) +
                           png.substr(idat);
  expect_refused(write(dir.path() / "text.png", text), "tEXt: CRC error");
  // The same chunk with a good CRC is read.
  const std::string good = png.substr(0, idat) + testing::png_chunk("tEXt", std::string("Title\0x", 7)) +
                           png.substr(idat);
  EXPECT_EQ(load_image_32x32(write(dir.path() / "good.png", good)), expected_32x32(16, 16, rgb));
  // A malformed ICC profile with a good CRC: colour management is not used, the file is read.
  const std::string icc = png.substr(0, idat) +
                          testing::png_chunk("iCCP", std::string("icc\0\0not zlib", 13)) + png.substr(idat);
  EXPECT_EQ(load_image_32x32(write(dir.path() / "icc.png", icc)), expected_32x32(16, 16, rgb));
}

TEST(ImageDecode, TruncatedPngAndJpegGiveAReason) {
  TempDir dir("img_trunc");
  const auto rgb = testing::stripes_rgb(32, 32, 4);
  const std::string png = testing::png_bytes(32, 32, rgb), jpg = testing::jpeg_bytes(32, 32, rgb);
  for (double fraction : {0.0, 0.1, 0.5, 0.9, 0.99}) {
    const std::size_t keep = std::max<std::size_t>(9, std::size_t(fraction * png.size()));
    const fs::path p = write(dir.path() / "trunc.png", png.substr(0, keep));
    const std::string e = error_of([&] { load_image_32x32(p); });
    EXPECT_NE(e.find("trunc.png as PNG: "), std::string::npos) << e;
    EXPECT_NE(e.find("truncated"), std::string::npos) << keep << " bytes: " << e;
    const std::size_t keep_jpg = std::max<std::size_t>(4, std::size_t(fraction * jpg.size()));
    const fs::path j = write(dir.path() / "trunc.jpg", jpg.substr(0, keep_jpg));
    const std::string ej = error_of([&] { load_image_32x32(j); });
    EXPECT_NE(ej.find("trunc.jpg as JPEG: "), std::string::npos) << ej;
    EXPECT_GT(ej.size(), ej.find("as JPEG: ") + 12) << ej;  // a reason follows
  }
}

TEST(ImageDecode, CorruptJpegIsRefused) {
  TempDir dir("img_badjpg");
  const auto rgb = testing::stripes_rgb(32, 32, 4);
  const std::string jpg = testing::jpeg_bytes(32, 32, rgb);
  const std::size_t sos = jpg.find("\xff\xda", 2), eoi = jpg.size() - 2;
  ASSERT_NE(sos, std::string::npos);
  // Garbage bytes before the EOI marker: libjpeg warns "extraneous bytes" and
  // would go on; here it is an error.
  std::string extraneous = jpg;
  extraneous.insert(eoi, "\x12\x34\x56");
  expect_refused(write(dir.path() / "extra.jpg", extraneous), "as JPEG: ");
  // The scan's data cut out: a marker where data should be.
  std::string cut = jpg.substr(0, sos + 20) + jpg.substr(eoi);
  expect_refused(write(dir.path() / "cut.jpg", cut), "as JPEG: ");
  // An unknown marker in the header.
  std::string bad_marker = jpg;
  bad_marker[2] = '\xff', bad_marker[3] = '\x01';
  expect_refused(write(dir.path() / "marker.jpg", bad_marker), "as JPEG: ");
}

TEST(ImageDecode, BytesAfterTheImagesEndAreRefusedAndNotRead) {
  TempDir dir("img_tail");
  const auto rgb = testing::stripes_rgb(16, 16, 3);
  const std::string png = testing::png_bytes(16, 16, rgb), jpg = testing::jpeg_bytes(16, 16, rgb);
  expect_refused(write(dir.path() / "t.png", png + std::string(100, 'x')),
                 "100 more bytes follow the image's end");
  expect_refused(write(dir.path() / "t.jpg", jpg + std::string(7, '\0')),
                 "7 more bytes follow the image's end");
  // 200 MB of tail (a sparse file): refused by size arithmetic, never read.
  const fs::path big = write(dir.path() / "big.png", png);
  ASSERT_EQ(::truncate(big.c_str(), static_cast<off_t>(png.size() + (200u << 20))), 0);
  expect_refused(big, fmt::format("{} more bytes follow the image's end", 200u << 20));
}

TEST(ImageDecode, ImagesLargerThanTheLimitAreRefusedBeforeDecoding) {
  TempDir dir("img_big");
  const auto rgb = testing::stripes_rgb(20, 20, 3);
  for (const std::string& bytes : {testing::png_bytes(20, 20, rgb), testing::jpeg_bytes(20, 20, rgb)}) {
    const fs::path p = write(dir.path() / "x.img", bytes);
    std::FILE* f = std::fopen(p.c_str(), "rb");
    ASSERT_NE(f, nullptr);
    const std::string e = error_of([&] { decode_image(f, bytes.size(), p.string(), 399); });
    std::fclose(f);
    EXPECT_NE(e.find("is 20x20 pixels; images up to 399 pixels are read"), std::string::npos) << e;
  }
}

}  // namespace resnet
