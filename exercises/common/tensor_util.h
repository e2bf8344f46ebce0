// Small helpers the checkers share for comparing and printing engine tensors.
#pragma once
#include <string>
#include <vector>

#include "engine/core/error.h"
#include "engine/core/tensor.h"
#include "exercises/common/report.h"

namespace gl::ex {

// max |a - b| over all elements (shapes must have equal element counts).
double max_abs_diff(const Tensor& a, const Tensor& b);
double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b);
// A float64 cpu tensor from row-major values.
Tensor f64(const std::vector<double>& values, const Shape& shape);
// The tensor as printed matrix cells ([n] -> one row; [r, c] -> r rows).
std::vector<std::vector<std::string>> cells(const Tensor& t, int significant = 6);
// The tensor as nested JSON (scalar, vector or matrix by rank).
nlohmann::json to_json(const Tensor& t);
// The 2-norm of all elements.
double norm2(const Tensor& t);

}  // namespace gl::ex
