#include "engine/core/tensor.h"

#include <cmath>
#include <cstring>

#include "engine/core/autograd.h"
#include "engine/core/backend.h"
#include "engine/core/error.h"
#include "engine/core/random.h"

namespace gl {

Storage::Storage(std::size_t nbytes, Device dev) : bytes(nbytes), device(dev) {
  data = nbytes ? backend(dev).allocate(nbytes) : nullptr;
}
Storage::~Storage() {
  if (data) backend(device).deallocate(data, bytes);
}

namespace {
const TensorImpl& checked(const std::shared_ptr<TensorImpl>& p) {
  GL_CHECK(p != nullptr, "Tensor: this tensor is undefined (default-constructed); create it first");
  return *p;
}

Tensor make(const Shape& shape, DType dtype, Device device) {
  for (auto d : shape)
    GL_CHECK(d >= 0, "Tensor::empty: negative dimension in shape {}", shape_str(shape));
  const std::int64_t n = numel(shape);  // throws when the sizes overflow
  std::int64_t bytes = 0;
  GL_CHECK(!__builtin_mul_overflow(n, static_cast<std::int64_t>(dtype_size(dtype)), &bytes),
           "Tensor::empty: shape {} of {} needs more than 2^63 bytes; use smaller sizes", shape_str(shape),
           dtype_name(dtype));
  auto impl = std::make_shared<TensorImpl>();
  impl->shape = shape;
  impl->dtype = dtype;
  impl->storage = std::make_shared<Storage>(static_cast<std::size_t>(bytes), device);
  return Tensor(impl);
}

// An integer tensor cannot hold NaN, an infinity or a value outside its type
// (the C++ conversion would be undefined, in practice INT_MIN). bool takes any
// value (nonzero is true, as in PyTorch).
void check_integer_value(const char* op, double v, DType t) {
  if (t == DType::i32)
    GL_CHECK(std::isfinite(v) && v > -2147483649.0 && v < 2147483648.0,
             "{}: {} cannot become int32 (NaN, infinities and values outside [-2^31, 2^31) have no integer value)",
             op, v);
  if (t == DType::i64)
    GL_CHECK(std::isfinite(v) && v >= -9223372036854775808.0 && v < 9223372036854775808.0,
             "{}: {} cannot become int64 (NaN, infinities and values outside [-2^63, 2^63) have no integer value)",
             op, v);
}

// Host-side conversion helpers.
void write_host(void* dst, DType t, std::int64_t i, double v) {
  switch (t) {
    case DType::f32: static_cast<float*>(dst)[i] = static_cast<float>(v); break;
    case DType::f64: static_cast<double*>(dst)[i] = v; break;
    case DType::i32: static_cast<std::int32_t*>(dst)[i] = static_cast<std::int32_t>(v); break;
    case DType::i64: static_cast<std::int64_t*>(dst)[i] = static_cast<std::int64_t>(v); break;
    case DType::b8: static_cast<bool*>(dst)[i] = v != 0.0; break;
  }
}
double read_host(const void* src, DType t, std::int64_t i) {
  switch (t) {
    case DType::f32: return static_cast<const float*>(src)[i];
    case DType::f64: return static_cast<const double*>(src)[i];
    case DType::i32: return static_cast<const std::int32_t*>(src)[i];
    case DType::i64: return static_cast<double>(static_cast<const std::int64_t*>(src)[i]);
    case DType::b8: return static_cast<const bool*>(src)[i] ? 1.0 : 0.0;
  }
  return 0.0;
}

Tensor from_host_doubles(const std::vector<double>& values, const Shape& shape, DType dtype,
                         Device device) {
  Tensor host = make(shape, dtype, Device::cpu);
  for (std::size_t i = 0; i < values.size(); ++i) {
    check_integer_value("Tensor::from_vector", values[i], dtype);
    write_host(host.raw_data(), dtype, static_cast<std::int64_t>(i), values[i]);
  }
  return device == Device::cpu ? host : host.to(device);
}
}  // namespace

// ---- construction ---------------------------------------------------------------
Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) { return make(shape, dtype, device); }
Tensor Tensor::zeros(const Shape& shape, DType dtype, Device device) { return full(shape, 0.0, dtype, device); }
Tensor Tensor::ones(const Shape& shape, DType dtype, Device device) { return full(shape, 1.0, dtype, device); }
Tensor Tensor::full(const Shape& shape, double value, DType dtype, Device device) {
  check_integer_value("Tensor::full", value, dtype);
  Tensor t = make(shape, dtype, device);
  backend(device).fill(t, value);
  return t;
}
Tensor Tensor::from_vector(const std::vector<double>& values, const Shape& shape, DType dtype,
                           Device device) {
  GL_CHECK(static_cast<std::int64_t>(values.size()) == gl::numel(shape),
           "Tensor::from_vector: {} values given for shape {} (which holds {})", values.size(),
           shape_str(shape), gl::numel(shape));
  return from_host_doubles(values, shape, dtype, device);
}
Tensor Tensor::from_labels(const std::vector<std::int32_t>& labels, Device device) {
  Tensor host = make({static_cast<std::int64_t>(labels.size())}, DType::i32, Device::cpu);
  if (!labels.empty()) std::memcpy(host.raw_data(), labels.data(), labels.size() * sizeof(std::int32_t));
  return device == Device::cpu ? host : host.to(device);
}
Tensor Tensor::scalar(double value, DType dtype, Device device) {
  return from_host_doubles({value}, {}, dtype, device);
}
Tensor Tensor::arange(std::int64_t n, DType dtype, Device device) {
  GL_CHECK(n >= 0, "arange: n must be >= 0, got {}", n);
  std::vector<double> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[i] = static_cast<double>(i);
  return from_host_doubles(v, {n}, dtype, device);
}
Tensor Tensor::randn(const Shape& shape, Rng& rng, double mean, double stddev, DType dtype, Device device) {
  std::vector<double> v(static_cast<std::size_t>(gl::numel(shape)));
  for (auto& x : v) x = rng.normal(mean, stddev);
  return from_host_doubles(v, shape, dtype, device);
}
Tensor Tensor::uniform(const Shape& shape, Rng& rng, double low, double high, DType dtype, Device device) {
  std::vector<double> v(static_cast<std::size_t>(gl::numel(shape)));
  for (auto& x : v) x = rng.uniform(low, high);
  return from_host_doubles(v, shape, dtype, device);
}

// ---- metadata ------------------------------------------------------------------------
const Shape& Tensor::shape() const { return checked(impl_).shape; }
std::int64_t Tensor::size(int axis) const { return shape()[normalize_axis(axis, dim(), "Tensor::size")]; }
std::int64_t Tensor::numel() const { return gl::numel(shape()); }
DType Tensor::dtype() const { return checked(impl_).dtype; }
Device Tensor::device() const { return checked(impl_).storage->device; }
const std::string& Tensor::name() const { return checked(impl_).name; }
Tensor& Tensor::set_name(std::string n) {
  checked(impl_);
  impl_->name = std::move(n);
  return *this;
}

// ---- data access ----------------------------------------------------------------------
void* Tensor::raw_data() const {
  const auto& t = checked(impl_);
  if (!t.storage->data) return nullptr;
  return static_cast<char*>(t.storage->data) + t.offset * static_cast<std::int64_t>(dtype_size(t.dtype));
}
template <class T>
T* Tensor::data() const {
  GL_CHECK(dtype() == dtype_of<T>(), "Tensor::data: tensor is {} but {} was asked for", dtype_name(dtype()),
           dtype_name(dtype_of<T>()));
  GL_CHECK(device() == Device::cpu,
           "Tensor::data: tensor is on {}; host pointers exist only for cpu tensors (use .to(Device::cpu))",
           device_name(device()));
  return static_cast<T*>(raw_data());
}
template float* Tensor::data<float>() const;
template double* Tensor::data<double>() const;
template std::int32_t* Tensor::data<std::int32_t>() const;
template std::int64_t* Tensor::data<std::int64_t>() const;
template bool* Tensor::data<bool>() const;

std::vector<double> Tensor::to_vector() const {
  Tensor host = device() == Device::cpu ? *this : to(Device::cpu);
  std::vector<double> out(static_cast<std::size_t>(numel()));
  for (std::int64_t i = 0; i < numel(); ++i) out[i] = read_host(host.raw_data(), dtype(), i);
  return out;
}
std::vector<std::int32_t> Tensor::to_labels() const {
  GL_CHECK(dtype() == DType::i32, "Tensor::to_labels: tensor is {}, expected int32", dtype_name(dtype()));
  Tensor host = device() == Device::cpu ? *this : to(Device::cpu);
  const auto* p = host.data<std::int32_t>();
  return std::vector<std::int32_t>(p, p + numel());
}
double Tensor::item() const {
  GL_CHECK(numel() == 1, "Tensor::item: tensor has shape {} ({} elements); item() needs exactly one",
           shape_str(shape()), numel());
  return to_vector()[0];
}
double Tensor::at(std::initializer_list<std::int64_t> index) const {
  GL_CHECK(static_cast<int>(index.size()) == dim(), "Tensor::at: {} indices given for shape {}",
           index.size(), shape_str(shape()));
  std::int64_t flat = 0;
  int k = 0;
  const Strides st = contiguous_strides(shape());
  for (auto i : index) {
    GL_CHECK(i >= 0 && i < shape()[k], "Tensor::at: index {} out of range for axis {} of shape {}", i, k,
             shape_str(shape()));
    flat += i * st[k++];
  }
  if (device() == Device::cpu) return read_host(raw_data(), dtype(), flat);
  char bytes[8];  // one element copied from the device
  backend(device()).copy_to_host(bytes, static_cast<char*>(raw_data()) + flat * dtype_size(dtype()),
                                 dtype_size(dtype()));
  return read_host(bytes, dtype(), 0);
}

// ---- conversion ---------------------------------------------------------------------------
Tensor Tensor::to(Device dev) const {
  if (dev == device()) return detach();
  Tensor out = make(shape(), dtype(), dev);
  const std::size_t bytes = static_cast<std::size_t>(numel()) * dtype_size(dtype());
  if (bytes == 0) return out;
  if (device() == Device::cpu)
    backend(dev).copy_from_host(out.raw_data(), raw_data(), bytes);
  else if (dev == Device::cpu)
    backend(device()).copy_to_host(out.raw_data(), raw_data(), bytes);
  else
    GL_CHECK(false, "Tensor::to: copies between two non-cpu devices are not supported");
  return out;
}
Tensor Tensor::to(DType t) const {
  if (t == dtype()) return detach();
  if ((t == DType::i32 || t == DType::i64) && is_floating(dtype()) && device() == Device::cpu) {
    // conversion truncates toward zero, as PyTorch's does
    for (std::int64_t i = 0; i < numel(); ++i)
      check_integer_value(t == DType::i32 ? "Tensor::to(int32)" : "Tensor::to(int64)",
                          read_host(raw_data(), dtype(), i), t);
  }
  Tensor out = make(shape(), t, device());
  backend(device()).convert(*this, out);
  return out;
}
Tensor Tensor::clone() const {
  Tensor out = make(shape(), dtype(), device());
  const std::size_t bytes = static_cast<std::size_t>(numel()) * dtype_size(dtype());
  if (bytes) backend(device()).copy(out.raw_data(), raw_data(), bytes);
  return out;
}
Tensor Tensor::detach() const {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = checked(impl_).storage;
  impl->offset = impl_->offset;
  impl->shape = impl_->shape;
  impl->dtype = impl_->dtype;
  impl->name = impl_->name;
  return Tensor(impl);
}
Tensor Tensor::rows(std::int64_t begin, std::int64_t count) const {
  const TensorImpl& t = checked(impl_);
  GL_CHECK(dim() >= 1 && begin >= 0 && count >= 0 && begin + count <= t.shape[0],
           "Tensor::rows: rows [{}, {}) are outside {}", begin, begin + count, describe(*this));
  auto view = std::make_shared<TensorImpl>();
  view->storage = t.storage;
  view->dtype = t.dtype;
  view->shape = t.shape;
  view->shape[0] = count;
  view->offset = t.offset + begin * (count == 0 ? 0 : numel() / t.shape[0]);
  return Tensor(view);
}

void Tensor::copy_from(const Tensor& src) {
  GL_CHECK(src.shape() == shape(), "Tensor::copy_from: source shape {} differs from destination shape {}",
           shape_str(src.shape()), shape_str(shape()));
  Tensor s = src.to(device()).to(dtype());
  const std::size_t bytes = static_cast<std::size_t>(numel()) * dtype_size(dtype());
  if (bytes) backend(device()).copy(raw_data(), s.raw_data(), bytes);
  mark_modified(*this);
}
Tensor& Tensor::to_(Device dev) {
  GL_CHECK(is_leaf(), "Tensor::to_: only leaf tensors can move in place (this one has grad_fn '{}')",
           impl_->grad_fn ? impl_->grad_fn->op : "");
  if (dev == device()) return *this;
  Tensor moved = to(dev);
  impl_->storage = moved.impl_->storage;
  impl_->offset = 0;
  if (impl_->grad) impl_->grad.reset();
  return *this;
}
Tensor& Tensor::to_(DType t) {
  GL_CHECK(is_leaf(), "Tensor::to_: only leaf tensors can change dtype in place");
  if (t == dtype()) return *this;
  Tensor converted = to(t);
  impl_->storage = converted.impl_->storage;
  impl_->offset = 0;
  impl_->dtype = t;
  if (impl_->grad) impl_->grad.reset();
  return *this;
}

// ---- autograd ---------------------------------------------------------------------------------
bool Tensor::requires_grad() const { return checked(impl_).requires_grad; }
Tensor& Tensor::set_requires_grad(bool on) {
  checked(impl_);
  GL_CHECK(!on || is_floating(dtype()),
           "Tensor::set_requires_grad: {} tensors cannot require gradients (only float32 and float64 are "
           "differentiable); convert with .to(DType::f32) first", dtype_name(dtype()));
  GL_CHECK(is_leaf() || on, "Tensor::set_requires_grad: cannot turn off gradients of a non-leaf tensor; use detach()");
  impl_->requires_grad = on;
  return *this;
}
Tensor& Tensor::retain_grad() {
  checked(impl_);
  impl_->retains_grad = true;
  return *this;
}
bool Tensor::is_leaf() const { return checked(impl_).grad_fn == nullptr; }
Tensor Tensor::grad() const { return Tensor(checked(impl_).grad); }
void Tensor::zero_grad(bool keep_buffer) {
  checked(impl_);
  if (keep_buffer && impl_->grad) {
    Tensor g(impl_->grad);
    backend(g.device()).fill(g, 0.0);
    mark_modified(g);
  } else {
    impl_->grad.reset();
  }
}
const std::shared_ptr<Node>& Tensor::grad_fn() const { return checked(impl_).grad_fn; }

void Tensor::backward(bool retain_graph) const {
  GL_CHECK(numel() == 1,
           "backward: output has shape {} ({} elements); backward() without a seed needs a single-element "
           "output (a loss). Pass a seed gradient of shape {}: t.backward(seed)",
           shape_str(shape()), numel(), shape_str(shape()));
  run_backward(*this, Tensor::ones(shape(), dtype(), device()), retain_graph);
}
void Tensor::backward(const Tensor& grad_output, bool retain_graph) const {
  GL_CHECK(grad_output.defined() && grad_output.shape() == shape(),
           "backward: seed gradient has shape {} but the output has shape {}",
           grad_output.defined() ? shape_str(grad_output.shape()) : "undefined", shape_str(shape()));
  GL_CHECK(grad_output.dtype() == dtype(), "backward: seed is {} but the output is {}",
           dtype_name(grad_output.dtype()), dtype_name(dtype()));
  run_backward(*this, grad_output.to(device()), retain_graph);
}

void mark_modified(const Tensor& t) {
  if (t.defined()) t.impl()->storage->version.fetch_add(1, std::memory_order_relaxed);
}

void mark_exposed(const Tensor& t) {
  if (!t.defined() || t.device() != Device::cpu) return;
  Storage& s = *t.impl()->storage;
  s.exposed.store(true);
  if (s.saved_count.load() == 0) return;
  std::lock_guard<std::mutex> lock(s.expose_mutex);
  if (s.has_expose_checksum && s.expose_version == s.version.load()) return;
  s.expose_checksum = checksum_bytes(s.data, s.bytes);
  s.expose_version = s.version.load();
  s.has_expose_checksum = true;
}

std::uint64_t checksum_bytes(const void* data, std::size_t bytes) {
  // FNV-1a, 8 bytes at a time: a modified value changes the sum (a check, not a MAC).
  std::uint64_t h = 1469598103934665603ULL;
  const auto* p = static_cast<const unsigned char*>(data);
  std::size_t i = 0;
  for (; i + 8 <= bytes; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ w) * 1099511628211ULL;
  }
  for (; i < bytes; ++i) h = (h ^ p[i]) * 1099511628211ULL;
  return h;
}

std::string describe(const Tensor& t) {
  if (!t.defined()) return "undefined";
  return fmt::format("{}{} {}", dtype_name(t.dtype()), shape_str(t.shape()), device_name(t.device()));
}

}  // namespace gl
