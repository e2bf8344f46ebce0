// The CPU Backend: the reference implementation of engine/core/backend.h,
// written with Eigen (GEMM) and OpenMP (loops over the batch / channels).
// Kernels are templated on the element type (float, double) and live in one
// file per family: memory, elementwise, binary, strided_copy, reduce, gemm,
// conv, batchnorm, pool, softmax, sgd, augment. Eigen is included only in
// .cpp files, so this header stays light.
#pragma once
#include "engine/core/backend.h"

namespace gl {

class BlockCache;

// The process-wide CPU backend (engine/core/backend.cpp returns it for Device::cpu).
Backend& cpu_backend();

namespace cpu {

// The host block cache behind CpuBackend::allocate (memory.cpp): its
// current/peak/cached byte counts, and release_cached() to give memory back.
BlockCache& host_cache();

class CpuBackend final : public Backend {
 public:
  Device device() const override { return Device::cpu; }
  const char* name() const override { return "cpu"; }

  // memory.cpp
  void* allocate(std::size_t bytes) override;
  void deallocate(void* ptr, std::size_t bytes) override;
  void copy_from_host(void* dst, const void* host_src, std::size_t bytes) override;
  void copy_to_host(void* host_dst, const void* src, std::size_t bytes) override;
  void copy(void* dst, const void* src, std::size_t bytes) override;
  void synchronize() override {}

  // fill_convert.cpp, strided_copy.cpp
  void fill(Tensor& out, double value) override;
  void convert(const Tensor& src, Tensor& dst) override;
  void strided_copy(const Tensor& src, std::int64_t src_offset, const Strides& src_strides,
                    Tensor& dst, std::int64_t dst_offset, const Strides& dst_strides,
                    const Shape& shape, bool accumulate) override;

  // elementwise.cpp, binary.cpp
  void unary(UnaryOp op, const Tensor& a, Tensor& out, double scalar) override;
  void unary_backward(UnaryOp op, const Tensor& x, const Tensor& y, const Tensor& grad_out,
                      Tensor& grad_in, double scalar) override;
  void binary(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& out) override;
  void axpy(double alpha, const Tensor& a, Tensor& out) override;

  // reduce.cpp
  void reduce_sum(const Tensor& in, Tensor& out) override;

  // gemm.cpp
  void gemm(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K,
            double alpha, const Tensor& A, std::int64_t stride_a, const Tensor& B,
            std::int64_t stride_b, double beta, Tensor& C, std::int64_t stride_c,
            std::int64_t batch) override;

  // im2col.cpp, conv.cpp
  void im2col(const Tensor& x, const ConvGeom& g, Tensor& cols) override;
  void col2im(const Tensor& cols, const ConvGeom& g, Tensor& dx) override;
  void conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& bias, const ConvGeom& g,
                      Tensor& y) override;
  void conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy, const ConvGeom& g,
                       Tensor& dx, Tensor& dw, Tensor& dbias) override;

  // batchnorm.cpp
  void batchnorm_forward_train(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                               double eps, double momentum, Tensor& running_mean,
                               Tensor& running_var, Tensor& y, Tensor& save_mean,
                               Tensor& save_invstd) override;
  void batchnorm_forward_eval(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                              const Tensor& running_mean, const Tensor& running_var, double eps,
                              Tensor& y) override;
  void batchnorm_backward(const Tensor& x, const Tensor& gamma, const Tensor& save_mean,
                          const Tensor& save_invstd, const Tensor& dy, Tensor& dx,
                          Tensor& dgamma, Tensor& dbeta) override;
  void batchnorm_relu_forward_train(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                    double eps, double momentum, Tensor& running_mean,
                                    Tensor& running_var, Tensor& y, Tensor& save_mean,
                                    Tensor& save_invstd) override;
  void batchnorm_relu_backward(const Tensor& x, const Tensor& gamma, const Tensor& save_mean,
                               const Tensor& save_invstd, const Tensor& y, const Tensor& dy,
                               Tensor& dx, Tensor& dgamma, Tensor& dbeta) override;
  void batchnorm_add_relu_forward_train(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                        const Tensor& residual, double eps, double momentum,
                                        Tensor& running_mean, Tensor& running_var, Tensor& y,
                                        Tensor& save_mean, Tensor& save_invstd) override;
  void batchnorm_add_relu_backward(const Tensor& x, const Tensor& gamma, const Tensor& save_mean,
                                   const Tensor& save_invstd, const Tensor& y, const Tensor& dy,
                                   Tensor& dx, Tensor& dgamma, Tensor& dbeta,
                                   Tensor& dresidual) override;

  // pool.cpp
  void maxpool2d_forward(const Tensor& x, const PoolGeom& g, Tensor& y, Tensor& argmax) override;
  void maxpool2d_backward(const Tensor& dy, const Tensor& argmax, const PoolGeom& g,
                          Tensor& dx) override;
  void avgpool2d_forward(const Tensor& x, const PoolGeom& g, Tensor& y) override;
  void avgpool2d_backward(const Tensor& dy, const PoolGeom& g, Tensor& dx) override;

  // softmax.cpp
  void softmax_forward(const Tensor& x, Tensor& y, bool log) override;
  void softmax_backward(const Tensor& y, const Tensor& dy, Tensor& dx, bool log) override;
  void cross_entropy_forward(const Tensor& logits, const Tensor& labels, Tensor& loss,
                             Tensor& probs) override;
  void cross_entropy_backward(const Tensor& probs, const Tensor& labels, const Tensor& grad_loss,
                              Tensor& dlogits) override;

  // sgd.cpp
  void sgd_update(Tensor& param, const Tensor& grad, Tensor& velocity, const Tensor& lr,
                  double momentum, double weight_decay, bool nesterov) override;

  // augment.cpp
  void augment_batch(const Tensor& src, const Tensor& plan, std::int64_t pad, bool per_image,
                     const Tensor& channel_mean, const Tensor& channel_std, Tensor& dst) override;
  void accumulate_correct(const Tensor& logits, const Tensor& labels, Tensor& correct) override;
  // lab_elementwise.cpp, lab_index.cpp (the lab primitives)
  void compare(CompareOp op, const Tensor& a, const Tensor& b, Tensor& out) override;
  void arith(ArithOp op, const Tensor& a, const Tensor& b, Tensor& out) override;
  void select(const Tensor& cond, const Tensor& a, const Tensor& b, Tensor& out) override;
  void math(MathOp op, const Tensor& a, Tensor& out, double s0, double s1) override;
  void arg_reduce(const Tensor& in, std::int64_t outer, std::int64_t n, std::int64_t inner, bool is_min,
                  Tensor& values, Tensor& indices) override;
  void index_select(const Tensor& src, std::int64_t outer, std::int64_t n, std::int64_t inner, const Tensor& idx,
                    Tensor& out) override;
  void index_put(const Tensor& src, std::int64_t outer, std::int64_t n, std::int64_t inner, const Tensor& idx,
                 Tensor& out, bool accumulate) override;
};

}  // namespace cpu
}  // namespace gl
