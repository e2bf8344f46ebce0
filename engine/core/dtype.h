// Element types and devices. A tensor's data is float32 (training) or float64
// (gradient checks and the exercises' exact numbers); int32 holds class labels
// and max-pool argmax indices only and is never differentiated.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace gl {

enum class DType : std::uint8_t { f32, f64, i32 };
enum class Device : std::uint8_t { cpu, cuda };

inline std::size_t dtype_size(DType t) { return t == DType::f64 ? 8 : 4; }
inline const char* dtype_name(DType t) {
  switch (t) {
    case DType::f32: return "float32";
    case DType::f64: return "float64";
    case DType::i32: return "int32";
  }
  return "?";
}
inline const char* device_name(Device d) { return d == Device::cpu ? "cpu" : "cuda"; }

// The C++ type behind a DType, for templated kernels.
template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::f32; }
template <> constexpr DType dtype_of<double>() { return DType::f64; }
template <> constexpr DType dtype_of<std::int32_t>() { return DType::i32; }

}  // namespace gl
