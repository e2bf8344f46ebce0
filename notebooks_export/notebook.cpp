#include "notebooks_export/notebook.h"

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
  std::ofstream out(path);
  GL_CHECK(out.good(), "Notebook::write: cannot open '{}' for writing (does the folder exist and is it writable?)",
           path.string());
  out << to_json().dump(1) << '\n';
  GL_CHECK(out.good(), "Notebook::write: writing '{}' failed (disk full?)", path.string());
}

}  // namespace gl::notebook
