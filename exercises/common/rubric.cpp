// The rubric (rubric.h): defaults, the file, and applying it to a problem's items.
#include "exercises/common/rubric.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace gl::ex {

const std::map<std::string, std::string>& convention_names() {
  static const std::map<std::string, std::string> names = {{"weights_only", "weights only"},
                                                           {"with_bias", "weights + biases"},
                                                           {"with_bn", "weights + BN scale/shift"},
                                                           {"with_bias_and_bn", "weights + biases + BN"}};
  return names;
}

Rubric default_rubric() {
  Rubric r;
  r.problem_points = {{"ex1", 10}, {"ex2", 10}, {"ex3", 20}, {"ex4", 20}, {"ex5", 50}};
  // Problem 4: (a) 8 = mean 4 + variance 4; (b) 12 = 6 + 6.
  r.item_points = {{"ex4.fc.mean_shape", 4}, {"ex4.fc.var_shape", 4}, {"ex4.conv.mean_shape", 6},
                   {"ex4.conv.var_shape", 6},
                   // Problem 5: (a) 15 = A; (b) 15 = B 10 + the relation 5; (c) 20 = yes 4 + padding 4 + kernels 12.
                   {"ex5.A", 15}, {"ex5.B", 10}, {"ex5.b.relation", 5}, {"ex5.c.is_convolution", 4},
                   {"ex5.c.padding", 4}};
  r.partial = {"ex5.A", "ex5.B"};
  for (const auto& [name, label] : convention_names()) r.conventions.insert(name);
  return r;
}

Rubric read_rubric(const std::string& path) {
  Rubric r = default_rubric();
  AnswerFile f = read_answer_file(path);
  if (!f.problems.empty())
    throw AnswerFileError(fmt::format("{}: {}", f.problems.front().where(path), f.problems.front().message));
  auto words = [&](const std::string& key) {
    std::vector<std::int64_t> shape;
    return f.entries.at(key).flatten(shape, path);
  };
  for (const auto& [key, value] : f.entries) {
    int line = f.key_lines.at(key);
    if (key == "partial") {
      r.partial.clear();
      for (const auto& w : words(key)) r.partial.insert(w);
    } else if (key == "follow_through") {
      std::string v = normalize_symbol(value.token);
      if (v != "yes" && v != "no")
        throw AnswerFileError(fmt::format("{}:{}: follow_through must be yes or no, found '{}'", path, line, value.text()));
      r.follow_through = v == "yes";
    } else if (key == "transpose_of_a") {
      std::string v = normalize_symbol(value.token);
      if (v != "yes" && v != "no")
        throw AnswerFileError(fmt::format("{}:{}: transpose_of_a must be yes or no, found '{}'", path, line, value.text()));
      r.transpose_of_a = v == "yes";
    } else if (key == "ex3.conventions") {
      r.conventions.clear();
      for (const auto& w : words(key)) {
        if (!convention_names().count(w)) {
          std::vector<std::string> names;
          for (const auto& [n, l] : convention_names()) names.push_back(n);
          throw AnswerFileError(fmt::format("{}:{}: unknown convention '{}'; expected some of {}", path, line, w,
                                            fmt::join(names, ", ")));
        }
        r.conventions.insert(w);
      }
    } else {
      double p;
      if (value.is_list || !parse_number(value.token, p) || p < 0)
        throw AnswerFileError(fmt::format("{}:{}: '{}' needs a number of points (>= 0), found '{}'", path, line, key,
                                          value.text()));
      bool problem = key.size() == 3 && key.rfind("ex", 0) == 0;
      if (!problem && key.rfind("ex", 0) != 0)
        throw AnswerFileError(fmt::format("{}:{}: unknown rubric key '{}' (expected exN, exN.ITEM, partial, "
                                          "follow_through, transpose_of_a or ex3.conventions)", path, line, key));
      (problem ? r.problem_points : r.item_points)[key] = p;
    }
  }
  return r;
}

void apply_rubric(const Rubric& rubric, const std::string& problem, std::vector<AnswerItem>& items) {
  double total = rubric.problem_points.count(problem) ? rubric.problem_points.at(problem) : 0.0;
  double fixed = 0;
  int free_items = 0;
  for (auto& item : items) {
    if (item.optional) continue;
    auto it = rubric.item_points.find(problem + "." + item.key);
    if (it != rubric.item_points.end()) {
      fixed += it->second;
    } else {
      ++free_items;
    }
  }
  double each = free_items ? std::max(0.0, total - fixed) / free_items : 0.0;
  for (auto& item : items) {
    auto it = rubric.item_points.find(problem + "." + item.key);
    item.points = item.optional ? 0.0 : it != rubric.item_points.end() ? it->second : each;
    item.partial_credit = rubric.partial.count(problem + "." + item.key) > 0;
    item.follow_through_credit = rubric.follow_through;
    item.transpose_credit = rubric.transpose_of_a;
    for (auto& a : item.alternatives) {
      a.accepted = false;
      for (const auto& name : rubric.conventions)
        if (convention_names().at(name) == a.label) a.accepted = true;
    }
  }
}

}  // namespace gl::ex
