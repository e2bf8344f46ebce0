// One element of the lab primitives (Backend::compare, arith, select, math):
// the scalar rules, written once and compiled both into the CPU kernels
// (engine/cpu/lab_*.cpp) and the CUDA kernels (cuda/lab_*.cu), so the two
// backends cannot disagree about a rounding or a sign convention.
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "engine/core/backend.h"  // CompareOp, ArithOp, MathOp

#ifdef __CUDACC__
#define GL_LAB_HD __host__ __device__ inline
#else
#define GL_LAB_HD inline
#endif

namespace gl::lab {

template <class T> GL_LAB_HD bool truthy(T v) { return v != T(0); }
template <class T> GL_LAB_HD bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) return v != v;
  else return false;
}

template <class T> GL_LAB_HD bool compare(CompareOp op, T a, T b) {
  switch (op) {
    case CompareOp::eq: return a == b;
    case CompareOp::ne: return a != b;
    case CompareOp::lt: return a < b;
    case CompareOp::le: return a <= b;
    case CompareOp::gt: return a > b;
    case CompareOp::ge: return a >= b;
    case CompareOp::logical_and: return truthy(a) && truthy(b);
    case CompareOp::logical_or: return truthy(a) || truthy(b);
  }
  return false;
}

// Python's floor division and modulo (PyTorch's floor_divide and remainder).
template <class T> GL_LAB_HD T floordiv(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::floor(a / b);
  } else {
    if (b == 0) return 0;  // the ops refuse integer division by zero before calling
    T q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
  }
}
template <class T> GL_LAB_HD T mod(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    const T r = std::fmod(a, b);
    return (r != T(0) && ((r < 0) != (b < 0))) ? r + b : r;
  } else {
    if (b == 0) return 0;
    T r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  }
}
template <class T> GL_LAB_HD T power(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::pow(a, b);
  } else {
    if (b < 0) return a == 1 ? 1 : (a == -1 ? ((b % 2 == 0) ? 1 : -1) : 0);
    T r = 1;
    for (; b > 0; b >>= 1, a *= a)
      if (b & 1) r *= a;
    return r;
  }
}

template <class T> GL_LAB_HD T arith(ArithOp op, T a, T b) {
  switch (op) {
    case ArithOp::add: return a + b;
    case ArithOp::sub: return a - b;
    case ArithOp::mul: return a * b;
    case ArithOp::div:
      if constexpr (std::is_floating_point_v<T>) return a / b;
      else return floordiv(a, b);
    case ArithOp::floordiv: return floordiv(a, b);
    case ArithOp::mod: return mod(a, b);
    case ArithOp::maximum: return is_nan(a) || a > b ? a : b;  // NaN propagates
    case ArithOp::minimum: return is_nan(a) || a < b ? a : b;
    case ArithOp::pow: return power(a, b);
  }
  return a;
}

// Round half to even (PyTorch's torch.round, numpy's rint).
template <class T> GL_LAB_HD T round_half_even(T x) { return std::nearbyint(x); }

// The float result of a MathOp (not isnan/isfinite/logical_not, which give bool).
template <class T> GL_LAB_HD T math(MathOp op, T x, double s0, double s1) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case MathOp::abs: return std::fabs(x);
      case MathOp::sign: return x > T(0) ? T(1) : (x < T(0) ? T(-1) : x);  // sign(NaN) = NaN, sign(-0) = -0
      case MathOp::floor: return std::floor(x);
      case MathOp::ceil: return std::ceil(x);
      case MathOp::round: return round_half_even(x);
      case MathOp::sin: return std::sin(x);
      case MathOp::cos: return std::cos(x);
      case MathOp::tan: return std::tan(x);
      case MathOp::log1p: return std::log1p(x);
      case MathOp::expm1: return std::expm1(x);
      case MathOp::erf: return std::erf(x);
      case MathOp::clamp: {
        if (x != x) return x;
        T y = x < static_cast<T>(s0) ? static_cast<T>(s0) : x;
        return y > static_cast<T>(s1) ? static_cast<T>(s1) : y;
      }
      default: return x;
    }
  } else {
    switch (op) {
      case MathOp::abs: return x < 0 ? static_cast<T>(-x) : x;
      case MathOp::sign: return static_cast<T>(x > 0 ? 1 : (x < 0 ? -1 : 0));
      case MathOp::clamp: {
        const double y = static_cast<double>(x);
        if (y < s0) return static_cast<T>(s0);
        if (y > s1) return static_cast<T>(s1);
        return x;
      }
      default: return x;  // floor, ceil, round of an integer is itself
    }
  }
}

template <class T> GL_LAB_HD bool math_bool(MathOp op, T x) {
  switch (op) {
    case MathOp::isnan: return is_nan(x);
    case MathOp::isfinite:
      if constexpr (std::is_floating_point_v<T>) return x == x && x - x == T(0);
      else return true;
    case MathOp::logical_not: return !truthy(x);
    default: return false;
  }
}

inline bool math_gives_bool(MathOp op) {
  return op == MathOp::isnan || op == MathOp::isfinite || op == MathOp::logical_not;
}

}  // namespace gl::lab
