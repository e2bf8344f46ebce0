// The nbformat builder, the LaTeX helpers and the JSON-in-Python embedding.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "engine/core/error.h"
#include "notebooks_export/latex.h"
#include "notebooks_export/notebook.h"
#include "notebooks_export/python_embed.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace gl::notebook;

TEST(NotebookBuilder, SplitsSourceIntoJupyterLines) {
  EXPECT_EQ(split_source_lines("a\nb\n"), json({"a\n", "b\n"}));
  EXPECT_EQ(split_source_lines("a\nb"), json({"a\n", "b"}));
  EXPECT_EQ(split_source_lines("\n\nx"), json({"\n", "\n", "x"}));
  EXPECT_EQ(split_source_lines(""), json::array());
}

TEST(NotebookBuilder, WritesNbformat45WithPythonKernel) {
  Notebook nb("t");
  nb.markdown("# Title\n\n$x^2$").code("x = 1\nprint(x)");
  json j = nb.to_json();
  EXPECT_EQ(j["nbformat"], 4);
  EXPECT_EQ(j["nbformat_minor"], 5);
  EXPECT_EQ(j["metadata"]["kernelspec"]["name"], "python3");
  EXPECT_EQ(j["metadata"]["kernelspec"]["language"], "python");
  ASSERT_EQ(j["cells"].size(), 2u);
  const json& md = j["cells"][0];
  const json& code = j["cells"][1];
  EXPECT_EQ(md["cell_type"], "markdown");
  EXPECT_FALSE(md.contains("outputs"));  // nbformat rejects outputs on markdown cells
  EXPECT_EQ(code["cell_type"], "code");
  EXPECT_TRUE(code["execution_count"].is_null());
  EXPECT_EQ(code["outputs"], json::array());
  EXPECT_EQ(code["source"], json({"x = 1\n", "print(x)"}));
  EXPECT_NE(md["id"], code["id"]);
}

TEST(NotebookBuilder, WriteNamesAnUnwritablePath) {
  Notebook nb("t");
  try {
    nb.write("/nonexistent-folder/x.ipynb");
    FAIL() << "expected gl::Error";
  } catch (const gl::Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-folder/x.ipynb"), std::string::npos);
  }
}

TEST(Latex, NumbersAndMatrices) {
  EXPECT_EQ(latex_number(json(3)), "3");
  EXPECT_EQ(latex_number(json(0.25)), "0.25");
  EXPECT_EQ(latex_number(json(1.5e-7)), "1.5 \\times 10^{-7}");
  EXPECT_EQ(latex_number(json("w^{12}_{3}")), "w^{12}_{3}");
  EXPECT_EQ(latex_matrix(json({{1, 2}, {3, 4}})), "\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}");
  EXPECT_EQ(latex_matrix(json({1, 2})), "\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix}");
  EXPECT_THROW(latex_matrix(json({{1, 2}, {3}})), gl::Error);
}

TEST(PythonEmbed, ApostrophesCannotCloseTheRawString) {
  std::string expr = python_json_expression(json({{"text", "it's '''here''' \\ end"}}));
  EXPECT_EQ(expr.find("'''here"), std::string::npos);
  EXPECT_EQ(expr.rfind("json.loads(r'''", 0), 0u);
}

// The strongest check: Python itself parses the expression back to the same value.
TEST(PythonEmbed, PythonReadsBackTheSameValue) {
  if (!fs::exists(GRADLAB_PYTHON)) GTEST_SKIP() << GRADLAB_PYTHON << " not found";
  json value = {{"quotes", "it's \"quoted\" and '''triple'''"},
                {"backslashes", "C:\\path\\ and \\n literally, ends with \\"},
                {"unicode", "\u00e9\u4e2d \U0001F600"},
                {"control", "line1\nline2\ttab"},
                {"numbers", {0.1, 1e-300, -2.5e10, 123456789012345LL}},
                {"nested", {{"t", true}, {"f", false}, {"n", nullptr}}}};
  fs::path dir = fs::temp_directory_path() / "gradlab_python_embed_test";
  fs::create_directories(dir);
  std::ofstream(dir / "expected.json") << value.dump();
  std::ofstream(dir / "check.py") << "import json, sys\n"
                                  << python_json_assignment("value", value)
                                  << "expected = json.load(open(sys.argv[1], encoding='utf-8'))\n"
                                  << "assert value == expected, (value, expected)\n";
  std::string command = std::string(GRADLAB_PYTHON) + " " + (dir / "check.py").string() + " " +
                        (dir / "expected.json").string();
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
}
