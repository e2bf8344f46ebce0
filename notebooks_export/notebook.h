// A tiny nbformat-4 notebook builder on nlohmann::json.
//
// A notebook is {"cells": [...], "metadata": {...}, "nbformat": 4,
// "nbformat_minor": 5}. Each cell carries an "id" (required since 4.5), a
// "cell_type", "metadata" and a "source" (a list of lines, each but the last
// ending in "\n", the form Jupyter itself writes so that diffs stay line-based);
// code cells also carry "execution_count": null and "outputs": [] (unexecuted).
// The kernelspec names the standard "python3" kernel (ipykernel), so the
// notebook opens in Jupyter Notebook, JupyterLab, VS Code or nbconvert as is.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/core/error.h"

namespace gl::notebook {

// A notebook (or report) file could not be written; programs exit with 74
// (input/output error, as resnet does) when they catch it.
struct WriteError : gl::Error {
  using gl::Error::Error;
};

class Notebook {
 public:
  // title: the notebook's name in its metadata (also the first heading the
  // caller usually writes as a markdown cell).
  explicit Notebook(std::string title);

  Notebook& markdown(std::string_view text);
  Notebook& code(std::string_view python_source);
  // A code cell whose source starts collapsed (Jupyter's source_hidden, and
  // JupyterLab's and VS Code's equivalents): data the notebook carries, such
  // as the checker's results, runs without a wall of numbers opening it.
  Notebook& hidden_code(std::string_view python_source);

  std::size_t cell_count() const { return cells_.size(); }
  nlohmann::json to_json() const;
  // Writes to_json() with one-space indentation (Jupyter's own layout) and a
  // final newline; throws gl::Error naming the path if the file cannot be written.
  void write(const std::filesystem::path& path) const;

 private:
  nlohmann::json make_cell(std::string_view type, std::string_view text);

  std::string title_;
  nlohmann::json cells_ = nlohmann::json::array();
};

// "a\nb\n" -> ["a\n", "b\n"]; "a\nb" -> ["a\n", "b"]: nbformat's multiline string.
nlohmann::json split_source_lines(std::string_view text);

}  // namespace gl::notebook
