// Class grading (class_grading.h).
#include "exercises/common/class_grading.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace gl::ex {
namespace fs = std::filesystem;
namespace {

// A YAML scalar as Gradescope writes it: blanks and quotes around it removed.
std::string trim_yaml_value(std::string s) {
  std::size_t a = s.find_first_not_of(" \t\r'\""), b = s.find_last_not_of(" \t\r'\"");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

// submission_metadata.yml of a Gradescope export: "submission_123:" blocks holding ":sid:" / ":email:" / ":name:".
std::map<std::string, std::string> export_students(const fs::path& yml) {
  std::map<std::string, std::string> out;
  std::ifstream in(yml);
  std::string line, current;
  std::map<std::string, std::string> fields;
  auto flush = [&] {
    if (current.empty()) return;
    for (const char* k : {"sid", "email", "name"})
      if (!fields[k].empty()) { out[current] = fields[k]; break; }
    fields.clear();
  };
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != ' ' && line[0] != '-' && line.back() == ':') {
      flush();
      current = trim_yaml_value(line.substr(0, line.size() - 1));
      continue;
    }
    std::string t = trim_yaml_value(line);
    if (t.rfind("- ", 0) == 0) t = trim_yaml_value(t.substr(2));
    for (const char* k : {"sid", "email", "name"}) {
      std::string key = fmt::format(":{}:", k);
      if (t.rfind(key, 0) == 0 && fields[k].empty()) fields[k] = trim_yaml_value(t.substr(key.size()));
    }
  }
  flush();
  return out;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::vector<std::string> csv_split(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') { cur += '"'; ++i; }
      else if (c == '"') quoted = false;
      else cur += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

using Table = std::map<std::string, std::map<std::string, std::string>>;  // student -> column -> value
Table read_csv(const std::string& text, std::vector<std::string>& header) {
  std::stringstream ss(text);
  std::string line;
  Table t;
  if (!std::getline(ss, line)) return t;
  header = csv_split(line);
  while (std::getline(ss, line)) {
    if (line.empty()) continue;
    auto f = csv_split(line);
    for (std::size_t i = 1; i < header.size() && i < f.size(); ++i) t[f[0]][header[i]] = f[i];
  }
  return t;
}

}  // namespace

std::vector<ClassSubmission> find_class_submissions(const std::string& dir) {
  std::vector<ClassSubmission> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw AnswerFileError(fmt::format("{}: not a folder of submissions", dir));
  std::map<std::string, std::string> students;
  if (fs::exists(fs::path(dir) / "submission_metadata.yml")) students = export_students(fs::path(dir) / "submission_metadata.yml");
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.' || name == "submission_metadata.yml") continue;
    if (!e.is_directory() && e.path().extension() != ".txt") continue;
    std::string student = students.count(name) ? students[name] : e.path().stem().string();
    out.push_back({student, e.path().string()});
  }
  std::sort(out.begin(), out.end(), [](const ClassSubmission& a, const ClassSubmission& b) { return a.student < b.student; });
  return out;
}

std::string class_csv(const std::vector<SubmissionResult>& results) {
  if (results.empty()) return "student,total\n";
  std::vector<std::string> header = {"student", "total"};
  for (const auto& p : results.front().problems) header.push_back(p.problem);
  for (const auto& p : results.front().problems)
    for (const auto& i : p.result.items)
      if (i.max_score > 0) header.push_back(p.problem + "." + i.key);
  std::string out = fmt::format("{}\n", fmt::join(header, ","));
  for (const auto& s : results) {
    std::vector<std::string> row = {csv_field(s.student), num(s.score(), 6)};
    for (const auto& p : s.problems) row.push_back(num(p.result.score(), 6));
    for (const auto& p : s.problems)
      for (const auto& i : p.result.items)
        if (i.max_score > 0) row.push_back(num(i.score, 6));
    out += fmt::format("{}\n", fmt::join(row, ","));
  }
  return out;
}

std::string item_analysis_markdown(const std::vector<SubmissionResult>& results) {
  std::string out = fmt::format("# Item analysis: {} submissions\n\n", results.size());
  if (results.empty()) return out;
  double max = results.front().max_score();
  std::vector<double> totals;
  for (const auto& s : results) totals.push_back(s.score());
  double mean = 0;
  for (double t : totals) mean += t;
  mean /= totals.size();
  std::sort(totals.begin(), totals.end());
  out += fmt::format("Mean {} / {}, median {}, min {}, max {}.\n\n", num(mean, 4), num(max, 4),
                     num(totals[totals.size() / 2], 4), num(totals.front(), 4), num(totals.back(), 4));
  out += "## Histogram of totals\n\n```text\n";
  const int bins = 10;
  std::vector<int> count(bins, 0);
  for (double t : totals) count[std::min(bins - 1, static_cast<int>(t / (max > 0 ? max : 1) * bins))]++;
  int most = *std::max_element(count.begin(), count.end());
  for (int b = 0; b < bins; ++b)
    out += fmt::format("{:>5}-{:<5} {:>4} {}\n", num(max * b / bins, 3), num(max * (b + 1) / bins, 3), count[b],
                       std::string(most ? count[b] * 40 / most : 0, '#'));
  out += "```\n\n## Items\n\n| item | points | full credit | mean points | most common wrong answers (count: diagnosis) |\n"
         "| --- | --- | --- | --- | --- |\n";
  const auto& first = results.front();
  for (std::size_t p = 0; p < first.problems.size(); ++p)
    for (std::size_t i = 0; i < first.problems[p].result.items.size(); ++i) {
      const ItemResult& head = first.problems[p].result.items[i];
      if (head.max_score <= 0) continue;
      int full = 0;
      double points = 0;
      std::map<std::string, std::pair<int, std::string>> wrong;  // written -> count, diagnosis
      for (const auto& s : results) {
        const ItemResult& r = s.problems[p].result.items[i];
        full += r.score >= r.max_score;
        points += r.score;
        if (!is_correct(r.verdict)) {
          std::string w = r.verdict == Verdict::missing ? "(missing)" : r.written.size() > 40 ? r.written.substr(0, 37) + "..." : r.written;
          auto& e = wrong[w];
          e.first++;
          e.second = r.feedback;
        }
      }
      std::vector<std::pair<int, std::string>> top;
      for (const auto& [w, e] : wrong) {
        std::string fb = e.second.size() > 90 ? e.second.substr(0, 87) + "..." : e.second;
        std::replace(fb.begin(), fb.end(), '|', '/');
        std::string ww = w;
        std::replace(ww.begin(), ww.end(), '|', '/');
        top.push_back({e.first, fmt::format("`{}` {}: {}", ww, e.first, fb)});
      }
      std::sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
      if (top.size() > 3) top.resize(3);
      std::vector<std::string> cells;
      for (const auto& t : top) cells.push_back(t.second);
      out += fmt::format("| {}.{} | {} | {:.0f}% | {} | {} |\n", first.problems[p].problem, head.key, num(head.max_score, 4),
                         100.0 * full / results.size(), num(points / results.size(), 3), fmt::join(cells, "<br>"));
    }
  return out;
}

std::string regrade_report(const std::string& previous_csv_path, const std::string& current_csv) {
  std::vector<std::string> old_header, new_header;
  Table before = read_csv(read_text_file(previous_csv_path), old_header);
  Table after = read_csv(current_csv, new_header);
  std::string out = fmt::format("# Regrade against {}\n\n", previous_csv_path);
  int changed = 0;
  std::string rows;
  for (const auto& [student, cols] : after) {
    auto it = before.find(student);
    if (it == before.end()) {
      rows += fmt::format("| {} | (new) | {} | |\n", student, cols.at("total"));
      ++changed;
      continue;
    }
    std::vector<std::string> diffs;
    for (const auto& [col, v] : cols) {
      if (col == "total") continue;
      auto o = it->second.find(col);
      if (o == it->second.end() || o->second != v) diffs.push_back(fmt::format("{}: {} -> {}", col, o == it->second.end() ? "-" : o->second, v));
    }
    std::string old_total = it->second.count("total") ? it->second.at("total") : "-";
    if (diffs.empty() && old_total == cols.at("total")) continue;
    ++changed;
    rows += fmt::format("| {} | {} | {} | {} |\n", student, old_total, cols.at("total"), fmt::join(diffs, "; "));
  }
  for (const auto& [student, cols] : before)
    if (!after.count(student)) {
      rows += fmt::format("| {} | {} | (gone) | |\n", student, cols.count("total") ? cols.at("total") : "-");
      ++changed;
    }
  out += fmt::format("{} of {} students changed.\n\n", changed, after.size());
  if (changed) out += "| student | before | after | items changed |\n| --- | --- | --- | --- |\n" + rows;
  return out;
}

}  // namespace gl::ex
