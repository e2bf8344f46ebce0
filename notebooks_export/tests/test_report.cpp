// Reading metrics files and building training-report notebooks.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/core/error.h"
#include "notebooks_export/metrics_file.h"
#include "notebooks_export/report.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace gl::notebook;

namespace {

fs::path write_temp(const std::string& name, const std::string& text) {
  fs::path path = fs::temp_directory_path() / ("gradlab_report_test_" + name);
  std::ofstream(path) << text;
  return path;
}

json record(int epoch, double val_acc) {
  return {{"epoch", epoch}, {"lr", 0.1}, {"train_loss", 2.0 / epoch}, {"train_accuracy", 0.3},
          {"eval_split", "validation"}, {"validation_loss", 1.5}, {"validation_accuracy", val_acc},
          {"seconds", 2.0}, {"images_per_second", 500.0}};
}

std::string notebook_text(const Notebook& nb) { return nb.to_json().dump(); }

}  // namespace

TEST(MetricsFile, ReadsJsonLinesSortedAndKeepsTheLaterRepeat) {
  fs::path p = write_temp("repeat.jsonl", record(2, 0.5).dump() + "\n\n" + record(1, 0.4).dump() + "\n" +
                                              record(2, 0.6).dump() + "\n");
  auto records = read_metrics_file(p);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["epoch"], 1);
  EXPECT_EQ(records[1]["validation_accuracy"], 0.6);  // the resumed epoch's record wins
}

TEST(MetricsFile, NamesFileAndLineOfABadRecord) {
  fs::path p = write_temp("bad.jsonl", record(1, 0.4).dump() + "\n{not json\n");
  try {
    read_metrics_file(p);
    FAIL() << "expected gl::Error";
  } catch (const gl::Error& e) {
    EXPECT_NE(std::string(e.what()).find(p.string() + ":2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_metrics_file(write_temp("empty.jsonl", "\n")), gl::Error);
  EXPECT_THROW(read_metrics_file(write_temp("noepoch.jsonl", "{\"lr\": 0.1}\n")), gl::Error);
}

TEST(Report, RejectsMalformedEvaluations) {
  EXPECT_NO_THROW(validate_evaluation(nullptr));
  EXPECT_THROW(validate_evaluation(json{{"confusion", {{1, 2}, {3}}}}), gl::Error);
  EXPECT_THROW(validate_evaluation(json{{"confusion", {{1, -2}, {3, 4}}}}), gl::Error);
  EXPECT_THROW(validate_evaluation(json{{"confusion", {{1, 2}, {3, 4}}}, {"class_names", {"a"}}}), gl::Error);
  EXPECT_THROW(validate_evaluation(json{{"confusion", {{1, 2}, {3, 4}}}, {"count", 11}}), gl::Error);
  EXPECT_NO_THROW(validate_evaluation(json{{"confusion", {{1, 2}, {3, 4}}}, {"count", 10}}));
}

TEST(Report, SummaryNamesTheBestEpochAndConfusionCellsAppearOnlyWithAnEvaluation) {
  TrainingRun run{"m.jsonl", {record(1, 0.4), record(2, 0.7), record(3, 0.6)}, json{{"resnet_size", 3}}, nullptr};
  std::string without = notebook_text(make_report_notebook(run));
  EXPECT_NE(without.find("70.00% (epoch 2)"), std::string::npos);
  EXPECT_NE(without.find("resnet_size"), std::string::npos);
  EXPECT_EQ(without.find("np.trace(confusion)"), std::string::npos);

  run.evaluation = {{"confusion", {{3, 1}, {0, 4}}}};
  Notebook nb = make_report_notebook(run);
  std::string with = notebook_text(nb);
  EXPECT_NE(with.find("np.trace(confusion)"), std::string::npos);
  // Filled in from the matrix: 7 of 8 correct.
  EXPECT_NE(with.find("87.50%"), std::string::npos);
}
