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

// A YAML scalar value: 'single' ('' is a quote) or "double" (\n, \", \\ escapes) quotes undone, blanks trimmed.
std::string yaml_scalar(const std::string& raw) {
  std::size_t a = raw.find_first_not_of(" \t\r"), b = raw.find_last_not_of(" \t\r");
  if (a == std::string::npos) return "";
  std::string s = raw.substr(a, b - a + 1), out;
  if (s.size() >= 2 && s.front() == '\'' && s.back() == '\'') {
    for (std::size_t i = 1; i + 1 < s.size(); ++i) {
      out += s[i];
      if (s[i] == '\'' && s[i + 1] == '\'') ++i;
    }
    return out;
  }
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
    for (std::size_t i = 1; i + 1 < s.size(); ++i) {
      if (s[i] == '\\' && i + 2 < s.size()) {
        char e = s[++i];
        out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
      } else {
        out += s[i];
      }
    }
    return out;
  }
  return s;
}

// submission_metadata.yml of a Gradescope export: "submission_123:" blocks, each with a ":submitters:" list of
// "- :name: / :sid: / :email:" maps. Every submitter of a group (sid, else email, else name), in order.
std::map<std::string, std::vector<std::string>> export_students(const std::string& text) {
  std::map<std::string, std::vector<std::string>> out;
  std::stringstream in(text);
  std::string line, current;
  std::map<std::string, std::string> person;
  auto flush_person = [&] {
    if (current.empty()) return;
    for (const char* k : {"sid", "email", "name"})
      if (!person[k].empty()) { out[current].push_back(person[k]); break; }
    person.clear();
  };
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line[0] != ' ' && line[0] != '-' && line[0] != '#' && line.back() == ':') {
      flush_person();
      current = trim_yaml_value(line.substr(0, line.size() - 1));
      out[current];
      continue;
    }
    std::size_t lead = line.find_first_not_of(" \t");
    std::string t = lead == std::string::npos ? "" : line.substr(lead);
    if (t.rfind("- ", 0) == 0) {  // a new submitter
      flush_person();
      t = t.substr(2);
      t = t.substr(std::min(t.size(), t.find_first_not_of(" \t")));
    }
    for (const char* k : {"sid", "email", "name"}) {
      std::string key = fmt::format(":{}:", k);
      if (t.rfind(key, 0) == 0 && person[k].empty()) person[k] = yaml_scalar(t.substr(key.size()));
    }
  }
  flush_person();
  return out;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// RFC 4180 records: quoted fields may hold commas, doubled quotes and line ends.
std::vector<std::vector<std::string>> csv_records(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string cur;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') { cur += '"'; ++i; }
      else if (c == '"') quoted = false;
      else cur += c;
      continue;
    }
    if (c == '"') { quoted = any = true; continue; }
    if (c == ',') { rows.back().push_back(cur); cur.clear(); any = true; continue; }
    if (c == '\r') continue;
    if (c == '\n') {
      if (any || !cur.empty()) rows.back().push_back(cur);
      cur.clear();
      any = false;
      if (!rows.back().empty()) rows.emplace_back();
      continue;
    }
    cur += c;
    any = true;
  }
  if (any || !cur.empty()) rows.back().push_back(cur);
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

// A name in a Markdown table cell: no line breaks or pipes.
std::string md_cell(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '|') c = ' ';
  return excerpt(s, 80);
}

using Table = std::map<std::string, std::map<std::string, std::string>>;  // student -> column -> value
Table read_csv(const std::string& text, std::vector<std::string>& header) {
  Table t;
  auto rows = csv_records(text);
  if (rows.empty()) return t;
  header = rows.front();
  for (std::size_t r = 1; r < rows.size(); ++r)
    for (std::size_t i = 1; i < header.size() && i < rows[r].size(); ++i) t[rows[r][0]][header[i]] = rows[r][i];
  return t;
}

}  // namespace

std::vector<ClassSubmission> find_class_submissions(const std::string& dir) {
  std::vector<ClassSubmission> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw AnswerFileError(fmt::format("{}: not a folder of submissions", dir));
  std::map<std::string, std::vector<std::string>> students;
  std::string metadata_note;
  fs::path yml = fs::path(dir) / "submission_metadata.yml";
  if (fs::exists(fs::symlink_status(yml, ec))) {
    try {
      students = export_students(read_text_file(yml.string()));
    } catch (const AnswerFileError& e) {
      metadata_note = fmt::format("submission_metadata.yml not read ({}); named by folder", excerpt(e.what(), 120));
    }
  }
  std::vector<fs::directory_entry> entries;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) entries.push_back(*it);
  if (ec) throw AnswerFileError(fmt::format("{}: cannot list the folder ({})", dir, ec.message()));
  for (const auto& e : entries) {
    std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.' || name == "submission_metadata.yml") continue;
    std::error_code sec;
    bool folder = e.is_directory(sec);
    bool broken = static_cast<bool>(sec);
    if (!folder && !broken && e.path().extension() != ".txt") continue;
    std::string note = broken ? "entry not readable (a broken or looping link?)" : metadata_note;
    auto who = students.find(name);
    if (who != students.end() && who->second.empty()) note = "no submitter in submission_metadata.yml; named by folder";
    if (who == students.end() || who->second.empty()) {
      out.push_back({e.path().stem().string(), e.path().string(), note});
      continue;
    }
    for (const auto& student : who->second) out.push_back({student, e.path().string(), note});
  }
  std::sort(out.begin(), out.end(), [](const ClassSubmission& a, const ClassSubmission& b) {
    return a.student != b.student ? a.student < b.student : a.path < b.path;
  });
  return out;
}

std::string class_csv(const std::vector<SubmissionResult>& results, const std::vector<std::string>& flags) {
  if (results.empty()) return "student,total,flags\n";
  std::vector<std::string> header = {"student", "total"};
  for (const auto& p : results.front().problems) header.push_back(p.problem);
  for (const auto& p : results.front().problems)
    for (const auto& i : p.result.items)
      if (i.max_score > 0) header.push_back(csv_field(p.problem + "." + i.key));
  header.push_back("flags");
  std::string out = fmt::format("{}\n", fmt::join(header, ","));
  for (std::size_t n = 0; n < results.size(); ++n) {
    const auto& s = results[n];
    std::vector<std::string> row = {csv_field(s.student), num(s.score(), 6)};
    for (const auto& p : s.problems) row.push_back(num(p.result.score(), 6));
    for (const auto& p : s.problems)
      for (const auto& i : p.result.items)
        if (i.max_score > 0) row.push_back(num(i.score, 6));
    std::vector<std::string> marks;
    if (n < flags.size() && !flags[n].empty()) marks.push_back(flags[n]);
    for (const auto& k : s.skipped) marks.push_back("not read: " + excerpt(k, 160));
    row.push_back(csv_field(fmt::format("{}", fmt::join(marks, "; "))));
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
  Table before = read_csv(read_text_file(previous_csv_path, 256u << 20), old_header);
  Table after = read_csv(current_csv, new_header);
  std::string out = fmt::format("# Regrade against {}\n\n", previous_csv_path);
  int changed = 0;
  std::string rows;
  for (const auto& [student, cols] : after) {
    auto it = before.find(student);
    if (it == before.end()) {
      rows += fmt::format("| {} | (new) | {} | |\n", md_cell(student), cols.at("total"));
      ++changed;
      continue;
    }
    std::vector<std::string> diffs;
    for (const auto& [col, v] : cols) {
      if (col == "total" || col == "flags") continue;
      auto o = it->second.find(col);
      if (o == it->second.end() || o->second != v) diffs.push_back(fmt::format("{}: {} -> {}", col, o == it->second.end() ? "-" : o->second, v));
    }
    std::string old_total = it->second.count("total") ? it->second.at("total") : "-";
    if (diffs.empty() && old_total == cols.at("total")) continue;
    ++changed;
    rows += fmt::format("| {} | {} | {} | {} |\n", md_cell(student), old_total, cols.at("total"), fmt::join(diffs, "; "));
  }
  for (const auto& [student, cols] : before)
    if (!after.count(student)) {
      rows += fmt::format("| {} | {} | (gone) | |\n", md_cell(student), cols.count("total") ? cols.at("total") : "-");
      ++changed;
    }
  out += fmt::format("{} of {} students changed.\n\n", changed, after.size());
  if (changed) out += "| student | before | after | items changed |\n| --- | --- | --- | --- |\n" + rows;
  return out;
}

}  // namespace gl::ex
