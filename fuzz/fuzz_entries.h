// What each fuzz target does with one input, shared by the libFuzzer targets
// (fuzz_*.cpp) and by the regression test that replays fuzz/regressions/ and
// the seed corpus in the ordinary test build (resnet/tests/test_fuzz_replay.cpp).
// Each returns normally for an input that is accepted or refused with the
// reader's own error; anything else (a crash, a sanitizer report, another
// exception) is a finding.
#pragma once
#include <cstddef>
#include <cstdint>

namespace resnet::fuzz {

// Bytes as a whole safetensors file: parse_safetensors, then every tensor copied out.
void safetensors_one(const std::uint8_t* data, std::size_t size);

// Lines "key=value" as checkpoint metadata: checkpoint_info_from_metadata,
// then check_resumable against a fixed run.
void checkpoint_metadata_one(const std::uint8_t* data, std::size_t size);

// Byte 0 picks num_classes (2-256), the rest is a CIFAR-10 batch file:
// parse_cifar_bytes, then both standardizations' statistics.
void cifar_one(const std::uint8_t* data, std::size_t size);

// NUL-separated arguments of `resnet train`: parse_train_flags, then
// make_schedule for a steps-per-epoch count taken from the input's length.
void train_flags_one(const std::uint8_t* data, std::size_t size);

// Bytes as an image file for `resnet predict`: decode_image (PNG through
// libpng, JPEG through libjpeg-turbo, up to 1 megapixel), then the 32x32 scaling.
void image_one(const std::uint8_t* data, std::size_t size);

}  // namespace resnet::fuzz
