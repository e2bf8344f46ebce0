// libFuzzer target: see image_one in fuzz_entries.h.
#include "fuzz_entries.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  resnet::fuzz::image_one(data, size);
  return 0;
}
