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
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "exercises/common/answer_text.h"
#include "exercises/common/structured_answers.h"
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
  bool bare_rows = false;  // rows written without brackets on the lines under 'key ='
};

// "a = 0, b = 1" or "a = 0; b = 1": the entries of one line, split at a top-level ',' or ';' before "key =".
std::vector<std::pair<std::string, std::string>> inline_entries(const std::string& key, const std::string& value) {
  static const std::regex next_key(R"([,;]\s*([A-Za-z][A-Za-z0-9_.]{0,39})\s*[=:](?!=))");
  std::vector<std::pair<std::string, std::string>> out;
  std::string k = key;
  std::size_t start = 0;
  int depth = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '[' || c == '(' || c == '{') ++depth;
    if (c == ']' || c == ')' || c == '}') --depth;
    if (depth != 0 || (c != ',' && c != ';')) continue;
    std::smatch m;
    if (!std::regex_search(value.cbegin() + static_cast<std::ptrdiff_t>(i), value.cend(), m, next_key,
                           std::regex_constants::match_continuous))
      continue;
    out.push_back({k, value.substr(start, i - start)});
    k = m[1].str();
    start = i + static_cast<std::size_t>(m.length(0));
    i = start - 1;
  }
  out.push_back({k, value.substr(start)});
  return out;
}

// A line of bare values under "key =" (a matrix row without brackets): no '=', no ':', starts like a value.
bool bare_row(const std::string& t) {
  if (t.empty() || t.find_first_of("=:") != std::string::npos || t.size() > 400) return false;
  char c = t[0];
  return std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.' ||
         ((c == 'w' || c == 'W') && t.size() > 1 && (std::isdigit(static_cast<unsigned char>(t[1])) || t[1] == '^' || t[1] == '_'));
}

}  // namespace

std::string excerpt(const std::string& s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t cut = max > 3 ? max - 3 : 0;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
  return s.substr(0, cut) + "...";
}

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
  std::string lower = t;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "zero") { out = 0; return true; }
  double scale = 1;
  if (t.size() > 1 && std::isdigit(static_cast<unsigned char>(t[t.size() - 2])) && (t.back() == 'k' || t.back() == 'K' || t.back() == 'M')) {
    scale = t.back() == 'M' ? 1e6 : 1e3;  // 18.56k
    t.pop_back();
  }
  out = std::strtod(t.c_str(), &end);
  out *= scale;
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
  if (auto structured = convert_structured(plain.text)) {
    if (!structured->problem.empty()) {
      file.problems.push_back({1, "", structured->problem});
      return file;
    }
    file.notes.push_back(structured->note);
    plain.text = structured->text;
  }
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
    if (balance <= 0 && !entries.empty() && !entries.back().key.empty() &&
        (trim(entries.back().value).empty() || entries.back().bare_rows) && bare_row(t)) {
      entries.back().value += "\n" + content + ";";  // one row of a matrix written without brackets
      entries.back().bare_rows = true;
      continue;
    }
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
    std::string value = content.substr(at + 1);
    balance = bracket_balance(value);
    if (balance == 0) {
      for (auto& [k, v] : inline_entries(key, value)) entries.push_back({k, line_no, v});
    } else {
      entries.push_back({key, line_no, value});
    }
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

std::string read_text_file(const std::string& path, std::uintmax_t limit) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    bool link = fs::is_symlink(fs::symlink_status(path, ec));
    throw AnswerFileError(fmt::format("{}: cannot open the file ({})", path,
                                      link ? "a symbolic link whose target is missing or loops" : "no such file; check the path"));
  }
  if (fs::is_directory(st)) throw AnswerFileError(fmt::format("{}: is a folder, not a file", path));
  if (!fs::is_regular_file(st)) throw AnswerFileError(fmt::format("{}: not a regular file (a device, pipe or socket)", path));
  std::uintmax_t size = fs::file_size(path, ec);
  if (ec) throw AnswerFileError(fmt::format("{}: cannot read its size ({})", path, ec.message()));
  if (size > limit)
    throw AnswerFileError(fmt::format("{}: {:.1f} MiB, over the {} MiB limit for an answer file: not read (answers take a "
                                      "few KB; keep notes and data out of the submission)",
                                      path, static_cast<double>(size) / (1 << 20), limit >> 20));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw AnswerFileError(fmt::format("{}: cannot open the file ({})", path, std::strerror(errno)));
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (static_cast<std::uintmax_t>(in.gcount()) != size)
    throw AnswerFileError(fmt::format("{}: read only {} of its {} bytes (a read error, or the file shrank while it was read)",
                                      path, in.gcount(), size));
  if (in.peek() != std::char_traits<char>::eof())
    throw AnswerFileError(fmt::format("{}: the file grew while it was read; grade it again", path));
  return text;
}

AnswerFile read_answer_file(const std::string& path) { return parse_answer_text(read_text_file(path), path); }

std::map<std::string, std::string> split_sections(const std::string& input) {
  static const std::regex header(R"(^\s*\[\s*(?:ex|problem|p)?\s*0*([1-9])\s*\]\s*(#.*)?\r?$)", std::regex::icase);
  std::string note;
  std::string text = wide_to_utf8(input, note);
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
  if (auto structured = convert_structured(text); structured && structured->problem.empty()) text = structured->text;
  std::vector<std::string> lines;
  std::stringstream ss(text);
  for (std::string l; std::getline(ss, l);) lines.push_back(l);
  // Each line's section (0: before the first header, or a header line itself), found in one pass.
  std::vector<int> owner(lines.size(), 0);
  int current = 0;
  std::set<int> seen;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::smatch m;
    if (lines[i].size() < 80 && std::regex_match(lines[i], m, header)) {
      current = m[1].str()[0] - '0';
      seen.insert(current);
      continue;
    }
    owner[i] = current;
  }
  std::map<std::string, std::string> out;
  for (int s : seen) {  // at most 9 bodies, each as long as the file
    std::string body;
    body.reserve(text.size() + lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (owner[i] == s) body += lines[i];
      body += '\n';
    }
    out["ex" + std::to_string(s)] = std::move(body);
  }
  return out;
}

}  // namespace gl::ex
