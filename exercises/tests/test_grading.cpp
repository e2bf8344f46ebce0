// Grading mode: shipped answer files (correct, typical mistakes, templates), a
// rounded file, malformed files, the Gradescope writer, and the parser itself.
#include <gtest/gtest.h>

#include "exercises/common/answer_file.h"
#include "exercises/common/grade.h"
#include "run_program.h"

using gl::ex::test::answers_dir;
using gl::ex::test::run_program;
using gl::ex::test::test_data_dir;

namespace {
const char* kPrograms[] = {"ex1_tanh_gradient", "ex2_backprop_identity", "ex3_resblock_params",
                           "ex4_batchnorm_shapes", "ex5_conv1d_matrix"};
std::string answer(int problem, const char* kind) {
  return answers_dir() + "/" + kind + "_ex" + std::to_string(problem) + ".txt";
}
}  // namespace

TEST(Grading, CorrectFilesPass) {
  for (int p = 1; p <= 5; ++p) {
    auto r = run_program(kPrograms[p - 1], "--answer " + answer(p, "correct"), true);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(r.out.find("incorrect"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("missing"), std::string::npos) << r.out;
  }
}

TEST(Grading, MistakeFilesFailAndRevealTheKeyOnlyWhenAsked) {
  for (int p = 1; p <= 5; ++p) {
    auto r = run_program(kPrograms[p - 1], "--format json --answer " + answer(p, "mistakes"));
    EXPECT_EQ(r.exit_code, 1) << r.out;
    auto j = nlohmann::json::parse(r.out);
    bool some_incorrect = false;
    for (const auto& item : j["items"]) {
      some_incorrect = some_incorrect || item["verdict"] == "incorrect";
      EXPECT_FALSE(item.contains("expected")) << item.dump();
    }
    EXPECT_TRUE(some_incorrect) << r.out;
    auto revealed = nlohmann::json::parse(
        run_program(kPrograms[p - 1], "--format json --reveal answers --answer " + answer(p, "mistakes")).out);
    for (const auto& item : revealed["items"]) EXPECT_TRUE(item.contains("expected")) << item.dump();
  }
}

TEST(Grading, TemplatesAreAllMissing) {
  for (int p = 1; p <= 5; ++p) {
    auto r = run_program(kPrograms[p - 1], "--format json --answer " + answer(p, "template"));
    EXPECT_EQ(r.exit_code, 1) << r.out;
    auto j = nlohmann::json::parse(r.out);
    for (const auto& item : j["items"]) {
      std::string v = item["verdict"];
      EXPECT_TRUE(v == "missing" || v == "skipped (optional)") << item.dump();
    }
  }
}

TEST(Grading, TemplatesMatchWhatTheProgramsWrite) {
  // The shipped templates are the programs' own --format template output, so they stay in sync.
  for (int p = 1; p <= 5; ++p) {
    auto r = run_program(kPrograms[p - 1], "--format template");
    std::FILE* f = std::fopen(answer(p, "template").c_str(), "r");
    ASSERT_NE(f, nullptr);
    std::string text;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    std::fclose(f);
    EXPECT_EQ(text, r.out) << "regenerate exercises/answers/template_ex" << p << ".txt";
  }
}

TEST(Grading, TwoDecimalRoundingIsAcceptedAndSaid) {
  auto r = run_program("ex2_backprop_identity", "--answer " + test_data_dir() + "/rounded_ex2.txt", true);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("correct (rounded)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rounding"), std::string::npos) << r.out;
  auto strict = run_program("ex2_backprop_identity",
                            "--rounding-tol 0 --answer " + test_data_dir() + "/rounded_ex2.txt", true);
  EXPECT_EQ(strict.exit_code, 1) << strict.out;
}

TEST(Grading, PartlyWrongFileGradesItemByItem) {
  auto r = run_program("ex5_conv1d_matrix", "--format json --answer " + test_data_dir() + "/partly_wrong_ex5.txt");
  EXPECT_EQ(r.exit_code, 1);
  auto j = nlohmann::json::parse(r.out);
  std::map<std::string, std::string> verdicts;
  for (const auto& item : j["items"]) verdicts[item["key"]] = item["verdict"];
  EXPECT_EQ(verdicts["A"], "correct");
  EXPECT_EQ(verdicts["B"], "partly correct");  // two wrong entries of 32: credit per entry (the default rubric)
  EXPECT_EQ(verdicts["c.padding"], "incorrect");
  EXPECT_EQ(verdicts["c.V_11"], "correct");
  EXPECT_EQ(verdicts["c.V_22"], "missing");
}

TEST(Grading, MalformedLinesExit2NamingFileAndLineAndTheRestIsGraded) {
  struct Case { const char* file; const char* line_and_message; const char* graded_key; };
  for (Case c : {Case{"malformed_missing_equals.txt", ":3: no '=' on this line", "s1"},
                 Case{"malformed_unclosed.txt", ":2: the list opened on line 2 is not closed before line 4", "x1"},
                 Case{"malformed_ragged.txt", ":1: dW1: line 1: the rows have different lengths", "dW1"}}) {
    std::string path = test_data_dir() + "/" + c.file;
    auto r = run_program("ex2_backprop_identity", "--answer " + path, true);
    EXPECT_EQ(r.exit_code, 2) << c.file << "\n" << r.out;  // every unreadable line or item: 2, said on stderr
    EXPECT_NE(r.out.find("(exit status 2)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(path + c.line_and_message), std::string::npos) << r.out;
    auto j = nlohmann::json::parse(run_program("ex2_backprop_identity", "--format json --answer " + path).out);
    for (const auto& item : j["items"])
      if (item["key"] == c.graded_key) {
        EXPECT_NE(item["verdict"], "missing") << c.file << " " << item.dump();
      }
  }
  auto ragged = nlohmann::json::parse(
      run_program("ex2_backprop_identity", "--format json --answer " + test_data_dir() + "/malformed_ragged.txt").out);
  EXPECT_EQ(ragged["items"][9]["key"], "dW1");
  EXPECT_EQ(ragged["items"][9]["verdict"], "unreadable");
  EXPECT_NE(ragged["items"][9]["feedback"].get<std::string>().find("rows have different lengths"), std::string::npos);
  auto dup = run_program("ex2_backprop_identity", "--answer " + test_data_dir() + "/malformed_duplicate.txt", true);
  EXPECT_NE(dup.out.find("'s3' is given twice (lines 1 and 2): line 2, the later one, is graded"), std::string::npos)
      << dup.out;
  auto missing = run_program("ex1_tanh_gradient", "--answer /nonexistent/answers.txt", true);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.out.find("/nonexistent/answers.txt: cannot open"), std::string::npos) << missing.out;
}

TEST(Grading, GradescopeResults) {
  auto ok = run_program("ex3_resblock_params", "--format gradescope --answer " + answer(3, "correct"));
  EXPECT_EQ(ok.exit_code, 0);
  auto j = nlohmann::json::parse(ok.out);
  EXPECT_EQ(j["score"].get<double>(), j["max_score"].get<double>());
  EXPECT_EQ(j["tests"].size(), 2u);
  auto bad = run_program("ex5_conv1d_matrix", "--format gradescope --answer " + answer(5, "mistakes"));
  EXPECT_EQ(bad.exit_code, 1);
  auto b = nlohmann::json::parse(bad.out);
  EXPECT_LT(b["score"].get<double>(), b["max_score"].get<double>());
  for (const auto& t : b["tests"]) {
    EXPECT_TRUE(t.contains("name") && t.contains("score") && t.contains("max_score") && t.contains("output"));
  }
  auto broken = run_program("ex2_backprop_identity",
                            "--format gradescope --answer " + test_data_dir() + "/malformed_unclosed.txt");
  EXPECT_EQ(broken.exit_code, 2);
  auto k = nlohmann::json::parse(broken.out);
  EXPECT_GT(k["score"].get<double>(), 0.0);  // s1 is still graded
  EXPECT_EQ(k["tests"].size(), 12u);
}

TEST(AnswerFile, ParsesScalarsWordsNestedListsAndComments) {
  auto f = gl::ex::parse_answer_text(
      "# header\n a = 2.5  # trailing\nb=w12_3\nM = [[1, 2],\n     [3 4]]\nv = (C)\n", "mem.txt");
  ASSERT_EQ(f.entries.size(), 4u);
  EXPECT_TRUE(f.problems.empty());
  EXPECT_EQ(f.entries["a"].token, "2.5");
  EXPECT_EQ(f.entries["b"].token, "w12_3");
  std::vector<std::int64_t> shape;
  auto tokens = f.entries["M"].flatten(shape, "mem.txt");
  EXPECT_EQ(shape, (std::vector<std::int64_t>{2, 2}));
  EXPECT_EQ(tokens, (std::vector<std::string>{"1", "2", "3", "4"}));
  EXPECT_EQ(f.key_lines["v"], 6);
  auto unclosed = gl::ex::parse_answer_text("a = [1, 2\nb = 3\n", "x.txt");
  ASSERT_EQ(unclosed.problems.size(), 1u);
  EXPECT_EQ(unclosed.problems[0].line, 1);
  EXPECT_EQ(unclosed.entries.count("b"), 1u);  // the next line is still read
  EXPECT_EQ(gl::ex::parse_answer_text("= 1\n", "x.txt").problems.size(), 1u);
  EXPECT_EQ(gl::ex::parse_answer_text("a = ]\n", "x.txt").problems.size(), 1u);
}

TEST(AnswerFile, SymbolsNormalise) {
  EXPECT_EQ(gl::ex::normalize_symbol("w^{12}_3"), gl::ex::normalize_symbol("w12_3"));
  EXPECT_EQ(gl::ex::normalize_symbol("0.0"), gl::ex::normalize_symbol("0"));
  EXPECT_EQ(gl::ex::normalize_symbol("A^T"), gl::ex::normalize_symbol("at"));
}

TEST(AnswerFile, NumericGradingVerdicts) {
  gl::ex::AnswerItem item = gl::ex::numeric_item("v", "a vector", {2}, {0.5, -0.2468}, true);
  gl::ex::GradeOptions opt;
  auto grade_text = [&](const std::string& text) {
    return gl::ex::grade({item}, gl::ex::parse_answer_text(text, "t.txt"), opt).items.at(0).verdict;
  };
  EXPECT_EQ(grade_text("v = [0.5, -0.2468]"), gl::ex::Verdict::correct);
  EXPECT_EQ(grade_text("v = [[0.5], [-0.2468]]"), gl::ex::Verdict::correct);  // a column is fine
  EXPECT_EQ(grade_text("v = [0.5, -0.25]"), gl::ex::Verdict::correct_rounded);  // two decimals: 0.005 of slack
  EXPECT_EQ(grade_text("v = [0.5, -0.24]"), gl::ex::Verdict::incorrect);        // not a rounding of -0.2468
  EXPECT_EQ(grade_text("v = [0.5, -0.247]"), gl::ex::Verdict::correct_rounded); // three decimals: 0.0005
  EXPECT_EQ(grade_text("v = [0.5, -0.248]"), gl::ex::Verdict::incorrect);
  EXPECT_EQ(grade_text("v = [0.5, 0.25]"), gl::ex::Verdict::incorrect);
  EXPECT_EQ(grade_text("v = [0.5]"), gl::ex::Verdict::incorrect);
  EXPECT_EQ(grade_text("w = 1"), gl::ex::Verdict::missing);
  EXPECT_EQ(grade_text("v = [?, ?]"), gl::ex::Verdict::missing);
}
