// PNG through libpng. libpng reports errors by longjmp: the two setjmp frames
// below (read_header, read_pixels) hold nothing but a pointer to PngJob, plain
// data, so the jump skips no destructor and clobbers no local; C++ objects
// live in decode_png, outside the frames.
#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <vector>

#include "engine/core/error.h"
#include "image_decode.h"

namespace resnet {

namespace {
struct PngJob {
  png_structp png;
  png_infop info;
  std::FILE* file;
  std::uint64_t consumed;  // bytes handed to libpng
  png_uint_32 width, height;
  png_bytep* rows;
  char message[256];
};

[[noreturn]] void on_error(png_structp png, png_const_charp text) {
  auto* job = static_cast<PngJob*>(png_get_error_ptr(png));
  std::snprintf(job->message, sizeof job->message, "%s", text && *text ? text : "unknown error");
  png_longjmp(png, 1);
}

// Warnings are kept quiet: what libpng calls an error (every CRC, every
// benign error, set below) stops decoding.
// The ancillary chunks predict has no use for (colour management, text,
// metadata, transparency: alpha is dropped anyway) are skipped unread but for
// their CRC, so a malformed ICC profile in a valid file is no reason to refuse it.
constexpr png_byte kUnusedChunks[] =
    "iCCP\0sRGB\0gAMA\0cHRM\0cICP\0tEXt\0zTXt\0iTXt\0eXIf\0tIME\0pHYs\0bKGD\0hIST\0sPLT\0sBIT\0"
    "oFFs\0pCAL\0sCAL\0tRNS";
constexpr int kUnusedChunkCount = sizeof kUnusedChunks / 5;
void on_warning(png_structp, png_const_charp) {}

void on_read(png_structp png, png_bytep out, png_size_t bytes) {
  auto* job = static_cast<PngJob*>(png_get_io_ptr(png));
  const std::size_t got = std::fread(out, 1, bytes, job->file);
  job->consumed += got;
  if (got == bytes) return;
  char text[200];
  std::snprintf(text, sizeof text,
                "the file ends after %llu bytes, inside a chunk (truncated before the IEND chunk)",
                static_cast<unsigned long long>(job->consumed));
  png_error(png, text);
}

// setjmp frame: the signature and the chunks up to the first IDAT; sets the
// transformations to 8-bit RGB.
int read_header(PngJob* job) {
  if (setjmp(png_jmpbuf(job->png))) return 0;
  png_set_crc_action(job->png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
  png_set_benign_errors(job->png, 0);
  png_set_keep_unknown_chunks(job->png, PNG_HANDLE_CHUNK_NEVER, kUnusedChunks, kUnusedChunkCount);
  png_read_info(job->png, job->info);
  const png_byte color = png_get_color_type(job->png, job->info);
  const png_byte depth = png_get_bit_depth(job->png, job->info);
  if (depth == 16) png_set_strip_16(job->png);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(job->png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(job->png);
  if (color & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(job->png);
  if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(job->png);
  png_set_interlace_handling(job->png);
  png_read_update_info(job->png, job->info);
  job->width = png_get_image_width(job->png, job->info);
  job->height = png_get_image_height(job->png, job->info);
  if (png_get_rowbytes(job->png, job->info) != png_size_t{job->width} * 3) {
    png_error(job->png, "the pixel format could not be converted to 8-bit RGB");
  }
  return 1;
}

// setjmp frame: every row, then the chunks after the image up to IEND.
int read_pixels(PngJob* job) {
  if (setjmp(png_jmpbuf(job->png))) return 0;
  png_read_image(job->png, job->rows);
  png_read_end(job->png, nullptr);
  return 1;
}
}  // namespace

RgbImage decode_png(std::FILE* file, std::uint64_t size, const std::string& name,
                    std::int64_t max_pixels) {
  PngJob job{};
  job.file = file;
  job.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &job, on_error, on_warning);
  GL_CHECK(job.png != nullptr, "cannot decode {} as PNG: libpng could not start (out of memory?)",
           name);
  struct Release {
    PngJob& job;
    ~Release() { png_destroy_read_struct(&job.png, job.info ? &job.info : nullptr, nullptr); }
  } release{job};
  job.info = png_create_info_struct(job.png);
  GL_CHECK(job.info != nullptr, "cannot decode {} as PNG: out of memory", name);
  png_set_read_fn(job.png, &job, on_read);
  GL_CHECK(read_header(&job), "cannot decode {} as PNG: {}", name, job.message);
  const std::int64_t pixels = std::int64_t{job.width} * job.height;
  GL_CHECK(pixels <= max_pixels, "{} is {}x{} pixels; images up to {} pixels are read", name,
           job.width, job.height, max_pixels);
  RgbImage image;
  image.width = static_cast<int>(job.width);
  image.height = static_cast<int>(job.height);
  image.rgb.resize(static_cast<std::size_t>(pixels) * 3);
  std::vector<png_bytep> rows(job.height);
  for (png_uint_32 y = 0; y < job.height; ++y) rows[y] = image.rgb.data() + std::size_t{y} * job.width * 3;
  job.rows = rows.data();
  GL_CHECK(read_pixels(&job), "cannot decode {} as PNG: {}", name, job.message);
  // The file must end with IEND: a tail is refused without being read.
  GL_CHECK(job.consumed == size,
           "cannot decode {} as PNG: {} more bytes follow the image's end (the IEND chunk ends at "
           "byte {}); the file is damaged or has data appended", name, size - job.consumed,
           job.consumed);
  return image;
}

}  // namespace resnet
