// Tokenizer + reader for one answer value (value_reader.h).
#include "exercises/common/value_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include "exercises/common/answer_text.h"

namespace gl::ex {
namespace {

enum class Tok { open, close, comma, row, word, end };

struct Token {
  Tok kind = Tok::end;
  std::string text;  // word text; open/close: "[", "(", "call(", "\\begin{bmatrix}", "]", ")", "\\end{bmatrix}"
  int line = 0;
};

const char* kForms =
    "a number (0.25, -3/4, 1e-3), a word (w12_3, yes), or a list: [a, b], [[a, b], [c, d]], [a b; c d], "
    "np.array([...]) or \\begin{bmatrix} a & b \\\\ c & d \\end{bmatrix}";

bool is_structural(char c) {
  return std::isspace(static_cast<unsigned char>(c)) || c == '[' || c == ']' || c == '(' || c == ')' || c == ',' ||
         c == ';' || c == '&' || c == '\\' || c == '"' || c == '\'' || c == '$' || c == '=' || c == '#';
}

// Array constructors whose parentheses only wrap the list: np.array([[1, 2], [3, 4]]).
bool is_constructor(const std::string& w) {
  static const std::set<std::string> names = {"np.array", "numpy.array", "array", "np.matrix", "matrix", "np.asarray",
                                              "asarray", "torch.tensor", "tensor", "list", "tuple", "mat",
                                              "Matrix", "sympy.Matrix", "sp.Matrix", "np.mat", "torch.Tensor"};
  return names.count(w) > 0;
}

class Tokenizer {
 public:
  Tokenizer(const std::string& text, int line) : t_(text), line_(line) {}

  std::vector<Token> run() {
    std::vector<Token> out;
    while (pos_ < t_.size()) {
      char c = t_[pos_];
      if (c == '\n') { ++line_; ++pos_; continue; }
      if (std::isspace(static_cast<unsigned char>(c)) || c == '"' || c == '\'' || c == '$') { ++pos_; continue; }
      if (c == '#') { while (pos_ < t_.size() && t_[pos_] != '\n') ++pos_; continue; }
      if (c == '[' || c == '(') {
        std::string open(1, c);
        if (c == '(' && !out.empty() && out.back().kind == Tok::word && is_constructor(out.back().text)) {
          out.pop_back();
          open = "call(";
        }
        out.push_back({Tok::open, open, line_});
        ++pos_;
        continue;
      }
      if (c == ']' || c == ')') { out.push_back({Tok::close, std::string(1, c), line_}); ++pos_; continue; }
      if (c == ',' || c == '&') { out.push_back({Tok::comma, ",", line_}); ++pos_; continue; }
      if (c == ';') { out.push_back({Tok::row, ";", line_}); ++pos_; continue; }
      if (c == '=') { out.push_back({Tok::word, "=", line_}); ++pos_; continue; }
      if (c == '\\') { latex(out); continue; }
      if (static_cast<unsigned char>(c) >= 0x80 || static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
        std::size_t len;
        throw ValueError{line_, fmt::format("the character {} cannot be read here; write the value in plain ASCII "
                                            "(digits, letters, '-', brackets)", describe_character(t_, pos_, len))};
      }
      word(out);
    }
    out.push_back({Tok::end, "", line_});
    return out;
  }

 private:
  // {...} after a LaTeX command, raw.
  std::string group() {
    while (pos_ < t_.size() && t_[pos_] == ' ') ++pos_;
    if (pos_ >= t_.size() || t_[pos_] != '{') return "";
    int depth = 0;
    std::size_t start = pos_ + 1;
    for (; pos_ < t_.size(); ++pos_) {
      if (t_[pos_] == '{') ++depth;
      if (t_[pos_] == '}' && --depth == 0) break;
      if (t_[pos_] == '\n') ++line_;
    }
    if (pos_ >= t_.size()) throw ValueError{line_, "a '{' is never closed by '}'"};
    return t_.substr(start, pos_++ - start);
  }

  void latex(std::vector<Token>& out) {
    ++pos_;
    if (pos_ < t_.size() && t_[pos_] == '\\') { out.push_back({Tok::row, "\\\\", line_}); ++pos_; return; }
    std::size_t start = pos_;
    while (pos_ < t_.size() && std::isalpha(static_cast<unsigned char>(t_[pos_]))) ++pos_;
    std::string cmd = t_.substr(start, pos_ - start);
    if (cmd.empty()) { if (pos_ < t_.size()) ++pos_; return; }  // \, \; \! spacing
    if (cmd == "begin") { out.push_back({Tok::open, "\\begin{" + group() + "}", line_}); return; }
    if (cmd == "end") { out.push_back({Tok::close, "\\end{" + group() + "}", line_}); return; }
    if (cmd == "left" || cmd == "right" || cmd == "quad" || cmd == "qquad" || cmd == "displaystyle") return;
    if (cmd == "frac" || cmd == "dfrac" || cmd == "tfrac") {
      std::string a = group(), b = group();
      out.push_back({Tok::word, a + "/" + b, line_});
      return;
    }
    if (cmd == "text" || cmd == "mathrm" || cmd == "textrm" || cmd == "mathbf" || cmd == "textbf" || cmd == "mathit" ||
        cmd == "operatorname") {
      for (const Token& w : Tokenizer(group(), line_).run())
        if (w.kind != Tok::end) out.push_back(w);
      return;
    }
    if (cmd == "times") { out.push_back({Tok::word, "x", line_}); return; }
    if (cmd == "in") return;  // \mu \in \mathbb{R}^{C}
    if (cmd == "mathbb" || cmd == "mathcal") {  // \mathbb{R}^{C}: the shape is the exponent
      group();
      while (pos_ < t_.size() && t_[pos_] == ' ') ++pos_;
      if (pos_ >= t_.size() || t_[pos_] != '^') return;
      ++pos_;
      std::string exponent = pos_ < t_.size() && t_[pos_] == '{' ? group() : std::string(1, t_[pos_++]);
      for (const Token& w : Tokenizer(exponent, line_).run())
        if (w.kind != Tok::end) out.push_back(w);
      return;
    }
    if (cmd == "cdot") return;
    if (cmd == "infty") { out.push_back({Tok::word, "inf", line_}); return; }
    if (cmd == "delta" || cmd == "Delta") {  // \delta^{(3)} as a word
      std::string w = "delta";
      while (pos_ < t_.size() && !is_structural(t_[pos_])) word_char(w);
      out.push_back({Tok::word, w, line_});
      return;
    }
    throw ValueError{line_, fmt::format("the LaTeX command '\\{}' cannot be read; write the value plainly, or as "
                                        "\\begin{{bmatrix}} a & b \\\\ c & d \\end{{bmatrix}}", cmd)};
  }

  // Appends one character of a word; a {...} group (w_{12,3}) or a (...) after ^ or _ (w^(12)_3) is taken whole.
  void word_char(std::string& w) {
    char c = t_[pos_];
    if (c == '{' || ((c == '(') && !w.empty() && (w.back() == '^' || w.back() == '_'))) {
      char close = c == '{' ? '}' : ')';
      int depth = 0;
      for (; pos_ < t_.size(); ++pos_) {
        char d = t_[pos_];
        if (d == '\n') throw ValueError{line_, fmt::format("a '{}' in '{}' is not closed on its line", c, w + c)};
        if (d == '\\') {  // \top, \intercal inside a group: the transpose
          std::size_t s = ++pos_;
          while (pos_ < t_.size() && std::isalpha(static_cast<unsigned char>(t_[pos_]))) ++pos_;
          std::string cmd = t_.substr(s, pos_ - s);
          w += cmd == "top" || cmd == "intercal" ? "T" : cmd;
          --pos_;
          continue;
        }
        w.push_back(d);
        if (d == c) ++depth;
        if (d == close && --depth == 0) break;
      }
      if (pos_ >= t_.size()) throw ValueError{line_, fmt::format("a '{}' in '{}' is never closed", c, w)};
      ++pos_;
      return;
    }
    w.push_back(c);
    ++pos_;
  }

  void word(std::vector<Token>& out) {
    std::string w;
    const std::size_t start = pos_;
    while (pos_ < t_.size()) {
      char c = t_[pos_];
      if (c == '(' && !w.empty() && (w.back() == '^' || w.back() == '_')) { word_char(w); continue; }
      if (c == '\\' && !w.empty() && w.back() == '^') {  // A^\top
        std::size_t s = ++pos_;
        while (pos_ < t_.size() && std::isalpha(static_cast<unsigned char>(t_[pos_]))) ++pos_;
        std::string cmd = t_.substr(s, pos_ - s);
        w += cmd == "top" || cmd == "intercal" ? "T" : cmd;
        continue;
      }
      if (is_structural(c) || static_cast<unsigned char>(c) >= 0x80) break;
      word_char(w);
    }
    // W11[1]: a weight indexed like an array, read as w11_1.
    static const std::regex indexed(R"(^[wW][_^]?\{?\d\d\}?$)");
    if (pos_ + 2 < t_.size() && t_[pos_] == '[' && w.size() < 12 && std::regex_match(w, indexed)) {
      std::size_t close = t_.find(']', pos_);
      std::string tap = close == std::string::npos ? "" : t_.substr(pos_ + 1, close - pos_ - 1);
      if (!tap.empty() && tap.size() < 4 && std::all_of(tap.begin(), tap.end(), [](char d) { return std::isdigit(static_cast<unsigned char>(d)); })) {
        w += "_" + tap;
        pos_ = close + 1;
      }
    }
    // A' (a capital letter with a prime, not a quoted 'A'): the transpose.
    if (w.size() == 1 && std::isupper(static_cast<unsigned char>(w[0])) && pos_ < t_.size() && t_[pos_] == '\'' &&
        (start == 0 || t_[start - 1] != '\'')) {
      w += "^T";
      ++pos_;
    }
    // A shape in the problem's notation, 1xC, 1-by-C or NxHxWxC: one item per axis.
    static const std::regex shape(R"(^(\d+|[A-Z])((x|-by-)(\d+|[A-Z]))+$)");
    if (w.size() < 40 && std::regex_match(w, shape)) {
      static const std::regex axis(R"(\d+|[A-Z])");
      bool first = true;
      for (auto it = std::sregex_iterator(w.begin(), w.end(), axis); it != std::sregex_iterator(); ++it) {
        if (!first) out.push_back({Tok::comma, ",", line_});
        out.push_back({Tok::word, it->str(), line_});
        first = false;
      }
      return;
    }
    out.push_back({Tok::word, w, line_});
  }

  const std::string& t_;
  std::size_t pos_ = 0;
  int line_;
};

class Reader {
 public:
  explicit Reader(std::vector<Token> toks) : toks_(std::move(toks)) {}

  AnswerValue top(int line) {
    auto rows = sequence(nullptr);
    AnswerValue v;
    v.line = line;
    if (rows.size() > 1) return matrix(std::move(rows), line, false);
    auto& items = rows.front();
    if (items.empty()) throw ValueError{line, fmt::format("no value after '='; expected {}", kForms)};
    if (items.size() == 1) return std::move(items.front());
    v.is_list = true;  // a bare sequence: "0.7, 1" or a sentence
    v.items = std::move(items);
    return v;
  }

 private:
  static bool matches(const std::string& open, const std::string& close) {
    if (open == "[") return close == "]";
    if (open == "(" || open == "call(") return close == ")";
    return close == "\\end" + open.substr(6);  // \begin{X} .. \end{X}
  }
  static std::string closer(const std::string& open) {
    if (open == "[") return "']'";
    if (open == "(" || open == "call(") return "')'";
    return "'\\end" + open.substr(6) + "'";
  }

  AnswerValue matrix(std::vector<std::vector<AnswerValue>> rows, int line, bool bracketed) {
    AnswerValue m;
    m.is_list = true;
    m.bracketed = bracketed;
    m.line = line;
    for (auto& r : rows) {
      if (r.size() == 1 && r.front().is_list) {  // [[1, 2]; [3, 4]]
        m.items.push_back(std::move(r.front()));
        continue;
      }
      AnswerValue row;
      row.is_list = row.bracketed = true;
      row.line = r.empty() ? line : r.front().line;
      row.items = std::move(r);
      m.items.push_back(std::move(row));
    }
    return m;
  }

  // Items up to the matching close (or the end when `open` is null), split into rows by ';' or '\\'.
  std::vector<std::vector<AnswerValue>> sequence(const Token* open) {
    std::vector<std::vector<AnswerValue>> rows(1);
    for (;;) {
      const Token& t = toks_[i_];
      if (t.kind == Tok::end) {
        if (open)
          throw ValueError{open->line, fmt::format("the list opened with '{}' on line {} is never closed: expected {}",
                                                   open->text == "call(" ? "(" : open->text, open->line,
                                                   closer(open->text))};
        break;
      }
      ++i_;
      if (t.kind == Tok::close) {
        if (!open) throw ValueError{t.line, fmt::format("a '{}' with no opening bracket before it", t.text)};
        if (!matches(open->text, t.text))
          throw ValueError{t.line, fmt::format("found '{}' where {} was expected, to close the list opened on line {}",
                                               t.text, closer(open->text), open->line)};
        break;
      }
      if (t.kind == Tok::comma) continue;
      if (t.kind == Tok::row) { rows.emplace_back(); continue; }
      if (t.kind == Tok::word && (t.text == "x" || t.text == "by") && !rows.back().empty() &&
          (toks_[i_].kind == Tok::word || toks_[i_].kind == Tok::open))
        continue;  // 1 x C: the problem's shape notation
      if (t.kind == Tok::word) {
        AnswerValue w;
        w.token = t.text;
        w.line = t.line;
        rows.back().push_back(std::move(w));
        continue;
      }
      rows.back().push_back(list(t));  // an opening bracket
    }
    while (rows.size() > 1 && rows.back().empty()) rows.pop_back();  // a trailing ';' or '\\'
    return rows;
  }

  AnswerValue list(const Token& open) {
    if (++depth_ > kMaxDepth)
      throw ValueError{open.line, fmt::format("lists nested more than {} deep; a matrix needs two levels", kMaxDepth)};
    auto rows = sequence(&open);
    --depth_;
    bool latex = open.text.rfind("\\begin", 0) == 0;
    AnswerValue v;
    if (rows.size() > 1 || latex) {  // a LaTeX column vector stays a column [[a], [b]]: the grader reads it as a vector
      v = matrix(std::move(rows), open.line, true);
    } else {
      v.is_list = v.bracketed = true;
      v.line = open.line;
      v.items = std::move(rows.front());
    }
    if (open.text == "call(") {  // np.array([...], dtype=float): the list inside
      if (!v.items.empty() && v.items.front().is_list) return std::move(v.items.front());
    }
    return v;
  }

  static constexpr int kMaxDepth = 16;
  std::vector<Token> toks_;
  std::size_t i_ = 0;
  int depth_ = 0;
};

}  // namespace

AnswerValue read_value(const std::string& text, int first_line) {
  // A single number with thousands separators (18,560), where a list of numbers would make no sense.
  static const std::regex thousands(R"(^\s*([+-]?\d{1,3}(,\d{3})+)\s*$)");
  std::smatch m;
  if (text.size() < 64 && std::regex_match(text, m, thousands)) {
    AnswerValue v;
    v.line = first_line;
    for (char c : m[1].str())
      if (c != ',') v.token.push_back(c);
    return v;
  }
  return Reader(Tokenizer(text, first_line).run()).top(first_line);
}

}  // namespace gl::ex
