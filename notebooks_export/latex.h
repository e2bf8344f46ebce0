// LaTeX for markdown cells: numbers and matrices as Jupyter's MathJax renders them.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace gl::notebook {

// A number with `digits` significant digits, exponents as \times 10^{k}
// (1.5e-07 -> 1.5 \times 10^{-7}); integers as integers; a string is taken
// to be LaTeX already (for symbolic entries such as "w^{11}_{1}").
std::string latex_number(const nlohmann::json& value, int digits = 4);

// \begin{bmatrix} a & b \\ c & d \end{bmatrix} from a JSON array of rows; a
// flat JSON array becomes a column vector. Entries go through latex_number.
// Throws gl::Error if the rows have different lengths.
std::string latex_matrix(const nlohmann::json& rows, int digits = 4);

}  // namespace gl::notebook
