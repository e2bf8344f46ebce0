// JPEG through libjpeg-turbo. libjpeg reports errors by longjmp (error_exit
// below): the two setjmp frames (read_header, read_pixels) hold nothing but a
// pointer to JpegJob, plain data, so the jump skips no destructor and
// clobbers no local; C++ objects live in decode_jpeg, outside the frames.
// The source manager reads the open file 4 KiB at a time.
#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <memory>

// jpeglib.h needs size_t and FILE declared before it.
#include <jerror.h>
#include <jpeglib.h>

#include "engine/core/error.h"
#include "image_decode.h"

namespace resnet {

namespace {
constexpr int kMaxScans = 1000;  // progressive files: a few dozen; more is an attack on time

struct JpegJob {
  jpeg_decompress_struct cinfo;
  jpeg_error_mgr err;
  jpeg_source_mgr src;
  jpeg_progress_mgr progress;
  std::jmp_buf jmp;
  bool created;
  std::FILE* file;
  std::uint64_t consumed;  // bytes read from the file
  JOCTET buffer[4096];
  char message[JMSG_LENGTH_MAX + 128];
};

JpegJob* job_of(j_common_ptr cinfo) { return static_cast<JpegJob*>(cinfo->client_data); }

[[noreturn]] void on_error_exit(j_common_ptr cinfo) {
  JpegJob* job = job_of(cinfo);
  (*cinfo->err->format_message)(cinfo, job->message);
  std::longjmp(job->jmp, 1);
}

// A warning (corrupt data, extraneous bytes, premature end) means libjpeg
// would go on with guessed pixels: here it stops decoding. Trace messages
// (level >= 0) are ignored.
void on_message(j_common_ptr cinfo, int level) {
  if (level < 0) on_error_exit(cinfo);
}

void on_progress(j_common_ptr cinfo) {
  JpegJob* job = job_of(cinfo);
  if (job->cinfo.input_scan_number <= kMaxScans) return;
  std::snprintf(job->message, sizeof job->message, "more than %d scans (progressive passes)",
                kMaxScans);
  std::longjmp(job->jmp, 1);
}

void init_source(j_decompress_ptr) {}
void term_source(j_decompress_ptr) {}

boolean fill_input_buffer(j_decompress_ptr cinfo) {
  JpegJob* job = job_of(reinterpret_cast<j_common_ptr>(cinfo));
  const std::size_t got = std::fread(job->buffer, 1, sizeof job->buffer, job->file);
  if (got == 0) {
    std::snprintf(job->message, sizeof job->message,
                  "the file ends after %llu bytes, before the image's end (EOI marker): truncated",
                  static_cast<unsigned long long>(job->consumed));
    std::longjmp(job->jmp, 1);
  }
  job->consumed += got;
  job->src.next_input_byte = job->buffer;
  job->src.bytes_in_buffer = got;
  return TRUE;
}

void skip_input_data(j_decompress_ptr cinfo, long count) {
  JpegJob* job = job_of(reinterpret_cast<j_common_ptr>(cinfo));
  if (count <= 0) return;
  while (static_cast<std::size_t>(count) > job->src.bytes_in_buffer) {
    count -= static_cast<long>(job->src.bytes_in_buffer);
    fill_input_buffer(cinfo);
  }
  job->src.next_input_byte += count;
  job->src.bytes_in_buffer -= static_cast<std::size_t>(count);
}

// setjmp frame: the decoder and the markers up to the first scan; asks for RGB.
int read_header(JpegJob* job) {
  if (setjmp(job->jmp)) return 0;
  jpeg_create_decompress(&job->cinfo);
  job->created = true;
  job->cinfo.mem->max_memory_to_use = std::int64_t{1} << 30;
  job->cinfo.src = &job->src;
  job->cinfo.progress = &job->progress;
  jpeg_read_header(&job->cinfo, TRUE);
  job->cinfo.out_color_space = JCS_RGB;
  jpeg_calc_output_dimensions(&job->cinfo);
  if (job->cinfo.output_components != 3) ERREXIT(&job->cinfo, JERR_CONVERSION_NOTIMPL);
  return 1;
}

// setjmp frame: every scanline into `rgb`, then the markers up to EOI.
int read_pixels(JpegJob* job, JSAMPLE* rgb) {
  if (setjmp(job->jmp)) return 0;
  jpeg_start_decompress(&job->cinfo);
  if (job->cinfo.output_components != 3) ERREXIT(&job->cinfo, JERR_CONVERSION_NOTIMPL);
  while (job->cinfo.output_scanline < job->cinfo.output_height) {
    JSAMPROW row = rgb + std::size_t{job->cinfo.output_scanline} * job->cinfo.output_width * 3;
    jpeg_read_scanlines(&job->cinfo, &row, 1);
  }
  jpeg_finish_decompress(&job->cinfo);
  return 1;
}
}  // namespace

RgbImage decode_jpeg(std::FILE* file, std::uint64_t size, const std::string& name,
                     std::int64_t max_pixels) {
  auto job = std::make_unique<JpegJob>();  // about 5 KiB: not on the stack
  job->file = file;
  job->cinfo.err = jpeg_std_error(&job->err);
  job->err.error_exit = on_error_exit;
  job->err.emit_message = on_message;
  job->cinfo.client_data = job.get();
  job->src.init_source = init_source;
  job->src.fill_input_buffer = fill_input_buffer;
  job->src.skip_input_data = skip_input_data;
  job->src.resync_to_restart = jpeg_resync_to_restart;
  job->src.term_source = term_source;
  job->progress.progress_monitor = on_progress;
  struct Release {
    JpegJob& job;
    ~Release() {
      if (job.created) jpeg_destroy_decompress(&job.cinfo);
    }
  } release{*job};
  GL_CHECK(read_header(job.get()), "cannot decode {} as JPEG: {}", name, job->message);
  const std::int64_t pixels = std::int64_t{job->cinfo.output_width} * job->cinfo.output_height;
  GL_CHECK(pixels <= max_pixels, "{} is {}x{} pixels; images up to {} pixels are read", name,
           job->cinfo.output_width, job->cinfo.output_height, max_pixels);
  RgbImage image;
  image.width = static_cast<int>(job->cinfo.output_width);
  image.height = static_cast<int>(job->cinfo.output_height);
  image.rgb.resize(static_cast<std::size_t>(pixels) * 3);
  GL_CHECK(read_pixels(job.get(), image.rgb.data()), "cannot decode {} as JPEG: {}", name,
           job->message);
  // The file must end with EOI: a tail is refused without being read.
  const std::uint64_t end = job->consumed - job->src.bytes_in_buffer;
  GL_CHECK(end == size,
           "cannot decode {} as JPEG: {} more bytes follow the image's end (the EOI marker ends at "
           "byte {}); the file is damaged or has data appended", name, size - end, end);
  return image;
}

}  // namespace resnet
