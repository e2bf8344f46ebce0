// The answer file, entry by entry (answer_file.h): lines are grouped into
// entries (a key line plus the lines its open brackets carry), each entry's
// value is read by value_reader, and what cannot be read is recorded per line.
#include "exercises/common/answer_file.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "exercises/common/answer_text.h"
#include "exercises/common/value_reader.h"

namespace gl::ex {
namespace {

std::string trim(const std::string& s) {
  std::size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

// The line without its comment: '#', '//' (C), or '%' (MATLAB, LaTeX) after a blank, to the end.
std::string strip_comment(const std::string& line) {
  std::size_t cut = std::min(line.find('#'), line.find("//"));
  for (std::size_t p = line.find('%'); p != std::string::npos && p < cut; p = line.find('%', p + 1))
    if (p == 0 || line[p - 1] == ' ' || line[p - 1] == '\t' || line[p - 1] == ';') { cut = p; break; }
  return cut == std::string::npos ? line : line.substr(0, cut);
}

// Open brackets minus closed ones ([ and (, \begin and \end), for continuing an entry over lines.
int bracket_balance(const std::string& s) {
  int d = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '[' || c == '(') ++d;
    if (c == ']' || c == ')') --d;
    if (s.compare(i, 6, "\\begin") == 0) ++d;
    if (s.compare(i, 4, "\\end") == 0) --d;
  }
  return d;
}

// "key = value" or "key: value": the split point, or npos. A key is short and holds no brackets or separators.
std::size_t key_separator(const std::string& line) {
  std::size_t eq = line.find('=');
  std::size_t colon = line.find(':');
  std::size_t sep = eq != std::string::npos ? eq : colon;
  if (sep == std::string::npos) return sep;
  std::string key = trim(line.substr(0, sep));
  if (key.empty()) return sep;
  static const std::regex key_like(R"(^[A-Za-z\\][A-Za-z0-9_.^{}()/\\ '-]{0,39}$)");
  if (key.size() > 40 || !std::regex_match(key, key_like)) return std::string::npos;
  if (sep == colon && key.find_first_of(" ") != std::string::npos) return std::string::npos;  // prose with a colon
  return sep;
}

std::string key_accepted() {
  return "'key = value' with a key from the template (e.g. 'dW1 = [[a, b], [c, d]]'); start a line of text with '#'";
}

struct Entry {
  std::string key;
  int line = 0;
  std::string value;  // the text after the separator, lines joined by '\n'
};

}  // namespace

std::string LineProblem::where(const std::string& path) const { return fmt::format("{}:{}", path, line); }

bool parse_number(const std::string& token, double& out) {
  if (token.empty()) return false;
  std::string t = token;
  while (t.size() > 1 && (t.back() == '.' && t.find_first_of("0123456789") != std::string::npos &&
                          std::count(t.begin(), t.end(), '.') > 1))
    t.pop_back();  // "0.5." at the end of a sentence
  char* end = nullptr;
  std::size_t slash = t.find('/');
  if (slash != std::string::npos && slash > 0 && slash + 1 < t.size()) {  // a fraction a/b
    double a, b;
    if (!parse_number(t.substr(0, slash), a) || !parse_number(t.substr(slash + 1), b)) return false;
    out = a / b;
    return true;
  }
  if (t[0] == '0' && t.size() > 1 && (t[1] == 'x' || t[1] == 'X')) return false;  // not hex: a word
  out = std::strtod(t.c_str(), &end);
  return end == t.c_str() + t.size();
}

std::vector<std::string> AnswerValue::flatten(std::vector<std::int64_t>& shape, const std::string& file) const {
  shape.clear();
  if (!is_list) return {token};
  std::vector<std::string> out;
  std::vector<std::int64_t> inner;
  bool first = true;
  for (const AnswerValue& item : items) {
    std::vector<std::int64_t> s;
    auto part = item.flatten(s, file);
    if (!first && s != inner)
      throw AnswerFileError(fmt::format(
          "{}:{}: expected rows of equal length (a rectangular matrix), found a ragged list", file, line));
    inner = s;
    first = false;
    out.insert(out.end(), part.begin(), part.end());
  }
  shape.push_back(static_cast<std::int64_t>(items.size()));
  shape.insert(shape.end(), inner.begin(), inner.end());
  return out;
}

bool AnswerValue::is_placeholder() const {
  if (!is_list) return token == "?";
  return !items.empty() && std::all_of(items.begin(), items.end(), [](const AnswerValue& v) { return v.is_placeholder(); });
}

std::string AnswerValue::text() const {
  if (!is_list) return token;
  std::vector<std::string> parts;
  for (const auto& i : items) parts.push_back(i.text());
  return bracketed ? fmt::format("[{}]", fmt::join(parts, ", ")) : fmt::format("{}", fmt::join(parts, " "));
}

AnswerFile parse_answer_text(const std::string& raw, const std::string& path) {
  AnswerFile file;
  file.path = path;
  PlainText plain = make_plain(raw);
  file.notes = plain.notes;
  std::vector<std::string> lines;
  {
    std::stringstream ss(plain.text);
    std::string l;
    while (std::getline(ss, l)) lines.push_back(l);
  }
  std::vector<Entry> entries;
  int balance = 0;  // of the entry being read
  auto close_unfinished = [&](int at_line) {
    if (entries.empty() || balance <= 0) return;
    const Entry& e = entries.back();
    file.problems.push_back({e.line, e.key, fmt::format("the list opened on line {} is not closed before {}: "
                                                        "expected ']' (or ')') to close it", e.line,
                                                        at_line ? fmt::format("line {}", at_line) : "the end of the file")});
    entries.back().value.clear();  // already reported; not read again
    entries.back().key.clear();
  };
  static const std::regex section(R"(^\s*\[\s*(ex|problem|p)?\s*[0-9]+\s*\]\s*$)", std::regex::icase);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    int line_no = static_cast<int>(i) + 1;
    std::string content = strip_comment(lines[i]);
    std::string t = trim(content);
    if (balance > 0 || (!entries.empty() && trim(entries.back().value).empty() && !entries.back().key.empty() &&
                        !t.empty() && (t[0] == '[' || t[0] == '\\' || t.rfind("np.", 0) == 0))) {
      if (key_separator(t) == std::string::npos || balance <= 0) {  // the value goes on
        entries.back().value += "\n" + content;
        balance += bracket_balance(content);
        continue;
      }
      close_unfinished(line_no);  // a new "key =" inside an open list: the list was never closed
      balance = 0;
    }
    if (t.empty() || (t.size() < 40 && std::regex_match(t, section))) continue;
    std::size_t sep = key_separator(t);
    if (sep == std::string::npos) {
      bool foreign = std::any_of(t.begin(), t.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
      std::string found = foreign ? [&] {
        std::size_t p = 0, len = 1;
        while (static_cast<unsigned char>(t[p]) < 0x80) ++p;
        return "; it contains the character " + describe_character(t, p, len);
      }() : std::string();
      file.problems.push_back({line_no, "", fmt::format("no '=' on this line ('{}'){}: expected {}",
                                                        t.size() > 40 ? t.substr(0, 37) + "..." : t, found,
                                                        key_accepted())});
      continue;
    }
    std::string key = trim(t.substr(0, sep));
    if (key.empty()) {
      file.problems.push_back({line_no, "", "no key before '=': expected " + key_accepted()});
      continue;
    }
    std::size_t at = content.find(t.substr(sep, 1), content.find(key) + key.size());
    entries.push_back({key, line_no, content.substr(at + 1)});
    balance = bracket_balance(entries.back().value);
  }
  close_unfinished(0);

  for (const Entry& e : entries) {
    if (e.key.empty()) continue;
    AnswerValue v;
    try {
      v = read_value(e.value, e.line);
    } catch (const ValueError& err) {
      file.problems.push_back({err.line, e.key, fmt::format("'{}': {}", e.key, err.message)});
      continue;
    }
    auto old = file.entries.find(e.key);
    if (old != file.entries.end()) {
      int first = file.key_lines[e.key];
      if (v.is_placeholder()) {
        file.notes.push_back(fmt::format("'{}' appears on lines {} and {}; the placeholder '?' on line {} is ignored",
                                         e.key, first, e.line, e.line));
        continue;
      }
      file.notes.push_back(old->second.is_placeholder()
                               ? fmt::format("'{}' appears on lines {} and {}; the placeholder '?' on line {} is ignored",
                                             e.key, first, e.line, first)
                               : fmt::format("'{}' is given twice (lines {} and {}): line {}, the later one, is graded",
                                             e.key, first, e.line, e.line));
    }
    file.entries[e.key] = std::move(v);
    file.key_lines[e.key] = e.line;
  }
  std::sort(file.problems.begin(), file.problems.end(),
            [](const LineProblem& a, const LineProblem& b) { return a.line < b.line; });
  return file;
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw AnswerFileError(fmt::format("{}: cannot open the answer file (check the path)", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

AnswerFile read_answer_file(const std::string& path) { return parse_answer_text(read_text_file(path), path); }

std::map<std::string, std::string> split_sections(const std::string& text) {
  static const std::regex header(R"(^\s*\[\s*(?:ex|problem|p)?\s*([0-9]+)\s*\]\s*(#.*)?\r?$)", std::regex::icase);
  std::map<std::string, std::string> out;
  std::vector<std::string> lines;
  std::stringstream ss(text);
  std::string l;
  while (std::getline(ss, l)) lines.push_back(l);
  std::string current;
  std::vector<std::pair<std::string, std::size_t>> starts;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::smatch m;
    std::string plain = i == 0 && lines[i].compare(0, 3, "\xEF\xBB\xBF") == 0 ? lines[i].substr(3) : lines[i];
    if (plain.size() < 80 && std::regex_match(plain, m, header)) starts.push_back({"ex" + m[1].str(), i});
  }
  for (std::size_t s = 0; s < starts.size(); ++s) {
    std::size_t end = s + 1 < starts.size() ? starts[s + 1].second : lines.size();
    std::string body;
    for (std::size_t i = 0; i < lines.size(); ++i)
      body += (i > starts[s].second && i < end ? lines[i] : std::string()) + "\n";
    out[starts[s].first] += body;
  }
  return out;
}

}  // namespace gl::ex
