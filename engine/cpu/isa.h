// Which instruction set the CPU kernels that exist in two builds (the Eigen
// GEMM, the direct convolution) use: AVX-512 when this CPU has it, the build
// has it, and it is allowed; AVX2 otherwise. GRADLAB_NO_AVX512=1 in the
// environment, or set_avx512_allowed(false), forces the AVX2 builds (tests
// use it to check both on an AVX-512 machine).
#pragma once

namespace gl::cpu {

bool cpu_has_avx512();  // avx512f/dq/vl/bw, asked of the CPU once
bool avx512_allowed();
void set_avx512_allowed(bool allowed);

}  // namespace gl::cpu
