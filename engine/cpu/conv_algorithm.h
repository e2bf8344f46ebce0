// Which float32 convolution algorithm the CPU backend runs (float64 always
// runs im2col + GEMM, the reference). "auto" picks by layer:
//   Winograd F(4x4, 3x3)  3x3 stride-1 layers with at least 8 channels in and out
//                         and at least half a vector of images (4 with AVX2, 8 with AVX-512)
//   direct                other stride-1 layers (the 3-channel stem, 1x1 with padding)
//   im2col + GEMM         the rest (strided layers, 1x1 projections)
// A forced algorithm applies to the layers it can run and leaves the others
// to "auto". Set it with GRADLAB_CONV_ALGORITHM in the environment or with
// set_conv_algorithm (tests and benchmarks compare the paths in one binary).
#pragma once
#include <string>

namespace gl::cpu {

enum class ConvAlgorithm { kAuto, kIm2col, kDirect, kWinograd2, kWinograd4 };

// The setting: set_conv_algorithm's, else GRADLAB_CONV_ALGORITHM's (read once;
// a value that is not a name below raises), else auto.
ConvAlgorithm conv_algorithm();
void set_conv_algorithm(ConvAlgorithm algorithm);

// "auto", "im2col", "direct", "winograd2", "winograd4".
const char* conv_algorithm_name(ConvAlgorithm algorithm);
// The algorithm of that name; an error naming `what` and the choices otherwise.
ConvAlgorithm parse_conv_algorithm(const std::string& name, const std::string& what);

}  // namespace gl::cpu
