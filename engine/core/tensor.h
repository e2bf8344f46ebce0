// Tensor: an n-dimensional, contiguous, row-major array on a device, with the
// autograd fields (requires_grad, grad, grad_fn) of a define-by-run engine.
//
// A Tensor is a cheap handle (shared_ptr to TensorImpl): copying a Tensor
// shares data. reshape() shares storage; every other op allocates its result.
// Layout conventions used across gradlab: images are NCHW
// (batch, channels, height, width); 1-D signals are NCL; linear weights are
// [out, in] (y = x W^T + b); conv weights are [out, in, kh, kw].
#pragma once
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/core/dtype.h"
#include "engine/core/shape.h"

namespace gl {

struct Node;
class Rng;

// Raw bytes on one device. Freed through that device's backend.
//
// In-place writes and saved tensors (PyTorch's version counter): every write
// the engine makes into existing memory (an optimizer step, copy_from, item
// assignment from Python) bumps `version`; a tensor an op saved for its
// backward (SavedTensor, autograd.h) remembers the version it saw and refuses
// a different one. Writes through a host view handed to numpy bypass the
// engine, so once such a view exists (`exposed`), saved tensors of this
// storage are also checked by a checksum of their bytes.
struct Storage {
  void* data = nullptr;
  std::size_t bytes = 0;
  Device device = Device::cpu;
  std::atomic<std::uint64_t> version{0};
  std::atomic<bool> exposed{false};
  std::atomic<std::int64_t> saved_count{0};  // live SavedTensors on this storage
  // The checksum of the whole storage when it was first exposed while saved
  // tensors were alive (they were saved without a checksum of their own).
  std::mutex expose_mutex;
  bool has_expose_checksum = false;
  std::uint64_t expose_checksum = 0, expose_version = 0;
  Storage(std::size_t bytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  std::int64_t offset = 0;  // in elements, into storage (reshape views share storage)
  Shape shape;
  DType dtype = DType::f32;
  bool requires_grad = false;
  bool retains_grad = false;          // non-leaf tensors keep .grad only when asked
  std::shared_ptr<TensorImpl> grad;   // accumulated gradient (same shape/dtype/device)
  std::shared_ptr<Node> grad_fn;      // the op that produced this tensor (null for leaves)
  std::string name;                   // optional, shown in graphs and errors
};

class Tensor {
 public:
  Tensor() = default;  // undefined tensor (defined() == false)
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // ---- construction ------------------------------------------------------
  static Tensor empty(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu);
  static Tensor zeros(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu);
  static Tensor ones(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu);
  static Tensor full(const Shape& shape, double value, DType dtype = DType::f32,
                     Device device = Device::cpu);
  // Values given row-major; values.size() must equal numel(shape).
  static Tensor from_vector(const std::vector<double>& values, const Shape& shape,
                            DType dtype = DType::f32, Device device = Device::cpu);
  static Tensor from_labels(const std::vector<std::int32_t>& labels, Device device = Device::cpu);
  static Tensor scalar(double value, DType dtype = DType::f32, Device device = Device::cpu);
  static Tensor arange(std::int64_t n, DType dtype = DType::f32, Device device = Device::cpu);
  static Tensor randn(const Shape& shape, Rng& rng, double mean = 0.0, double stddev = 1.0,
                      DType dtype = DType::f32, Device device = Device::cpu);
  static Tensor uniform(const Shape& shape, Rng& rng, double low, double high,
                        DType dtype = DType::f32, Device device = Device::cpu);

  // ---- metadata ----------------------------------------------------------
  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  int dim() const { return static_cast<int>(shape().size()); }
  std::int64_t size(int axis) const;  // negative axes count from the end
  std::int64_t numel() const;
  DType dtype() const;
  Device device() const;
  const std::string& name() const;
  Tensor& set_name(std::string name);
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

  // ---- data access -------------------------------------------------------
  void* raw_data() const;  // device pointer of the first element
  template <class T> T* data() const;  // checks dtype; host pointer only on cpu
  std::vector<double> to_vector() const;           // copies to host, converts to double
  std::vector<std::int32_t> to_labels() const;     // int32 tensors only
  double item() const;                             // one-element tensors only
  double at(std::initializer_list<std::int64_t> index) const;  // one element, any device

  // ---- conversion (not differentiable; the result is a new leaf) ----------
  Tensor to(Device device) const;
  Tensor to(DType dtype) const;
  Tensor clone() const;   // deep copy of the data, no graph
  Tensor detach() const;  // shares data, no graph
  // Rows [begin, begin + count) of axis 0 as a view: shares storage, no graph.
  Tensor rows(std::int64_t begin, std::int64_t count) const;
  void copy_from(const Tensor& src);  // same shape; copies data across dtype/device
  // In place: every handle to this tensor sees the new device / dtype (modules
  // and optimizers keep handles to their parameters). Leaf tensors only.
  Tensor& to_(Device device);
  Tensor& to_(DType dtype);

  // ---- autograd ----------------------------------------------------------
  bool requires_grad() const;
  Tensor& set_requires_grad(bool on = true);
  Tensor& retain_grad();
  bool is_leaf() const;
  Tensor grad() const;  // undefined until a backward pass reaches this tensor
  // Drops the accumulated gradient (grad() becomes undefined; the next backward
  // allocates a fresh one), or with keep_buffer fills it with zeros in place:
  // the buffer and its address stay and the next backward accumulates into it
  // (what a captured CUDA graph needs: its kernels write fixed addresses).
  void zero_grad(bool keep_buffer = false);
  const std::shared_ptr<Node>& grad_fn() const;
  // Seeds d(self)/d(self) = 1 (self must hold one element) and runs reverse mode.
  void backward(bool retain_graph = false) const;
  // Seeds with `grad_output` (same shape as self).
  void backward(const Tensor& grad_output, bool retain_graph = false) const;

 private:
  std::shared_ptr<TensorImpl> impl_;
};

std::string describe(const Tensor& t);  // "float32[2, 3] cpu"

// Records an in-place write into t's memory (bumps its storage's version).
void mark_modified(const Tensor& t);
// Records that a writable host view of t's memory was handed out (a numpy
// array): from now on saved tensors of this storage are checked by checksum.
void mark_exposed(const Tensor& t);
// FNV-1a over the bytes [data, data + bytes) (host memory).
std::uint64_t checksum_bytes(const void* data, std::size_t bytes);

}  // namespace gl
