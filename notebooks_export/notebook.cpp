#include "notebooks_export/notebook.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "engine/core/error.h"

namespace gl::notebook {

using nlohmann::json;

Notebook::Notebook(std::string title) : title_(std::move(title)) {}

json split_source_lines(std::string_view text) {
  json lines = json::array();
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size() - 1;
    lines.push_back(std::string(text.substr(start, end - start + 1)));
    start = end + 1;
  }
  return lines;
}

json Notebook::make_cell(std::string_view type, std::string_view text) {
  // Cell ids must match ^[a-zA-Z0-9-_]+$ and be unique in the notebook; a
  // running number keeps exported notebooks byte-identical from run to run.
  json cell = {{"id", "cell-" + std::to_string(cells_.size() + 1)},
               {"cell_type", std::string(type)},
               {"metadata", json::object()},
               {"source", split_source_lines(text)}};
  return cell;
}

Notebook& Notebook::markdown(std::string_view text) {
  cells_.push_back(make_cell("markdown", text));
  return *this;
}

Notebook& Notebook::code(std::string_view python_source) {
  json cell = make_cell("code", python_source);
  cell["execution_count"] = nullptr;
  cell["outputs"] = json::array();
  cells_.push_back(std::move(cell));
  return *this;
}

Notebook& Notebook::hidden_code(std::string_view python_source) {
  code(python_source);
  cells_.back()["metadata"] = {{"jupyter", {{"source_hidden", true}}}, {"tags", {"gradlab-data"}}};
  return *this;
}

json Notebook::to_json() const {
  json metadata = {
      {"kernelspec", {{"name", "python3"}, {"display_name", "Python 3 (ipykernel)"}, {"language", "python"}}},
      {"language_info", {{"name", "python"}, {"mimetype", "text/x-python"}, {"file_extension", ".py"}}},
      {"title", title_},
      {"gradlab", {{"generator", "gradlab notebooks_export"}}}};
  return {{"cells", cells_}, {"metadata", metadata}, {"nbformat", 4}, {"nbformat_minor", 5}};
}

void Notebook::write(const std::filesystem::path& path) const {
  // Whole or not at all: a temporary beside the target, checked after the
  // last byte and after close, then renamed over it; removed on failure.
  const std::filesystem::path tmp = path.string() + "." + std::to_string(::getpid()) + ".tmp";
  const std::string text = to_json().dump(1) + "\n";
  auto fail = [&](const std::string& what) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw WriteError(fmt::format("Notebook::write: {} '{}' ({}); nothing was written", what, path.string(),
                                 std::strerror(errno)));
  };
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  if (!out.is_open()) fail("cannot create a temporary file beside");
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.flush();
  if (!out.good()) fail("writing failed (disk full?) for");
  out.close();
  if (out.fail()) fail("closing failed for");
  if (std::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot rename the temporary onto");
}

}  // namespace gl::notebook
