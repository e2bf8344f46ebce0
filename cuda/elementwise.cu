// Unary ops and their backward, broadcasting binary ops, axpy. One thread per
// element (grid-stride); the op switch is uniform across the grid, so it costs
// no divergence.
#include "cuda/check.h"
#include "cuda/kernel_util.cuh"
#include "cuda/launchers.h"

namespace gl::cuda {

namespace {

template <class T> __device__ inline T unary_value(UnaryOp op, T x, T s) {
  switch (op) {
    case UnaryOp::neg: return -x;
    case UnaryOp::exp: return d_exp(x);
    case UnaryOp::log: return d_log(x);
    case UnaryOp::tanh: return d_tanh(x);
    case UnaryOp::sigmoid: {
      // 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) otherwise: no overflow.
      if (x >= T(0)) return T(1) / (T(1) + d_exp(-x));
      const T e = d_exp(x);
      return e / (T(1) + e);
    }
    case UnaryOp::relu: return x > T(0) ? x : T(0);
    case UnaryOp::sqrt: return d_sqrt(x);
    case UnaryOp::pow_scalar: return s == T(2) ? x * x : d_pow(x, s);
    case UnaryOp::mul_scalar: return x * s;
    case UnaryOp::add_scalar: return x + s;
  }
  return x;
}

// d op / dx times go; x for relu/log/sqrt/pow, y = op(x) for exp/tanh/sigmoid.
template <class T> __device__ inline T unary_grad(UnaryOp op, const T* x, const T* y, T go, i64 i, T s) {
  switch (op) {
    case UnaryOp::neg: return -go;
    case UnaryOp::exp: return go * y[i];
    case UnaryOp::log: return go / x[i];
    case UnaryOp::tanh: return go * (T(1) - y[i] * y[i]);
    case UnaryOp::sigmoid: return go * y[i] * (T(1) - y[i]);
    case UnaryOp::relu: return x[i] > T(0) ? go : T(0);
    case UnaryOp::sqrt: return go / (T(2) * d_sqrt(x[i]));
    case UnaryOp::pow_scalar: return s == T(0) ? T(0) : go * s * d_pow(x[i], s - T(1));  // x^0: 0, not NaN at 0
    case UnaryOp::mul_scalar: return go * s;
    case UnaryOp::add_scalar: return go;
  }
  return go;
}

template <class T> __device__ inline T binary_value(BinaryOp op, T a, T b) {
  switch (op) {
    case BinaryOp::add: return a + b;
    case BinaryOp::sub: return a - b;
    case BinaryOp::mul: return a * b;
    case BinaryOp::div: return a / b;
  }
  return a;
}

template <class T> __global__ void unary_kernel(UnaryOp op, const T* a, T* out, i64 n, T s) {
  GL_GRID_LOOP(i, n) out[i] = unary_value(op, a[i], s);
}

template <class T>
__global__ void unary_backward_kernel(UnaryOp op, const T* x, const T* y, const T* go, T* gi, i64 n, T s) {
  GL_GRID_LOOP(i, n) gi[i] = unary_grad(op, x, y, go[i], i, s);
}

template <class T> __global__ void binary_flat_kernel(BinaryOp op, const T* a, const T* b, T* out, i64 n) {
  GL_GRID_LOOP(i, n) out[i] = binary_value(op, a[i], b[i]);
}

template <class T>
__global__ void binary_broadcast_kernel(BinaryOp op, const T* a, const T* b, T* out, i64 n,
                                        BroadcastIndex index) {
  GL_GRID_LOOP(i, n) {
    i64 rem = i, ao = 0, bo = 0;
    for (int d = index.rank - 1; d >= 0; --d) {
      const i64 k = rem % index.shape[d];
      rem /= index.shape[d];
      ao += k * index.a[d];
      bo += k * index.b[d];
    }
    out[i] = binary_value(op, a[ao], b[bo]);
  }
}

template <class T> __global__ void axpy_kernel(T alpha, const T* a, T* out, i64 n) {
  GL_GRID_LOOP(i, n) out[i] += alpha * a[i];
}

}  // namespace

template <class T>
void launch_unary(UnaryOp op, const T* a, T* out, i64 n, T scalar, cudaStream_t stream) {
  if (n == 0) return;
  unary_kernel<T><<<grid_for(n), kBlock, 0, stream>>>(op, a, out, n, scalar);
  GL_CUDA_CHECK_LAUNCH();
}

template <class T>
void launch_unary_backward(UnaryOp op, const T* x, const T* y, const T* grad_out, T* grad_in, i64 n,
                           T scalar, cudaStream_t stream) {
  if (n == 0) return;
  unary_backward_kernel<T><<<grid_for(n), kBlock, 0, stream>>>(op, x, y, grad_out, grad_in, n, scalar);
  GL_CUDA_CHECK_LAUNCH();
}

template <class T>
void launch_binary(BinaryOp op, const T* a, const T* b, T* out, i64 n, const BroadcastIndex* index,
                   cudaStream_t stream) {
  if (n == 0) return;
  if (index == nullptr) {
    binary_flat_kernel<T><<<grid_for(n), kBlock, 0, stream>>>(op, a, b, out, n);
  } else {
    binary_broadcast_kernel<T><<<grid_for(n), kBlock, 0, stream>>>(op, a, b, out, n, *index);
  }
  GL_CUDA_CHECK_LAUNCH();
}

template <class T> void launch_axpy(T alpha, const T* a, T* out, i64 n, cudaStream_t stream) {
  if (n == 0) return;
  axpy_kernel<T><<<grid_for(n), kBlock, 0, stream>>>(alpha, a, out, n);
  GL_CUDA_CHECK_LAUNCH();
}

#define GL_INSTANTIATE(T)                                                                        \
  template void launch_unary<T>(UnaryOp, const T*, T*, i64, T, cudaStream_t);                    \
  template void launch_unary_backward<T>(UnaryOp, const T*, const T*, const T*, T*, i64, T,      \
                                         cudaStream_t);                                          \
  template void launch_binary<T>(BinaryOp, const T*, const T*, T*, i64, const BroadcastIndex*,   \
                                 cudaStream_t);                                                  \
  template void launch_axpy<T>(T, const T*, T*, i64, cudaStream_t);
GL_INSTANTIATE(float)
GL_INSTANTIATE(double)
#undef GL_INSTANTIATE

}  // namespace gl::cuda
