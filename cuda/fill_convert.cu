// fill (any dtype) and convert (dtype change, same element count).
#include "cuda/check.h"
#include "cuda/kernel_util.cuh"
#include "cuda/launchers.h"

namespace gl::cuda {

namespace {

template <class T> __global__ void fill_kernel(T* out, i64 n, T value) {
  GL_GRID_LOOP(i, n) out[i] = value;
}

template <class S, class D> __global__ void convert_kernel(const S* src, D* dst, i64 n) {
  GL_GRID_LOOP(i, n) dst[i] = static_cast<D>(src[i]);
}

}  // namespace

template <class T> void launch_fill(T* out, i64 n, T value, cudaStream_t stream) {
  if (n == 0) return;
  fill_kernel<T><<<grid_for(n), kBlock, 0, stream>>>(out, n, value);
  GL_CUDA_CHECK_LAUNCH();
}

template <class S, class D> void launch_convert(const S* src, D* dst, i64 n, cudaStream_t stream) {
  if (n == 0) return;
  convert_kernel<S, D><<<grid_for(n), kBlock, 0, stream>>>(src, dst, n);
  GL_CUDA_CHECK_LAUNCH();
}

template void launch_fill<float>(float*, i64, float, cudaStream_t);
template void launch_fill<double>(double*, i64, double, cudaStream_t);
template void launch_fill<std::int32_t>(std::int32_t*, i64, std::int32_t, cudaStream_t);
template void launch_fill<std::int64_t>(std::int64_t*, i64, std::int64_t, cudaStream_t);
template void launch_fill<bool>(bool*, i64, bool, cudaStream_t);

#define GL_INSTANTIATE_CONVERT(S, D) template void launch_convert<S, D>(const S*, D*, i64, cudaStream_t);
#define GL_INSTANTIATE_CONVERT_FROM(S)     \
  GL_INSTANTIATE_CONVERT(S, float)         \
  GL_INSTANTIATE_CONVERT(S, double)        \
  GL_INSTANTIATE_CONVERT(S, std::int32_t)  \
  GL_INSTANTIATE_CONVERT(S, std::int64_t)  \
  GL_INSTANTIATE_CONVERT(S, bool)
GL_INSTANTIATE_CONVERT_FROM(float)
GL_INSTANTIATE_CONVERT_FROM(double)
GL_INSTANTIATE_CONVERT_FROM(std::int32_t)
GL_INSTANTIATE_CONVERT_FROM(std::int64_t)
GL_INSTANTIATE_CONVERT_FROM(bool)
#undef GL_INSTANTIATE_CONVERT_FROM
#undef GL_INSTANTIATE_CONVERT

}  // namespace gl::cuda
