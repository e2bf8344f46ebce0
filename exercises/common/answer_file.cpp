// Parser for the hand-written answer format described in answer_file.h.
#include "exercises/common/answer_file.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace gl::ex {
namespace {

bool is_key_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }
bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' ||
         c == '+' || c == '^' || c == '{' || c == '}' || c == '*' || c == '/' || c == '?';
}

// A cursor over the text after the '=' of one entry (possibly several lines).
struct Cursor {
  const std::string& text;
  std::size_t pos;
  int line;
  const std::string& file;

  [[noreturn]] void fail(const std::string& expected) const {
    std::string found = pos < text.size() ? fmt::format("'{}'", text[pos]) : "end of file";
    if (pos < text.size() && text[pos] == '\n') found = "end of line";
    throw AnswerFileError(fmt::format("{}:{}: expected {}, found {}", file, line, expected, found));
  }
  // Skips blanks, commas (when allowed), comments and (inside lists) newlines.
  void skip(bool newlines) {
    while (pos < text.size()) {
      char c = text[pos];
      if (c == '#') {
        while (pos < text.size() && text[pos] != '\n') ++pos;
      } else if (c == '\n' && newlines) {
        ++line;
        ++pos;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        ++pos;
      } else {
        break;
      }
    }
  }
  AnswerValue value(bool in_list) {
    skip(in_list);
    AnswerValue v;
    v.line = line;
    if (pos >= text.size() || text[pos] == '\n') fail("a value (number, word or [list])");
    if (text[pos] == '[' || text[pos] == '(') {
      char close = text[pos] == '[' ? ']' : ')';
      ++pos;
      v.is_list = true;
      for (;;) {
        skip(true);
        if (pos >= text.size()) fail(fmt::format("'{}' to close the list opened on line {}", close, v.line));
        if (text[pos] == close) { ++pos; break; }
        if (text[pos] == ',') { ++pos; continue; }
        if (text[pos] != '[' && text[pos] != '(' && !is_word_char(text[pos]))
          fail(fmt::format("',' or '{}' to close the list opened on line {}", close, v.line));
        std::size_t before = pos;
        int before_line = line;
        AnswerValue item = value(true);
        skip(true);
        if (pos < text.size() && text[pos] == '=') {  // "key =" inside a list: the list was never closed
          pos = before;
          line = before_line;
          fail(fmt::format("',' or '{}' to close the list opened on line {}", close, v.line));
        }
        v.items.push_back(std::move(item));
      }
      return v;
    }
    std::size_t start = pos;
    while (pos < text.size() && is_word_char(text[pos])) ++pos;
    if (pos == start) fail("a number, a word like w12_3, or '['");
    v.token = text.substr(start, pos - start);
    return v;
  }
};

}  // namespace

bool parse_number(const std::string& token, double& out) {
  if (token.empty()) return false;
  char* end = nullptr;
  out = std::strtod(token.c_str(), &end);
  return end == token.c_str() + token.size();
}

std::vector<std::string> AnswerValue::flatten(std::vector<std::int64_t>& shape,
                                              const std::string& file) const {
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

AnswerFile parse_answer_text(const std::string& text, const std::string& path) {
  AnswerFile file;
  file.path = path;
  Cursor cur{text, 0, 1, path};
  for (;;) {
    cur.skip(true);
    if (cur.pos >= text.size()) break;
    int key_line = cur.line;
    std::size_t start = cur.pos;
    while (cur.pos < text.size() && is_key_char(text[cur.pos])) ++cur.pos;
    if (cur.pos == start) cur.fail("a key (letters, digits, '_' or '.') at the start of the line");
    std::string key = text.substr(start, cur.pos - start);
    cur.skip(false);
    if (cur.pos >= text.size() || text[cur.pos] != '=') cur.fail(fmt::format("'=' after key '{}'", key));
    ++cur.pos;
    AnswerValue v = cur.value(false);
    cur.skip(false);
    if (cur.pos < text.size() && text[cur.pos] != '\n')
      cur.fail(fmt::format("end of line after the value of '{}' (lists need brackets: [a, b])", key));
    if (file.entries.count(key))
      throw AnswerFileError(fmt::format("{}:{}: key '{}' given twice (first on line {})", path,
                                        key_line, key, file.key_lines[key]));
    file.entries[key] = std::move(v);
    file.key_lines[key] = key_line;
  }
  return file;
}

AnswerFile read_answer_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw AnswerFileError(fmt::format("{}: cannot open the answer file (check the path)", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_answer_text(ss.str(), path);
}

}  // namespace gl::ex
