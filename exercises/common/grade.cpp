// Item-by-item grading of an answer file (see grade.h for the verdicts).
#include "exercises/common/grade.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "exercises/common/report.h"

namespace gl::ex {
namespace {

std::string shape_text(const std::vector<std::int64_t>& s) {
  if (s.empty()) return "a single value";
  return fmt::format("[{}]", fmt::join(s, " x "));
}

// Scalars may be written bare or as a one-element list; vectors as [a, b] or
// as a column [[a], [b]]: compare shapes with size-1 axes dropped.
std::vector<std::int64_t> squeeze(const std::vector<std::int64_t>& s) {
  std::vector<std::int64_t> out;
  for (auto d : s)
    if (d != 1) out.push_back(d);
  return out;
}

// The expected value as a student would write it: [1, 0.604368], [C], w12_3 (6 significant digits).
std::string compact(const nlohmann::json& j) {
  if (j.is_array()) {
    std::vector<std::string> parts;
    for (const auto& e : j) parts.push_back(compact(e));
    return fmt::format("[{}]", fmt::join(parts, ", "));
  }
  if (j.is_number()) return num(j.get<double>());
  if (j.is_string()) return j.get<std::string>();
  return j.dump();
}
std::string expected_text(const AnswerItem& item) {
  if (!item.alternatives.empty()) return num(item.alternatives.front().value);
  return compact(item.expected_json());
}

ItemResult grade_numeric(const AnswerItem& item, const std::vector<std::string>& tokens,
                         const std::vector<std::int64_t>& shape, const GradeOptions& opt) {
  ItemResult r{item.key, Verdict::incorrect, {}, 0.0};
  std::vector<double> got(tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (!parse_number(tokens[i], got[i])) {
      r.feedback = fmt::format("'{}' is not a number; expected {}", tokens[i], expected_text(item));
      return r;
    }
  }
  if (!item.alternatives.empty()) {  // a scalar with several accepted conventions
    if (got.size() != 1) {
      r.feedback = fmt::format("expected a single number, found {}", shape_text(shape));
      return r;
    }
    double best = INFINITY;
    for (const Alternative& a : item.alternatives) {
      double d = std::abs(got[0] - a.value);
      if (d <= opt.atol + opt.rtol * std::abs(a.value)) {
        r.verdict = Verdict::correct;
        r.feedback = fmt::format("matches the count {} ({})", num(a.value), a.label);
        return r;
      }
      best = std::min(best, d);
    }
    std::vector<std::string> accepted;
    for (const Alternative& a : item.alternatives) accepted.push_back(fmt::format("{} ({})", num(a.value), a.label));
    r.max_difference = best;
    r.feedback = fmt::format("{} matches no convention; expected one of {}; the nearest differs by {}", num(got[0]),
                             fmt::join(accepted, ", "), num(best));
    return r;
  }
  if (squeeze(shape) != squeeze(item.shape)) {
    r.feedback = fmt::format("expected {} values shaped {}, found {}; expected {}", item.numbers.size(),
                             shape_text(item.shape), shape_text(shape), expected_text(item));
    return r;
  }
  bool exact = true, rounded = true;
  std::size_t worst = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    double e = item.numbers[i], d = std::abs(got[i] - e);
    if (d > r.max_difference) { r.max_difference = d; worst = i; }
    if (d > opt.atol + opt.rtol * std::abs(e)) exact = false;
    if (d > opt.round_abs + opt.round_rel * std::abs(e)) rounded = false;
  }
  if (exact) {
    r.verdict = Verdict::correct;
    r.feedback = "within tolerance";
  } else if (item.allow_rounding && rounded) {
    r.verdict = Verdict::correct_rounded;
    r.feedback = fmt::format(
        "correct up to the rounding of intermediate values (largest difference {} at entry {}); "
        "full precision: {}", num(r.max_difference), worst, expected_text(item));
  } else {
    r.feedback = fmt::format("expected {}; largest difference {} at entry {} (you wrote {})",
                             expected_text(item), num(r.max_difference), worst, tokens[worst]);
  }
  return r;
}

ItemResult grade_symbolic(const AnswerItem& item, const std::vector<std::string>& tokens,
                          const std::vector<std::int64_t>& shape) {
  ItemResult r{item.key, Verdict::incorrect, {}, 0.0};
  if (shape != item.shape) {
    r.feedback = fmt::format("expected shape {}, found {}; expected {}", shape_text(item.shape),
                             shape_text(shape), expected_text(item));
    return r;
  }
  std::vector<std::string> wrong;
  std::int64_t cols = item.shape.size() == 2 ? item.shape[1] : 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (normalize_symbol(tokens[i]) == normalize_symbol(item.symbols[i])) continue;
    std::string where = cols ? fmt::format("({}, {})", i / cols + 1, i % cols + 1) : fmt::format("{}", i + 1);
    wrong.push_back(fmt::format("{}: expected {}, found {}", where, item.symbols[i], tokens[i]));
  }
  r.max_difference = static_cast<double>(wrong.size());
  if (wrong.empty()) {
    r.verdict = Verdict::correct;
    r.feedback = "every entry matches";
  } else {
    if (wrong.size() > 6) {
      std::size_t more = wrong.size() - 5;
      wrong.resize(5);
      wrong.push_back(fmt::format("and {} more", more));
    }
    r.feedback = fmt::format("{} of {} entries differ: {}", r.max_difference, tokens.size(), fmt::join(wrong, "; "));
  }
  return r;
}

bool shape_matches(const std::vector<std::string>& tokens, const std::vector<std::string>& symbols,
                   const std::vector<double>& numbers) {
  if (tokens.size() != symbols.size()) return false;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    double v;
    bool by_number = parse_number(tokens[i], v) && v == numbers[i];
    bool by_symbol = normalize_symbol(tokens[i]) == normalize_symbol(symbols[i]);
    if (!by_number && !by_symbol) return false;
  }
  return true;
}

ItemResult grade_shape(const AnswerItem& item, const std::vector<std::string>& tokens) {
  ItemResult r{item.key, Verdict::incorrect, {}, 0.0};
  if (shape_matches(tokens, item.symbols, item.numbers)) {
    r.verdict = Verdict::correct;
    r.feedback = "shape matches";
  } else if (!item.alt_symbols.empty() && shape_matches(tokens, item.alt_symbols, item.alt_numbers)) {
    r.verdict = Verdict::correct;
    r.feedback = fmt::format("shape matches (with kept dimensions; without: [{}])", fmt::join(item.symbols, ", "));
  } else {
    std::vector<std::string> sizes;
    for (double n : item.numbers) sizes.push_back(num(n));
    r.feedback = fmt::format("expected {} (with these sizes: [{}]), found [{}]", expected_text(item),
                             fmt::join(sizes, ", "), fmt::join(tokens, ", "));
  }
  return r;
}

ItemResult grade_choice(const AnswerItem& item, const std::vector<std::string>& tokens) {
  ItemResult r{item.key, Verdict::incorrect, {}, 0.0};
  if (tokens.size() == 1)
    for (const auto& s : item.symbols)
      if (normalize_symbol(tokens[0]) == normalize_symbol(s)) {
        r.verdict = Verdict::correct;
        r.feedback = "matches";
        return r;
      }
  r.feedback = fmt::format("expected {}, found {}", item.symbols.front(), fmt::join(tokens, " "));
  return r;
}

}  // namespace

std::string normalize_symbol(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c != '^' && c != '{' && c != '}' && c != ' ' && c != '*')
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  double v;  // "0", "0.0", "-0" are the same zero
  if (parse_number(out, v)) return num(v);
  return out;
}

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::correct: return "correct";
    case Verdict::correct_rounded: return "correct (rounded)";
    case Verdict::incorrect: return "incorrect";
    case Verdict::missing: return "missing";
    case Verdict::skipped: return "skipped (optional)";
  }
  return "?";
}

AnswerItem numeric_item(std::string key, std::string description, std::vector<std::int64_t> shape,
                        std::vector<double> numbers, bool allow_rounding) {
  AnswerItem i;
  i.key = std::move(key);
  i.description = std::move(description);
  i.kind = ItemKind::numeric;
  i.shape = std::move(shape);
  i.numbers = std::move(numbers);
  i.allow_rounding = allow_rounding;
  return i;
}
AnswerItem conventions_item(std::string key, std::string description, std::vector<Alternative> alternatives) {
  AnswerItem i = numeric_item(std::move(key), std::move(description), {}, {alternatives.front().value});
  i.alternatives = std::move(alternatives);
  return i;
}
AnswerItem symbolic_item(std::string key, std::string description, std::vector<std::int64_t> shape,
                         std::vector<std::string> symbols) {
  AnswerItem i;
  i.key = std::move(key);
  i.description = std::move(description);
  i.kind = ItemKind::symbolic;
  i.shape = std::move(shape);
  i.symbols = std::move(symbols);
  return i;
}
AnswerItem shape_item(std::string key, std::string description, std::vector<std::string> symbols,
                      std::vector<double> sizes, bool optional, std::vector<std::string> alt_symbols,
                      std::vector<double> alt_sizes) {
  AnswerItem i;
  i.key = std::move(key);
  i.description = std::move(description);
  i.kind = ItemKind::shape;
  i.symbols = std::move(symbols);
  i.numbers = std::move(sizes);
  i.optional = optional;
  i.alt_symbols = std::move(alt_symbols);
  i.alt_numbers = std::move(alt_sizes);
  return i;
}
AnswerItem choice_item(std::string key, std::string description, std::vector<std::string> accepted) {
  AnswerItem i;
  i.key = std::move(key);
  i.description = std::move(description);
  i.kind = ItemKind::choice;
  i.symbols = std::move(accepted);
  return i;
}

nlohmann::json AnswerItem::expected_json() const {
  using nlohmann::json;
  if (!alternatives.empty()) {
    json j = json::object();
    for (const auto& a : alternatives) j[a.label] = a.value;
    return j;
  }
  if (kind == ItemKind::choice) return symbols.front();
  if (kind == ItemKind::shape) return symbols;
  auto element = [&](std::size_t i) -> json {
    if (kind == ItemKind::symbolic) return symbols[i];
    return numbers[i];
  };
  if (shape.empty()) return element(0);
  if (shape.size() == 1) {
    json j = json::array();
    for (std::int64_t i = 0; i < shape[0]; ++i) j.push_back(element(i));
    return j;
  }
  json j = json::array();
  for (std::int64_t r = 0; r < shape[0]; ++r) {
    json row = json::array();
    for (std::int64_t c = 0; c < shape[1]; ++c) row.push_back(element(r * shape[1] + c));
    j.push_back(row);
  }
  return j;
}

bool GradeResult::all_correct() const {
  return std::all_of(items.begin(), items.end(), [](const ItemResult& r) {
    return r.verdict == Verdict::correct || r.verdict == Verdict::correct_rounded ||
           r.verdict == Verdict::skipped;
  });
}

GradeResult grade(const std::vector<AnswerItem>& expected, const AnswerFile& answers,
                  const GradeOptions& options) {
  GradeResult g;
  g.file = answers.path;
  for (const AnswerItem& item : expected) {
    auto it = answers.entries.find(item.key);
    if (it == answers.entries.end()) {
      g.items.push_back({item.key, item.optional ? Verdict::skipped : Verdict::missing,
                         fmt::format("no line '{} = ...'; expected {}", item.key, expected_text(item)), 0.0});
      continue;
    }
    std::vector<std::int64_t> shape;
    auto tokens = it->second.flatten(shape, answers.path);
    if (std::all_of(tokens.begin(), tokens.end(), [](const std::string& t) { return t == "?"; })) {
      g.items.push_back({item.key, item.optional ? Verdict::skipped : Verdict::missing,
                         fmt::format("not answered ('?'); expected {}", expected_text(item)), 0.0});
      continue;
    }
    switch (item.kind) {
      case ItemKind::numeric: g.items.push_back(grade_numeric(item, tokens, shape, options)); break;
      case ItemKind::symbolic: g.items.push_back(grade_symbolic(item, tokens, shape)); break;
      case ItemKind::shape: g.items.push_back(grade_shape(item, tokens)); break;
      case ItemKind::choice: g.items.push_back(grade_choice(item, tokens)); break;
    }
  }
  for (const auto& [key, line] : answers.key_lines) {
    bool known = std::any_of(expected.begin(), expected.end(), [&](const AnswerItem& i) { return i.key == key; });
    if (!known) g.warnings.push_back(fmt::format("{}:{}: unknown key '{}' ignored", answers.path, line, key));
  }
  return g;
}

std::string answer_file_text(const std::vector<AnswerItem>& items, const std::string& title,
                             const std::string& note, const std::string& program, bool blank) {
  std::string out = fmt::format(
      "# {}\n"
      "# Answer file: one 'key = value' per item; '#' starts a comment. Values: numbers (0.25, -1e-3),\n"
      "# words (w12_3, yes, C), or [lists], nested for matrices ([[a, b], [c, d]]), which may span lines.\n"
      "# '?' marks an item not answered yet. Grade with: {} --answer this_file.txt\n",
      title, program);
  std::string rest = note;
  while (!rest.empty()) {  // the note, one comment line per line
    auto nl = rest.find('\n');
    out += "# " + rest.substr(0, nl) + "\n";
    rest = nl == std::string::npos ? "" : rest.substr(nl + 1);
  }
  for (const AnswerItem& item : items) {
    out += fmt::format("\n# {}{}\n", item.description, item.optional ? " (optional)" : "");
    auto value = [&](std::size_t i) -> std::string {
      if (blank) return "?";
      if (item.kind == ItemKind::numeric) return num(item.numbers[i], 10);
      return item.symbols[i];
    };
    if (item.kind == ItemKind::choice || !item.alternatives.empty()) {
      out += fmt::format("{} = {}\n", item.key,
                         blank ? "?" : (item.alternatives.empty() ? item.symbols.front() : num(item.alternatives.front().value, 10)));
    } else if (item.kind == ItemKind::shape) {
      std::vector<std::string> dims;
      for (std::size_t i = 0; i < item.symbols.size(); ++i) dims.push_back(blank ? "?" : item.symbols[i]);
      out += fmt::format("{} = [{}]\n", item.key, fmt::join(dims, ", "));
    } else if (item.shape.empty()) {
      out += fmt::format("{} = {}\n", item.key, value(0));
    } else if (item.shape.size() == 1) {
      std::vector<std::string> v;
      for (std::int64_t i = 0; i < item.shape[0]; ++i) v.push_back(value(i));
      out += fmt::format("{} = [{}]\n", item.key, fmt::join(v, ", "));
    } else {  // a matrix: one row per line, columns aligned
      std::size_t width = 1;
      for (std::size_t i = 0; i < static_cast<std::size_t>(item.shape[0] * item.shape[1]); ++i)
        width = std::max(width, value(i).size());
      out += fmt::format("{} = [", item.key);
      std::string pad(item.key.size() + 4, ' ');
      for (std::int64_t r = 0; r < item.shape[0]; ++r) {
        std::vector<std::string> row;
        for (std::int64_t c = 0; c < item.shape[1]; ++c) row.push_back(fmt::format("{:>{}}", value(r * item.shape[1] + c), width));
        out += fmt::format("{}[{}]{}", r ? pad : "", fmt::join(row, ", "), r + 1 < item.shape[0] ? ",\n" : "]\n");
      }
    }
  }
  return out;
}

std::string grade_to_text(const GradeResult& g, const std::string& problem) {
  std::string out = fmt::format("Grading {} for {}\n", g.file, problem);
  std::size_t width = 4;
  for (const auto& r : g.items) width = std::max(width, r.key.size());
  int good = 0;
  for (const auto& r : g.items) {
    out += fmt::format("  {:<{}}  {:<18}  {}\n", r.key, width, verdict_name(r.verdict), r.feedback);
    good += r.verdict == Verdict::correct || r.verdict == Verdict::correct_rounded;
  }
  for (const auto& w : g.warnings) out += "  warning: " + w + "\n";
  out += fmt::format("Score: {} / {} items correct{}\n", good, g.items.size(),
                     g.all_correct() ? "" : " (exit status 1)");
  return out;
}

nlohmann::json grade_to_json(const GradeResult& g) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& r : g.items)
    items.push_back({{"key", r.key}, {"verdict", verdict_name(r.verdict)}, {"feedback", r.feedback},
                     {"max_difference", r.max_difference}});
  return {{"file", g.file}, {"all_correct", g.all_correct()}, {"items", items}, {"warnings", g.warnings}};
}

nlohmann::json grade_to_gradescope(const GradeResult& g, const std::string& problem) {
  nlohmann::json tests = nlohmann::json::array();
  double total = 0, max_total = 0;
  for (const auto& r : g.items) {
    if (r.verdict == Verdict::skipped) continue;
    bool pass = r.verdict == Verdict::correct || r.verdict == Verdict::correct_rounded;
    total += pass;
    max_total += 1;
    tests.push_back({{"name", fmt::format("{} {}", problem, r.key)},
                     {"score", pass ? 1.0 : 0.0},
                     {"max_score", 1.0},
                     {"status", pass ? "passed" : "failed"},
                     {"output", fmt::format("{}: {}", verdict_name(r.verdict), r.feedback)}});
  }
  std::string output = fmt::format("{}: {} of {} items correct.", problem, total, max_total);
  for (const auto& w : g.warnings) output += "\n" + w;
  return {{"score", total}, {"max_score", max_total}, {"output", output}, {"tests", tests}};
}

}  // namespace gl::ex
