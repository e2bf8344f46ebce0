// Element types and devices. A tensor's data is float32 (training) or float64
// (gradient checks and the exercises' exact numbers); int32 holds class labels
// and max-pool argmax indices; int64 holds indices and numpy's default
// integers (argmax, max's indices); b8 (bool, one byte holding 0 or 1) is what
// comparisons return. Integer and bool tensors are never differentiated.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace gl {

enum class DType : std::uint8_t { f32, f64, i32, i64, b8 };
enum class Device : std::uint8_t { cpu, cuda };

inline std::size_t dtype_size(DType t) {
  switch (t) {
    case DType::f64:
    case DType::i64: return 8;
    case DType::b8: return 1;
    case DType::f32:
    case DType::i32: return 4;
  }
  return 4;
}
// float32 / float64: the dtypes that take part in autograd.
inline bool is_floating(DType t) { return t == DType::f32 || t == DType::f64; }
inline const char* dtype_name(DType t) {
  switch (t) {
    case DType::f32: return "float32";
    case DType::f64: return "float64";
    case DType::i32: return "int32";
    case DType::i64: return "int64";
    case DType::b8: return "bool";
  }
  return "?";
}
inline const char* device_name(Device d) { return d == Device::cpu ? "cpu" : "cuda"; }

// The C++ type behind a DType, for templated kernels.
template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::f32; }
template <> constexpr DType dtype_of<double>() { return DType::f64; }
template <> constexpr DType dtype_of<std::int32_t>() { return DType::i32; }
template <> constexpr DType dtype_of<std::int64_t>() { return DType::i64; }
template <> constexpr DType dtype_of<bool>() { return DType::b8; }

}  // namespace gl
