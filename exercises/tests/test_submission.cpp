// `exercises grade` (one submission, every format) and `exercises grade-class`
// (CSV, item analysis, regrade) on the committed examples (exercises/examples/).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "run_program.h"

using gl::ex::test::answers_dir;
using gl::ex::test::run_program;

namespace {
std::string examples() { return answers_dir() + "/../examples"; }
std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
std::string temp_dir(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() / ("gradlab_h12_" + name + std::to_string(::getpid()));
  std::filesystem::create_directories(d);
  return d.string();
}
}  // namespace

TEST(GradeCommand, FolderAndSectionedFileInEveryFormat) {
  std::string carol = examples() + "/class/carol", bob = examples() + "/class/bob.txt";
  auto json = run_program("exercises", "grade --format json " + carol);
  ASSERT_EQ(json.exit_code, 0) << json.out;
  auto j = nlohmann::json::parse(json.out);
  EXPECT_DOUBLE_EQ(j["max_score"].get<double>(), 110.0);  // 10 + 10 + 20 + 20 + 50
  EXPECT_DOUBLE_EQ(j["score"].get<double>(), 80.0);        // ex1 nan/inf 0, ex3 no file 0, the rest full
  EXPECT_EQ(j["problems"][2]["source"], "");
  EXPECT_NE(j["problems"][2]["message"].get<std::string>().find("no answer file for ex3"), std::string::npos);
  EXPECT_NE(j["problems"][1]["source"].get<std::string>().find("Problem_2.txt"), std::string::npos);

  auto text = run_program("exercises", "grade " + bob);
  EXPECT_EQ(text.exit_code, 0);  // results written: 0, whatever the score
  EXPECT_NE(text.out.find("Total: 48.21 / 110 points"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("(exit status"), std::string::npos) << text.out;  // it exits 0: no other status printed
  auto md = run_program("exercises", "grade --format markdown " + bob);
  EXPECT_NE(md.out.find("| `dW1` | incorrect |"), std::string::npos) << md.out;
  auto gs = nlohmann::json::parse(run_program("exercises", "grade --format gradescope " + bob).out);
  double sum = 0;
  for (const auto& t : gs["tests"]) sum += t["score"].get<double>();
  EXPECT_NEAR(sum, gs["score"].get<double>(), 1e-9);
  EXPECT_EQ(gs["tests"][0]["number"], "1.grad_limit");
  auto missing = run_program("exercises", "grade /nonexistent/submission", true);
  EXPECT_EQ(missing.exit_code, 3);  // the grader itself failed
}

TEST(GradeCommand, RevealAnswersOnlyAfterTheDueDate) {
  std::string bob = examples() + "/class/bob.txt";
  auto hidden = nlohmann::json::parse(run_program("exercises", "grade --format gradescope " + bob).out);
  for (const auto& t : hidden["tests"]) EXPECT_EQ(t["visibility"], "visible");
  auto shown = nlohmann::json::parse(run_program("exercises", "grade --format gradescope --reveal answers " + bob).out);
  int keys = 0;
  for (const auto& t : shown["tests"])
    if (t["visibility"] == "after_due_date") {
      ++keys;
      EXPECT_DOUBLE_EQ(t["max_score"].get<double>(), 0.0);
      EXPECT_NE(t["output"].get<std::string>().find(" = "), std::string::npos);
    }
  EXPECT_EQ(keys, 5);  // one answer key per problem
  auto none = run_program("exercises", "grade --reveal none " + bob);
  EXPECT_EQ(none.out.find("tanh kept"), std::string::npos) << none.out;
}

TEST(GradeCommand, RubricSetsPointsAndConventionPolicy) {
  std::string dir = temp_dir("rubric");
  std::ofstream(dir + "/rubric.txt") << "ex3 = 30\nex3.conventions = [with_bn]\npartial = []\nfollow_through = no\n";
  std::ofstream(dir + "/answers.txt") << "[ex3]\nstandard.params = 18560\nbottleneck.params = 17408\n";
  auto j = nlohmann::json::parse(
      run_program("exercises", "grade --format json --rubric " + dir + "/rubric.txt " + dir + "/answers.txt").out);
  const auto& ex3 = j["problems"][2];
  EXPECT_DOUBLE_EQ(ex3["max_score"].get<double>(), 30.0);
  EXPECT_DOUBLE_EQ(ex3["score"].get<double>(), 15.0);  // weights-only refused by this rubric
  EXPECT_NE(ex3["items"][1]["feedback"].get<std::string>().find("does not accept"), std::string::npos);
  std::ofstream(dir + "/bad.txt") << "ex9.foo = many\n";
  EXPECT_EQ(run_program("exercises", "grade --rubric " + dir + "/bad.txt " + dir + "/answers.txt").exit_code, 3);
  std::filesystem::remove_all(dir);
}

TEST(GradeClass, CsvAnalysisAndRegrade) {
  std::string dir = temp_dir("class");
  auto r = run_program("exercises", "grade-class " + examples() + "/class --csv " + dir + "/g.csv --analysis " + dir +
                                        "/a.md", true);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("graded 3 submissions"), std::string::npos) << r.out;
  std::string csv = slurp(dir + "/g.csv");
  EXPECT_EQ(csv.rfind("student,total,ex1,ex2,ex3,ex4,ex5,ex1.grad_limit", 0), 0u) << csv;
  EXPECT_NE(csv.find("\nalice,110,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\ncarol,80,"), std::string::npos) << csv;
  std::string md = slurp(dir + "/a.md");
  EXPECT_NE(md.find("| ex2.x1 |"), std::string::npos) << md;
  EXPECT_NE(md.find("bias coordinate is missing"), std::string::npos) << md;
  EXPECT_NE(md.find("Histogram"), std::string::npos);

  std::string old = csv;  // an earlier grading where carol had 70
  old.replace(old.find("\ncarol,80,"), 10, "\ncarol,70,");
  std::ofstream(dir + "/old.csv") << old;
  auto re = run_program("exercises", "grade-class " + examples() + "/class --csv " + dir + "/g2.csv --previous " + dir +
                                         "/old.csv");
  EXPECT_NE(re.out.find("1 of 3 students changed"), std::string::npos) << re.out;
  EXPECT_NE(re.out.find("| carol | 70 | 80 |"), std::string::npos) << re.out;

  auto gs = run_program("exercises", "grade-class " + examples() + "/gradescope_export --csv " + dir + "/e.csv");
  EXPECT_EQ(gs.exit_code, 0);
  std::string e = slurp(dir + "/e.csv");
  EXPECT_NE(e.find("\n40012345,"), std::string::npos) << e;  // the sid from submission_metadata.yml
  EXPECT_NE(e.find("\n40067890,"), std::string::npos) << e;
  std::filesystem::remove_all(dir);
}

TEST(GradeClass, EveryGroupMemberGetsARowAndNamesRoundTripThroughTheCsv) {
  std::string dir = temp_dir("names");
  std::filesystem::create_directories(dir + "/export/submission_1");
  std::filesystem::create_directories(dir + "/export/submission_2");
  std::filesystem::copy_file(answers_dir() + "/correct_ex1.txt", dir + "/export/submission_1/ex1.txt");
  std::filesystem::copy_file(answers_dir() + "/correct_ex3.txt", dir + "/export/submission_2/ex3.txt");
  std::ofstream(dir + "/export/submission_metadata.yml")
      << "submission_1:\n  :submitters:\n  - :name: Ann\n    :sid: 'a, \"the first\"'\n  - :name: Ben\n    :sid: '2002'\n"
         "  - :name: Cy\n    :email: cy@example.edu\nsubmission_2:\n  :submitters:\n  - :name: \"Dee\\nNewline\"\n";
  auto r = run_program("exercises", "grade-class " + dir + "/export --csv " + dir + "/g.csv");
  ASSERT_EQ(r.exit_code, 0);
  std::string csv = slurp(dir + "/g.csv");
  EXPECT_NE(csv.find("\n\"a, \"\"the first\"\"\",10,"), std::string::npos) << csv;  // RFC 4180 quoting
  EXPECT_NE(csv.find("\n2002,10,"), std::string::npos) << csv;                      // every group member
  EXPECT_NE(csv.find("\ncy@example.edu,10,"), std::string::npos) << csv;
  // A name with a line break round-trips through --previous: nobody changed.
  std::string with_newline = "student,total,ex1,flags\n\"Eve\nSecond line\",10,10,\nplain,5,5,\n";
  std::ofstream(dir + "/old.csv") << with_newline;
  std::filesystem::create_directories(dir + "/cls/plain");
  auto re = run_program("exercises", "grade-class " + dir + "/export --csv " + dir + "/g2.csv --previous " + dir + "/g.csv");
  EXPECT_NE(re.out.find("0 of 4 students changed"), std::string::npos) << re.out;
  auto nl = run_program("exercises", "grade-class " + dir + "/cls --csv " + dir + "/g3.csv --previous " + dir + "/old.csv");
  EXPECT_NE(nl.out.find("| Eve Second line | 10 | (gone) |"), std::string::npos) << nl.out;  // read as one name
  std::filesystem::remove_all(dir);
}

TEST(Variants, HandoutAndGradingShareTheStudentsData) {
  std::string a = temp_dir("variant_a"), b = temp_dir("variant_b");
  ASSERT_EQ(run_program("exercises", "handout --student 40012345 --out " + a).exit_code, 0);
  ASSERT_EQ(run_program("exercises", "handout --student 40012345 --out " + b).exit_code, 0);
  EXPECT_EQ(slurp(a + "/problems.md"), slurp(b + "/problems.md"));  // deterministic
  auto other = temp_dir("variant_c");
  ASSERT_EQ(run_program("exercises", "handout --student 40067890 --out " + other).exit_code, 0);
  EXPECT_NE(slurp(a + "/problems.md"), slurp(other + "/problems.md"));
  for (int p = 1; p <= 5; ++p) {
    std::string t = slurp(a + "/ex" + std::to_string(p) + ".txt");
    EXPECT_NE(t.find("?"), std::string::npos);
    // The exact command that grades this student's variant, run where the file is.
    EXPECT_NE(t.find("Grade with (in the folder holding this file): exercises grade --student 40012345 ."), std::string::npos) << t;
  }
  EXPECT_NE(slurp(a + "/problems.md").find("`exercises grade --student 40012345 .`"), std::string::npos);
  auto run_there = run_program("exercises", "grade --format json --student 40012345 " + a);  // what the template says
  EXPECT_EQ(run_there.exit_code, 0);
  // The handout's templates are exactly the items the grader expects for that student: all missing, none unknown.
  auto blank = nlohmann::json::parse(run_program("exercises", "grade --format json --student 40012345 " + a).out);
  EXPECT_DOUBLE_EQ(blank["score"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(blank["max_score"].get<double>(), 110.0);  // the rubric's totals hold for every variant
  for (const auto& p : blank["problems"]) {
    EXPECT_TRUE(p["warnings"].empty()) << p.dump();
    for (const auto& i : p["items"]) EXPECT_TRUE(i["verdict"] == "missing" || i["verdict"] == "skipped (optional)") << i.dump();
  }
  auto defaults = nlohmann::json::parse(
      run_program("exercises", "grade --format json --student 40012345 " + examples() + "/class/alice").out);
  EXPECT_LT(defaults["score"].get<double>(), defaults["max_score"].get<double>());  // the book's answers do not fit
  auto own = nlohmann::json::parse(
      run_program("exercises", "grade --format json " + examples() + "/class/alice").out);
  EXPECT_DOUBLE_EQ(own["score"].get<double>(), own["max_score"].get<double>());
  for (const auto& d : {a, b, other}) std::filesystem::remove_all(d);
}
