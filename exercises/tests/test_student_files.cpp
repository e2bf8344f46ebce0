// A corpus of student-style answer files (exercises/tests/data/*_exN.txt), each
// with the verdicts a careful TA gives, graded as JSON, text and Gradescope
// results. Each file is one defect of the issue or one form students write.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "run_program.h"

using gl::ex::test::run_program;
using gl::ex::test::answers_dir;
using gl::ex::test::test_data_dir;

namespace {

const char* program_of(int problem) {
  static const char* kPrograms[] = {"ex1_tanh_gradient", "ex2_backprop_identity", "ex3_resblock_params",
                                    "ex4_batchnorm_shapes", "ex5_conv1d_matrix"};
  return kPrograms[problem - 1];
}

struct TaVerdict {
  const char* file;
  int problem;
  int correct_items;                          // of the required items
  std::map<std::string, std::string> items;   // key -> verdict, for the items the case is about
};

const std::vector<TaVerdict>& corpus() {
  static const std::vector<TaVerdict> c = {
      {"bom_unicode_ex2.txt", 2, 12, {{"s2", "correct (rounded)"}, {"dW1", "correct (rounded)"}}},
      {"non_ascii_ex1.txt", 1, 1, {{"grad_limit", "unreadable"}, {"tanh_prime_limit", "correct"}}},
      {"latin1_ex1.txt", 1, 1, {{"grad_limit", "unreadable"}, {"tanh_prime_limit", "correct"}}},
      {"nan_ex1.txt", 1, 0, {{"grad_limit", "incorrect"}, {"tanh_prime_limit", "incorrect"}}},
      {"nan_ex2.txt", 2, 0, {{"s1", "incorrect"}, {"dW3", "incorrect"}}},
      {"one_bad_line_ex5.txt", 5, 8, {{"b.relation", "correct"}, {"c.is_convolution", "correct"}, {"c.padding", "unreadable"}}},
      {"placeholder_duplicate_ex1.txt", 1, 2, {{"grad_limit", "correct"}}},
      {"key_spellings_ex2.txt", 2, 11, {{"delta3", "correct (rounded)"}, {"dW1", "correct (rounded)"}, {"delta1", "missing"}}},
      {"forms_ex2.txt", 2, 12, {{"s1", "correct"}, {"x3", "correct (rounded)"}, {"dW3", "correct (rounded)"}}},
      {"forms_ex3.txt", 3, 2, {{"standard.params", "correct"}}},
      {"forms_ex4.txt", 4, 4, {{"fc.mean_shape_keepdims", "correct"}, {"conv.mean_shape_keepdims", "correct"}}},
      {"forms_ex5.txt", 5, 9, {{"A", "correct"}, {"c.V_21", "correct"}, {"c.is_convolution", "correct"}}},
      {"optional_only_required_ex4.txt", 4, 4, {{"fc.mean_shape_keepdims", "skipped (optional)"}}},
      // Issue 23: the forms and mistakes of the second, outside set.
      {"words_ex3.txt", 3, 2, {{"standard.params", "correct"}, {"bottleneck.params", "correct"}}},
      {"one_answer_ex3.txt", 3, 1, {{"standard.params", "incorrect"}, {"bottleneck.params", "correct"}}},
      {"number_forms_ex3.txt", 3, 2, {{"standard.params", "correct"}}},
      {"words_ex1.txt", 1, 2, {{"grad_limit", "correct"}, {"tanh_prime_limit", "correct"}}},
      {"parenthesis_ex1.txt", 1, 2, {{"grad_limit", "correct"}}},
      {"shapes_ex4.txt", 4, 4, {{"conv.mean_shape", "correct"}, {"conv.var_shape", "correct"}, {"fc.mean_shape_keepdims", "correct"}}},
      {"sentences_ex5.txt", 5, 9, {{"B", "correct"}, {"c.is_convolution", "correct"}, {"c.padding", "correct"}, {"c.V_11", "correct"}}},
      {"transpose_of_wrong_a_ex5.txt", 5, 7, {{"A", "partly correct"}, {"B", "incorrect"}, {"b.relation", "correct"}}},
      {"json_ex2.txt", 2, 12, {{"s2", "correct (rounded)"}, {"dW3", "correct (rounded)"}}},
      {"yaml_ex2.txt", 2, 12, {{"dW1", "correct (rounded)"}, {"dW2", "correct (rounded)"}}},
      {"yaml_ex3.txt", 3, 2, {{"standard.params", "correct"}, {"bottleneck.params", "correct"}}},
      {"dict_ex1.txt", 1, 2, {{"grad_limit", "correct"}}},
      {"bare_rows_ex2.txt", 2, 12, {{"dW1", "correct (rounded)"}, {"dW2", "correct (rounded)"}, {"dW3", "correct (rounded)"}}},
      {"bad_json_ex1.txt", 1, 0, {{"grad_limit", "unreadable"}}},
      {"factor2_ex2.txt", 2, 11, {{"delta3", "incorrect"}, {"delta2", "correct"}, {"dW3", "correct"}}},
      {"spellings_twice_ex2.txt", 2, 12, {{"dW1", "correct (rounded)"}}},
  };
  return c;
}

std::string fmt_score(int correct) { return "Score: " + std::to_string(correct) + " / "; }

}  // namespace

TEST(StudentFiles, JsonVerdictsAreTheTasVerdicts) {
  for (const auto& c : corpus()) {
    auto r = run_program(program_of(c.problem), "--format json --answer " + test_data_dir() + "/" + c.file);
    auto j = nlohmann::json::parse(r.out);
    int correct = 0;
    for (const auto& item : j["items"]) {
      std::string v = item["verdict"];
      correct += (v == "correct" || v == "correct (rounded)") && item["max_score"].get<double>() > 0;
      auto want = c.items.find(item["key"]);
      if (want != c.items.end()) {
        EXPECT_EQ(v, want->second) << c.file << ": " << item.dump();
      }
    }
    EXPECT_EQ(correct, c.correct_items) << c.file << "\n" << r.out;
  }
}

TEST(StudentFiles, TextAndGradescopeAgreeWithJson) {
  for (const auto& c : corpus()) {
    std::string path = test_data_dir() + "/" + c.file;
    auto j = nlohmann::json::parse(run_program(program_of(c.problem), "--format json --answer " + path).out);
    auto text = run_program(program_of(c.problem), "--answer " + path);
    EXPECT_NE(text.out.find(fmt_score(c.correct_items)), std::string::npos) << c.file << "\n" << text.out;
    // One exit-status rule: the printed status is the real one (none printed for 0).
    std::string printed = text.exit_code ? "(exit status " + std::to_string(text.exit_code) + ")" : "(exit status";
    EXPECT_EQ(text.out.find(printed) != std::string::npos, text.exit_code != 0) << c.file << "\n" << text.out;
    auto md = run_program("exercises", "grade --format markdown " + path);
    EXPECT_EQ(md.exit_code, 0) << c.file;
    auto gs = run_program(program_of(c.problem), "--format gradescope --answer " + path);
    auto g = nlohmann::json::parse(gs.out);  // written even when lines are unreadable
    EXPECT_DOUBLE_EQ(g["score"].get<double>(), j["score"].get<double>()) << c.file;
    for (const auto& t : g["tests"]) {
      for (const char* field : {"name", "number", "score", "max_score", "status", "output", "output_format", "tags",
                                "visibility"})
        EXPECT_TRUE(t.contains(field)) << c.file << " lacks " << field << ": " << t.dump();
    }
  }
}

TEST(StudentFiles, UnicodeAndBomAreReadAndSaid) {
  auto r = run_program("ex2_backprop_identity", "--answer " + test_data_dir() + "/bom_unicode_ex2.txt");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("byte-order mark"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Unicode minus signs read as '-'"), std::string::npos) << r.out;
  auto bad = run_program("ex1_tanh_gradient", "--answer " + test_data_dir() + "/non_ascii_ex1.txt", true);
  EXPECT_NE(bad.out.find("the character '\xC2\xB0' (U+00B0)"), std::string::npos) << bad.out;  // legible, not '\xc2'
  auto gs = run_program("ex1_tanh_gradient", "--format gradescope --answer " + test_data_dir() + "/non_ascii_ex1.txt");
  EXPECT_EQ(gs.exit_code, 2);
  EXPECT_EQ(nlohmann::json::parse(gs.out)["score"].get<double>(), 5.0);
}

TEST(StudentFiles, DiagnosesNameTheMistakeWithoutTheValue) {
  struct Case { int problem; const char* key; const char* diagnosis; };
  auto answers = answers_dir();
  for (Case c : {Case{2, "x1", "bias coordinate is missing"}, Case{2, "x3", "tanh kept at the output"},
                 Case{2, "dW1", "transposed"}, Case{2, "delta2", "consistent with your x2 and delta3"},
                 Case{4, "fc.mean_shape", "statistics over the wrong axes"}, Case{5, "A", "channel indices are swapped"},
                 Case{5, "B", "B is written as A"}, Case{5, "c.padding", "the wrong padding"},
                 Case{5, "c.V_11", "kernel is not flipped"}, Case{3, "standard.params", "matches none of the counting"}}) {
    auto j = nlohmann::json::parse(
        run_program(program_of(c.problem), "--format json --answer " + answers + "/mistakes_ex" +
                                               std::to_string(c.problem) + ".txt").out);
    bool found = false;
    for (const auto& item : j["items"])
      if (item["key"] == c.key) {
        found = true;
        std::string fb = item["feedback"];
        EXPECT_NE(fb.find(c.diagnosis), std::string::npos) << c.key << ": " << fb;
      }
    EXPECT_TRUE(found) << c.key;
  }
}

TEST(StudentFiles, Issue23DiagnosesAndMessages) {
  struct Case { int problem; const char* file; const char* key; const char* says; const char* never; };
  for (Case c : {Case{3, "one_answer_ex3.txt", "standard.params", "give one answer", "is not a number"},
                 Case{3, "words_ex3.txt", "standard.params", "the words around it are ignored", "not a number"},
                 Case{1, "parenthesis_ex1.txt", "grad_limit", "within tolerance", "rows"},
                 Case{5, "sentences_ex5.txt", "B", "read as the transpose of your A, which is correct", "rows"},
                 Case{5, "sentences_ex5.txt", "c.is_convolution", "read 'Yes'", "rows"},
                 Case{5, "transpose_of_wrong_a_ex5.txt", "B", "which is not correct", "expected"},
                 Case{4, "shapes_ex4.txt", "conv.mean_shape", "shape matches", "keeps"},
                 Case{2, "factor2_ex2.txt", "delta3", "the factor 2", "tanh kept"},
                 Case{1, "bad_json_ex1.txt", "grad_limit", "looks like a JSON object", "no line"}}) {
    auto j = nlohmann::json::parse(run_program(program_of(c.problem), "--format json --answer " + test_data_dir() + "/" + c.file).out);
    bool found = false;
    for (const auto& item : j["items"])
      if (item["key"] == c.key) {
        found = true;
        std::string fb = item["feedback"];
        EXPECT_NE(fb.find(c.says), std::string::npos) << c.file << " " << c.key << ": " << fb;
        EXPECT_EQ(fb.find(c.never), std::string::npos) << c.file << " " << c.key << ": " << fb;
      }
    EXPECT_TRUE(found) << c.file << " " << c.key;
  }
  // A key in two spellings: one note, and no "unknown key" warning that contradicts it.
  auto twice = nlohmann::json::parse(
      run_program("ex2_backprop_identity", "--format json --answer " + test_data_dir() + "/spellings_twice_ex2.txt").out);
  EXPECT_EQ(twice["warnings"].dump().find("unknown key"), std::string::npos) << twice["warnings"].dump();
  EXPECT_NE(twice["notes"].dump().find("'dW3' is answered on lines 14 and 15: line 15 is graded"), std::string::npos)
      << twice["notes"].dump();
  // The rubric can refuse B written as A^T.
  auto refused = run_program("ex5_conv1d_matrix", "--format json --rubric " + test_data_dir() +
                                                      "/rubric_no_transpose.txt --answer " + test_data_dir() + "/sentences_ex5.txt");
  auto rj = nlohmann::json::parse(refused.out);
  EXPECT_EQ(rj["items"][1]["verdict"], "incorrect") << refused.out;
  EXPECT_NE(rj["items"][1]["feedback"].get<std::string>().find("this rubric"), std::string::npos);
}

TEST(StudentFiles, RoundingSlackComesFromTheRoundingNotAPercentage) {
  // The default problem's full-precision answers graded under another student's variant: s2 = -1.4804 is not a
  // rounding of that variant's s2, whatever the percentage.
  std::string dir = ::testing::TempDir() + "/gradlab_variant_copy";
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(answers_dir() + "/correct_ex2.txt", dir + "/ex2.txt",
                             std::filesystem::copy_options::overwrite_existing);
  auto j = nlohmann::json::parse(run_program("exercises", "grade --format json --student 40012345 " + dir).out);
  for (const auto& item : j["problems"][1]["items"]) EXPECT_NE(item["verdict"], "correct (rounded)") << item.dump();
  // Two-decimal values carried through the recursion stay "correct (rounded)" (rounded_ex2.txt: 12 of 12 above).
}

TEST(StudentFiles, BlankTemplateLeaksNoAnswer) {
  for (int p = 1; p <= 5; ++p) {
    auto key = run_program(program_of(p), "--format json");
    auto answers = nlohmann::json::parse(key.out)["answers"];
    auto graded = run_program(program_of(p), "--format gradescope --answer " + answers_dir() +
                                                 "/template_ex" + std::to_string(p) + ".txt");
    const nlohmann::json results = nlohmann::json::parse(graded.out);  // outlives the loop over its tests
    for (const auto& t : results["tests"]) {
      std::string out = t["output"];
      EXPECT_EQ(out.find("expected"), std::string::npos) << out;
      for (auto it = answers.begin(); it != answers.end(); ++it) {
        if (it->is_string() && it->get<std::string>().size() > 2) {
          EXPECT_EQ(out.find(it->get<std::string>()), std::string::npos) << out;
        }
      }
    }
  }
}

TEST(StudentFiles, OptionalItemsDoNotChangeTheDenominator) {
  auto with = nlohmann::json::parse(
      run_program("ex4_batchnorm_shapes", "--format json --answer " + test_data_dir() + "/forms_ex4.txt").out);
  auto without = nlohmann::json::parse(run_program("ex4_batchnorm_shapes", "--format json --answer " + test_data_dir() +
                                                                               "/optional_only_required_ex4.txt").out);
  EXPECT_DOUBLE_EQ(with["max_score"].get<double>(), without["max_score"].get<double>());
  EXPECT_DOUBLE_EQ(with["score"].get<double>(), without["score"].get<double>());
  auto text = run_program("ex4_batchnorm_shapes", "--answer " + test_data_dir() + "/optional_only_required_ex4.txt");
  EXPECT_NE(text.out.find("Score: 4 / 4 items correct"), std::string::npos) << text.out;
}

TEST(StudentFiles, Ex1ScalingTableKeepsSech2AtLargeScales) {
  // sech^2(s) = 4 e^{-2|s|} / (1 + e^{-2|s|})^2 in long double, from the JSON's X and w: the table must not print 0.
  auto j = gl::ex::test::run_json("ex1_tanh_gradient");
  const auto& v = j["values"];
  std::size_t N = v["N"], d = v["dim"];
  for (const auto& row : v["scaling"]) {
    long double c = row["scale"].get<double>(), max_slope = 0, g2 = 0;
    std::vector<long double> g(d, 0);
    for (std::size_t n = 0; n < N; ++n) {
      long double s = 0;
      for (std::size_t k = 0; k < d; ++k) s += c * v["X"][n][k].get<double>() * v["w"][k].get<double>();
      long double e = std::exp(-2 * std::fabs(s)), sech2 = 4 * e / ((1 + e) * (1 + e));
      max_slope = std::max(max_slope, sech2);
      for (std::size_t k = 0; k < d; ++k)
        g[k] += 2.0L / N * (std::tanh(s) - v["y"][n].get<double>()) * sech2 * v["X"][n][k].get<double>();
    }
    for (auto x : g) g2 += x * x;
    double want_norm = static_cast<double>(std::sqrt(g2)), got_norm = row["grad_norm_formula"];
    EXPECT_GT(got_norm, 0.0) << "c = " << static_cast<double>(c);
    EXPECT_NEAR(got_norm, want_norm, 1e-9 * want_norm) << "c = " << static_cast<double>(c);
    EXPECT_NEAR(row["max_tanh_prime"].get<double>(), static_cast<double>(max_slope), 1e-9 * static_cast<double>(max_slope));
  }
}
