// Item-by-item grading of an answer file (see grade.h for the verdicts). The
// feedback is a diagnosis that never contains the key's values; the expected
// value goes to ItemResult::answer, shown only when answers are revealed.
#include "exercises/common/grade.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <regex>
#include <set>
#include <stdexcept>

#include "exercises/common/report.h"

namespace gl::ex {
namespace {

std::string shape_text(const std::vector<std::int64_t>& s) {
  if (s.empty()) return "a single value";
  if (s.size() == 1) return fmt::format("a list of {}", s[0]);
  return fmt::format("{} matrix", fmt::join(s, " x "));
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
  if (j.is_object()) {
    std::vector<std::string> parts;
    for (auto it = j.begin(); it != j.end(); ++it) parts.push_back(fmt::format("{} ({})", compact(*it), it.key()));
    return fmt::format("one of {}", fmt::join(parts, ", "));
  }
  if (j.is_number()) return num(j.get<double>());
  if (j.is_string()) return j.get<std::string>();
  return j.dump();
}

// Where entry i sits, for the feedback: "2" in a vector, "(2, 1)" in a matrix (1-based).
std::string entry_name(const std::vector<std::int64_t>& shape, std::size_t i) {
  auto s = squeeze(shape);
  if (s.size() == 2) return fmt::format("({}, {})", i / s[1] + 1, i % s[1] + 1);
  return fmt::format("{}", i + 1);
}

std::string list_entries(std::vector<std::string> parts) {
  if (parts.size() > 6) {
    std::size_t more = parts.size() - 5;
    parts.resize(5);
    parts.push_back(fmt::format("and {} more", more));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

// Forms the grader reads for this item, for an unreadable line (no values of the key).
std::string accepted_forms(const AnswerItem& item) {
  switch (item.kind) {
    case ItemKind::choice: return "one word (a short sentence containing it is read too)";
    case ItemKind::shape: return "a shape as a list of axis names or sizes, written like an N x D input's shape: [N, D], (N, D) or N x D";
    case ItemKind::symbolic:
    case ItemKind::numeric: {
      std::string what = item.kind == ItemKind::numeric ? "numbers (0.25, -3/4, 1e-3)" : "entries like w12_3 or 0";
      if (item.shape.empty()) return item.kind == ItemKind::numeric ? "one number (0.25, -3/4, 1e-3)" : "one word";
      if (item.shape.size() == 1 && item.shape[0] == 1)
        return item.kind == ItemKind::numeric ? "one number, bare or in brackets: -0.5 or [-0.5]" : "one word, or [word]";
      if (item.shape.size() == 1) return fmt::format("a list of {} {}: [a, b, ...]", item.shape[0], what);
      return fmt::format("a {} x {} matrix of {}: [[a, b], [c, d]] (one list per row), [a b; c d] or "
                         "\\begin{{bmatrix}} a & b \\\\ c & d \\end{{bmatrix}}",
                         item.shape[0], item.shape[1], what);
    }
  }
  return "";
}

bool within(double got, double want, double atol, double rtol) { return std::abs(got - want) <= atol + rtol * std::abs(want); }

bool all_within(const std::vector<double>& got, const std::vector<double>& want, double atol, double rtol) {
  if (got.size() != want.size()) return false;
  for (std::size_t i = 0; i < got.size(); ++i)
    if (!within(got[i], want[i], atol, rtol)) return false;
  return true;
}

std::vector<double> transposed(const std::vector<double>& v, std::int64_t rows, std::int64_t cols) {
  std::vector<double> t(v.size());
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) t[c * rows + r] = v[r * cols + c];
  return t;
}

struct Slack {  // the tolerance of a layout diagnosis (missing bias, transposed) where shapes differ
  double atol, rtol;
};
Slack slack(const AnswerItem& item, const GradeOptions& o) {
  double half = item.allow_rounding && o.rounding ? 0.5 * std::pow(10.0, -o.min_decimals) : 0.0;
  return Slack{o.atol + half, o.rtol};
}

// Decimals written after the point, before any exponent ("-1.48" -> 2, "7/10" -> 0, "3" -> 0).
int decimals_of(const std::string& token) {
  std::size_t dot = token.find('.');
  if (dot == std::string::npos) return 0;
  std::size_t end = token.find_first_not_of("0123456789", dot + 1);
  return static_cast<int>((end == std::string::npos ? token.size() : end) - dot - 1);
}

// Per entry: half a unit in the last place the student wrote (never more than min_decimals allows).
std::vector<double> half_units(const AnswerItem& item, const std::vector<std::string>& tokens, const GradeOptions& o) {
  std::vector<double> h(tokens.size(), 0.0);
  if (!item.allow_rounding || !o.rounding) return h;
  for (std::size_t i = 0; i < tokens.size(); ++i)
    h[i] = 0.5 * std::pow(10.0, -std::max(decimals_of(tokens[i]), o.min_decimals)) * (1 + 1e-9);
  return h;
}

// got is within `extra` (per entry) of want, beyond the exact tolerance.
bool near(const std::vector<double>& got, const std::vector<double>& want, const std::vector<double>& extra,
          const GradeOptions& o) {
  if (got.size() != want.size()) return false;
  for (std::size_t i = 0; i < got.size(); ++i)
    if (std::abs(got[i] - want[i]) > o.atol + o.rtol * std::abs(want[i]) + extra[i]) return false;
  return true;
}

// The student's values for follow-through, and the half unit of each entry as written.
struct StudentContext {
  StudentValues mine, mine_half;    // every numeric answer given
  StudentValues basis, basis_half;  // the exact values, overwritten by the student's accepted ones (rounded)
};

// How far rounding each input by its half unit can move the recursion's result, to first order: the sum over
// inputs of |f(v + h_k e_k) - f(v)|. Empty when f cannot be evaluated from `v`.
std::vector<double> rounding_spread(const AnswerItem& item, const StudentValues& v, const StudentValues& half) {
  if (!item.follow_through) return {};
  auto base = item.follow_through(v);
  if (!base) return {};
  std::vector<double> spread(base->size(), 0.0);
  StudentValues w = v;
  for (auto& [key, values] : w) {
    auto hk = half.find(key);
    if (hk == half.end() || hk->second.size() != values.size()) continue;
    for (std::size_t j = 0; j < values.size(); ++j) {
      if (hk->second[j] == 0) continue;
      double keep = values[j];
      values[j] = keep + hk->second[j];
      auto moved = item.follow_through(w);
      values[j] = keep;
      if (moved && moved->size() == base->size())
        for (std::size_t i = 0; i < base->size(); ++i) spread[i] += std::abs((*moved)[i] - (*base)[i]);
    }
  }
  return spread;
}

ItemResult grade_numeric(const AnswerItem& item, const std::vector<std::string>& tokens,
                         const std::vector<std::int64_t>& shape, const GradeOptions& opt, const StudentContext& ctx) {
  const StudentValues& mine = ctx.mine;
  ItemResult r;
  r.verdict = Verdict::incorrect;
  std::vector<double> got(tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (!parse_number(tokens[i], got[i])) {
      r.feedback = tokens.size() == 1 ? fmt::format("'{}' is not a number", excerpt(tokens[i], 40))
                                      : fmt::format("entry {} ('{}') is not a number", entry_name(shape, i), excerpt(tokens[i], 40));
      return r;
    }
    if (std::isnan(got[i])) {
      r.feedback = fmt::format("'{}' is not a number (nan): give the value", excerpt(tokens[i], 40));
      return r;
    }
    if (std::isinf(got[i])) {
      r.feedback = fmt::format("'{}' is infinite: the answer is a finite number", excerpt(tokens[i], 40));
      return r;
    }
  }
  Slack s = slack(item, opt);
  if (!item.alternatives.empty()) {  // a scalar with several counting conventions (problem 3)
    if (got.size() != 1) {
      r.feedback = fmt::format("expected a single number, found {}", shape_text(shape));
      return r;
    }
    std::vector<std::string> labels;
    for (const Alternative& a : item.alternatives) {
      labels.push_back(a.label);
      if (!within(got[0], a.value, opt.atol, opt.rtol)) continue;
      if (a.accepted) {
        r.verdict = Verdict::correct;
        r.feedback = fmt::format("the count with the convention '{}'", a.label);
      } else {
        r.feedback = fmt::format("this is the count with the convention '{}', which this course does not accept", a.label);
      }
      return r;
    }
    for (const Mistake& m : item.mistakes)
      if (!m.numbers.empty() && within(got[0], m.numbers[0], opt.atol, opt.rtol)) {
        r.feedback = m.diagnosis;
        return r;
      }
    r.feedback = fmt::format("{} matches none of the counting conventions ({})", excerpt(tokens[0], 40), fmt::join(labels, "; "));
    return r;
  }
  if (squeeze(shape) != squeeze(item.shape)) {
    auto n = item.numbers.size();
    if (got.size() + 1 == n && all_within(got, std::vector<double>(item.numbers.begin() + 1, item.numbers.end()), s.atol, s.rtol)) {
      r.feedback = "the bias coordinate is missing: x(l) starts with the constant 1";
      return r;
    }
    if (item.shape.size() == 2 && squeeze(shape) == squeeze({item.shape[1], item.shape[0]}) &&
        all_within(transposed(got, item.shape[1], item.shape[0]), item.numbers, s.atol, s.rtol)) {
      r.feedback = "transposed: the values are right but the matrix must have the layout of W(l) (rows = inputs)";
      return r;
    }
    r.feedback = fmt::format("expected {} ({} values), found {}", shape_text(item.shape), n, shape_text(shape));
    return r;
  }
  // Rounding: the student's own accepted, rounded earlier values carried through the recursion (p), and half a
  // unit in the last written place (h): every entry within [min(e, p) - h, max(e, p) + h] is "correct (rounded)".
  std::vector<double> h = half_units(item, tokens, opt), carried = item.numbers, spread(got.size(), 0.0);
  if (item.allow_rounding && opt.rounding && item.follow_through) {
    if (auto p = item.follow_through(ctx.basis); p && p->size() == carried.size()) carried = *p;
    if (auto b = rounding_spread(item, ctx.basis, ctx.basis_half); b.size() == spread.size()) spread = b;
  }
  std::vector<double> width(got.size());  // how far rounding may move each entry from the exact value
  bool exact = true, rounded = opt.rounding && item.allow_rounding;
  std::vector<std::string> wrong;
  for (std::size_t i = 0; i < got.size(); ++i) {
    double e = item.numbers[i], d = std::abs(got[i] - e), tol = opt.atol + opt.rtol * std::abs(e);
    r.max_difference = std::max(r.max_difference, d);
    width[i] = h[i] + spread[i] + std::abs(carried[i] - e);
    if (d > tol) exact = false;
    bool ok_rounded = d <= tol + width[i];
    if (!ok_rounded) rounded = false;
    if (!(item.allow_rounding && opt.rounding ? ok_rounded : d <= tol))
      wrong.push_back(fmt::format("{} (you wrote {})", entry_name(item.shape, i), excerpt(tokens[i], 24)));
  }
  if (exact) {
    r.verdict = Verdict::correct;
    r.feedback = "within tolerance";
    return r;
  }
  if (rounded) {
    int d = 0;
    for (const auto& t : tokens) d = std::max(d, decimals_of(t));
    r.verdict = Verdict::correct_rounded;
    r.feedback = fmt::format("correct up to the rounding of intermediate values ({} decimals, carried through "
                             "the recursion)", std::max(d, opt.min_decimals));
    return r;
  }
  if (item.follow_through) {  // right, given the student's own earlier (wrong) values and the problem's data
    auto own = item.follow_through(mine);
    std::vector<double> own_width = h, own_spread = rounding_spread(item, mine, ctx.mine_half);
    for (std::size_t i = 0; i < own_width.size() && i < own_spread.size(); ++i) own_width[i] += own_spread[i];
    if (own && near(got, *own, own_width, opt)) {
      r.verdict = item.follow_through_credit ? Verdict::correct : Verdict::incorrect;
      r.follow_through = true;
      r.feedback = fmt::format("consistent with your {} (follow-through{})", item.follows,
                               item.follow_through_credit ? " credit" : "; this rubric gives no credit for it");
      return r;
    }
  }
  // Known mistakes: the closest one within the rounding width names the mistake.
  const Mistake* best = nullptr;
  double best_d = 0;
  for (const Mistake& m : item.mistakes) {
    if (!near(got, m.numbers, width, opt)) continue;
    double dist = 0;
    for (std::size_t i = 0; i < got.size(); ++i) dist = std::max(dist, std::abs(got[i] - m.numbers[i]));
    if (!best || dist < best_d) { best = &m; best_d = dist; }
  }
  if (best) {
    r.feedback = best->diagnosis;
    return r;
  }
  if (item.shape.size() == 2 && item.shape[0] == item.shape[1] &&
      all_within(transposed(got, item.shape[0], item.shape[1]), item.numbers, s.atol, s.rtol)) {
    r.feedback = "transposed: the values are right but the matrix must have the layout of W(l) (rows = inputs)";
    return r;
  }
  std::vector<double> negated(got.size());
  std::transform(got.begin(), got.end(), negated.begin(), [](double v) { return -v; });
  if (near(negated, item.numbers, width, opt)) {
    r.feedback = "the sign is wrong (every entry has the opposite sign)";
    return r;
  }
  r.feedback = fmt::format("{} of {} {} wrong: {}", wrong.size(), got.size(), got.size() == 1 ? "value is" : "entries are",
                           got.size() == 1 ? fmt::format("you wrote {}", excerpt(tokens[0], 24)) : list_entries(wrong));
  return r;
}

// w12_3 -> w21_3: the channel indices swapped.
std::string swap_channels(const std::string& normalized) {
  if (normalized.size() == 5 && normalized[0] == 'w' && normalized[3] == '_')
    return std::string("w") + normalized[2] + normalized[1] + normalized.substr(3);
  return normalized;
}

ItemResult grade_symbolic(const AnswerItem& item, const std::vector<std::string>& tokens,
                          const std::vector<std::int64_t>& shape) {
  ItemResult r;
  r.verdict = Verdict::incorrect;
  std::vector<std::string> got, want;
  for (const auto& t : tokens) got.push_back(normalize_symbol(t));
  for (const auto& t : item.symbols) want.push_back(normalize_symbol(t));
  auto same = [&](const std::vector<std::string>& a, const std::vector<std::string>& b) { return a == b; };
  for (const Mistake& m : item.mistakes) {
    std::vector<std::string> ms;
    for (const auto& t : m.symbols) ms.push_back(normalize_symbol(t));
    if (same(got, ms) && squeeze(shape) == squeeze(m.shape.empty() ? item.shape : m.shape)) {
      r.feedback = m.diagnosis;
      return r;
    }
  }
  if (squeeze(shape) != squeeze(item.shape)) {
    if (item.shape.size() == 2 && squeeze(shape) == squeeze({item.shape[1], item.shape[0]})) {
      std::vector<std::string> t(got.size());
      for (std::int64_t a = 0; a < item.shape[1]; ++a)
        for (std::int64_t b = 0; b < item.shape[0]; ++b) t[b * item.shape[1] + a] = got[a * item.shape[0] + b];
      r.feedback = same(t, want) ? "transposed: the entries are right but rows and columns are swapped"
                                 : fmt::format("expected {}, found {} (rows and columns swapped?)", shape_text(item.shape),
                                               shape_text(shape));
      return r;
    }
    r.feedback = fmt::format("expected {}, found {}", shape_text(item.shape), shape_text(shape));
    return r;
  }
  std::vector<std::string> wrong;
  std::size_t right = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i] == want[i]) { ++right; continue; }
    wrong.push_back(fmt::format("{} (you wrote {})", entry_name(item.shape, i), excerpt(tokens[i], 24)));
  }
  r.max_difference = static_cast<double>(wrong.size());
  if (wrong.empty()) {
    r.verdict = Verdict::correct;
    r.feedback = "every entry matches";
    return r;
  }
  std::vector<std::string> swapped(got.size());
  std::transform(got.begin(), got.end(), swapped.begin(), swap_channels);
  std::vector<std::string> reversed(got.rbegin(), got.rend());
  if (same(swapped, want)) {
    r.feedback = "the channel indices are swapped: w^{ij}_k links input channel i to output channel j";
  } else if (squeeze(item.shape).size() == 1 && same(reversed, want)) {
    r.feedback = "the kernel is not flipped: the back convolution uses the taps in reverse order";
  } else {
    r.feedback = fmt::format("{} of {} entries are wrong: {}", wrong.size(), got.size(), list_entries(wrong));
  }
  if (item.partial_credit && right > 0) {
    r.verdict = Verdict::partial;
    r.score = static_cast<double>(right) / static_cast<double>(got.size());  // scaled by the points later
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

ItemResult grade_shape(const AnswerItem& item, std::vector<std::string> tokens) {
  ItemResult r;
  r.verdict = Verdict::incorrect;
  // "C-dimensional", "C." -> C; a bare sentence "C values, one per channel" keeps its first word only if it is an axis.
  if (shape_matches(tokens, item.symbols, item.numbers)) {
    r.verdict = Verdict::correct;
    r.feedback = "shape matches";
  } else if (!item.alt_symbols.empty() && shape_matches(tokens, item.alt_symbols, item.alt_numbers)) {
    r.verdict = Verdict::correct;
    r.feedback = "shape matches (with kept dimensions)";
  } else {
    std::vector<std::string> kept_averaged;
    for (const auto& t : tokens)
      for (const auto& a : item.averaged_axes)
        if (normalize_symbol(t) == normalize_symbol(a)) kept_averaged.push_back(a);
    r.feedback = kept_averaged.empty()
                     ? fmt::format("the shape [{}] is not the shape of this statistic", excerpt(fmt::format("{}", fmt::join(tokens, ", ")), 60))
                     : fmt::format("statistics over the wrong axes: your shape keeps {}, {} the statistics "
                                   "average over", fmt::join(kept_averaged, " and "),
                                   kept_averaged.size() > 1 ? "axes" : "an axis");
  }
  return r;
}

ItemResult grade_choice(const AnswerItem& item, const std::vector<std::string>& tokens) {
  ItemResult r;
  r.verdict = Verdict::incorrect;
  static const std::set<std::string> negations = {"not", "isn't", "isnt", "never", "neither"};
  std::set<std::string> accept, reject;
  for (const auto& s : item.symbols) accept.insert(normalize_symbol(s));
  for (const auto& s : item.rejected) reject.insert(normalize_symbol(s));
  std::vector<std::string> yes, no;
  bool negated = false;
  for (const auto& t : tokens) {
    std::string n = normalize_symbol(t);
    if (accept.count(n)) yes.push_back(t);
    if (reject.count(n)) no.push_back(t);
    if (negations.count(n)) negated = true;
  }
  std::string written = excerpt(fmt::format("{}", fmt::join(tokens, " ")), 60);
  if (!yes.empty() && no.empty() && !negated) {
    r.verdict = Verdict::correct;
    r.feedback = tokens.size() == 1 ? "matches" : fmt::format("read '{}' in your sentence", yes.front());
    return r;
  }
  if (!yes.empty() || (negated && !no.empty())) {
    r.feedback = fmt::format("ambiguous: '{}' both affirms and denies; write one word", written);
    return r;
  }
  for (const Mistake& m : item.mistakes)
    for (const auto& t : tokens)
      if (std::find_if(m.symbols.begin(), m.symbols.end(), [&](const std::string& s) {
            return normalize_symbol(s) == normalize_symbol(t);
          }) != m.symbols.end()) {
        r.feedback = m.diagnosis;
        return r;
      }
  r.feedback = no.empty() && tokens.size() > 1
                   ? fmt::format("no answer word found in '{}'; write one word", written)
                   : fmt::format("'{}' is not the answer", written);
  return r;
}

void collect_leaves(const AnswerValue& v, std::vector<std::string>& out) {
  if (!v.is_list) {
    out.push_back(v.token);
    return;
  }
  for (const auto& i : v.items) collect_leaves(i, out);
}

// Only a bracketed list of bracketed rows is a matrix whose rows can have different lengths.
bool real_matrix(const AnswerValue& v) {
  return v.is_list && v.bracketed && !v.items.empty() &&
         std::all_of(v.items.begin(), v.items.end(), [](const AnswerValue& i) { return i.is_list; });
}
bool is_sentence(const AnswerValue& v) { return v.is_list && !v.bracketed; }

// The numbers among a sentence's words ("18560 parameters", "2 on each side", "-> 0"); a parenthesis explains and is
// skipped; "18 560" (digit groups) is one number.
std::vector<std::string> sentence_numbers(const AnswerValue& v) {
  std::vector<std::string> nums;
  for (const auto& i : v.items) {
    double x;
    if (!i.is_list && parse_number(i.token, x)) nums.push_back(i.token);
  }
  static const std::regex lead(R"(^[+-]?\d{1,3}$)"), group(R"(^\d{3}$)");
  if (nums.size() > 1 && std::regex_match(nums[0], lead) &&
      std::all_of(nums.begin() + 1, nums.end(), [](const std::string& t) { return std::regex_match(t, group); })) {
    std::string joined;
    for (const auto& n : nums) joined += n;
    return {joined};
  }
  return nums;
}

// A shape in a sentence: the first run of axis names or sizes ("C -- averaged over N, H and W" is [C]).
std::vector<std::string> sentence_shape(const AnswerItem& item, const AnswerValue& v) {
  std::vector<std::string> axes = {"N", "H", "W", "C"};
  for (const auto* list : {&item.symbols, &item.alt_symbols, &item.averaged_axes}) axes.insert(axes.end(), list->begin(), list->end());
  auto axis_like = [&](const std::string& t) {
    double x;
    if (parse_number(t, x)) return x >= 0 && x == std::floor(x);
    return std::any_of(axes.begin(), axes.end(), [&](const std::string& a) { return normalize_symbol(a) == normalize_symbol(t); });
  };
  std::vector<std::string> run;
  for (const auto& i : v.items) {
    if (i.is_list) {
      std::vector<std::string> l;
      collect_leaves(i, l);
      if (run.empty() && !l.empty() && std::all_of(l.begin(), l.end(), axis_like)) return l;
      if (!run.empty()) break;
      continue;
    }
    if (axis_like(i.token)) run.push_back(i.token);
    else if (!run.empty()) break;
  }
  return run;
}

// "A^T", "A.T", "transpose(A)", "A'", "the transpose of A": the transpose of item `of`.
bool written_as_transpose(const AnswerValue& v, const std::string& of) {
  std::vector<std::string> leaves, words;
  collect_leaves(v, leaves);
  static const std::set<std::string> filler = {"the", "of", "b", "=", "is", "just", "simply", "matrix", "its"};
  for (const auto& l : leaves)
    if (!filler.count(normalize_symbol(l))) words.push_back(normalize_symbol(l));
  std::string a = normalize_symbol(of), w = fmt::format("{}", fmt::join(words, " "));
  return w == a + "t" || w == a + ".t" || w == a + "^t" || w == a + "_transpose" || w == a + "top" ||
         w == "transpose " + a || w == a + " transpose" || w == a + " transposed" || w == "transposed " + a ||
         w == "np.transpose " + a || w == a + ".transpose";
}

// Which entry of the file answers `item`: the exact key, else the one key that matches ignoring case, '_' and '.'.
const std::string* find_key(const AnswerItem& item, const std::vector<AnswerItem>& all, const AnswerFile& f) {
  std::string want = normalize_key(item.key);
  int same_normal = 0;
  for (const auto& other : all) same_normal += normalize_key(other.key) == want;
  // Candidates: the exact spelling, and every spelling that matches ignoring case, '_' and '.' when that is
  // unambiguous. The answered one wins over a '?', then the later line (as for a key given twice).
  const std::string* found = nullptr;
  for (const auto& [k, v] : f.entries) {
    if (k != item.key && (same_normal != 1 || normalize_key(k) != want)) continue;
    if (!found) { found = &k; continue; }
    bool old_placeholder = f.entries.at(*found).is_placeholder();
    bool later = f.key_lines.at(k) > f.key_lines.at(*found);
    if ((old_placeholder && !v.is_placeholder()) || (old_placeholder == v.is_placeholder() && later)) found = &k;
  }
  return found;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

Reveal parse_reveal(const std::string& name) {
  if (name == "none") return Reveal::none;
  if (name == "diagnosis") return Reveal::diagnosis;
  if (name == "answers") return Reveal::answers;
  throw std::invalid_argument(fmt::format("--reveal: '{}' is not one of none, diagnosis, answers", name));
}

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::correct: return "correct";
    case Verdict::correct_rounded: return "correct (rounded)";
    case Verdict::partial: return "partly correct";
    case Verdict::incorrect: return "incorrect";
    case Verdict::missing: return "missing";
    case Verdict::unreadable: return "unreadable";
    case Verdict::skipped: return "skipped (optional)";
  }
  return "?";
}

bool is_correct(Verdict v) { return v == Verdict::correct || v == Verdict::correct_rounded; }

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
AnswerItem choice_item(std::string key, std::string description, std::vector<std::string> accepted,
                       std::vector<std::string> rejected) {
  AnswerItem i;
  i.key = std::move(key);
  i.description = std::move(description);
  i.kind = ItemKind::choice;
  i.symbols = std::move(accepted);
  i.rejected = std::move(rejected);
  return i;
}

nlohmann::json AnswerItem::expected_json() const {
  using nlohmann::json;
  if (!alternatives.empty()) {
    json j = json::object();
    for (const auto& a : alternatives)
      if (a.accepted) j[a.label] = a.value;
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
  return std::all_of(items.begin(), items.end(),
                     [](const ItemResult& r) { return is_correct(r.verdict) || r.verdict == Verdict::skipped; });
}
int GradeResult::exit_code() const {
  bool unreadable = lines_unreadable || std::any_of(items.begin(), items.end(), [](const ItemResult& r) {
                      return r.verdict == Verdict::unreadable;
                    });
  return unreadable ? 2 : all_correct() ? 0 : 1;
}

double GradeResult::score() const {
  double s = 0;
  for (const auto& r : items) s += r.score;
  return s;
}
double GradeResult::max_score() const {
  double s = 0;
  for (const auto& r : items) s += r.max_score;
  return s;
}

GradeResult grade(const std::vector<AnswerItem>& expected, const AnswerFile& answers, const GradeOptions& options) {
  GradeResult g;
  g.file = answers.path;
  g.notes = answers.notes;
  std::set<std::string> used;
  std::set<int> problem_lines_used;
  StudentContext ctx;
  StudentValues& mine = ctx.mine;
  for (const AnswerItem& item : expected)
    if (item.kind == ItemKind::numeric && item.alternatives.empty()) {
      ctx.basis[item.key] = item.numbers;
      double half = options.rounding ? 0.5 * std::pow(10.0, -options.min_decimals) : 0.0;
      ctx.basis_half[item.key] = std::vector<double>(item.numbers.size(), half);
    }
  for (const AnswerItem& item : expected)
    if (const std::string* k = find_key(item, expected, answers); k && item.kind == ItemKind::numeric) {
      std::vector<std::int64_t> shape;
      try {
        std::vector<double> v;
        auto tokens = answers.entries.at(*k).flatten(shape, answers.path);
        for (const auto& t : tokens) {
          double x;
          if (!parse_number(t, x)) throw AnswerFileError("");
          v.push_back(x);
        }
        mine[item.key] = v;
        ctx.mine_half[item.key] = half_units(item, tokens, options);
      } catch (const AnswerFileError&) {
      }
    }
  for (const AnswerItem& item : expected) {
    ItemResult r;
    r.key = item.key;
    r.answer = compact(item.expected_json());
    r.max_score = item.optional ? 0.0 : item.points;
    const std::string* k = find_key(item, expected, answers);
    // An unreadable line whose key is this item's.
    const LineProblem* problem = nullptr;
    for (const auto& p : answers.problems)
      if (!p.key.empty() && normalize_key(p.key) == normalize_key(item.key) && (!k || answers.key_lines.at(*k) < p.line))
        problem = &p;
    if (problem) {
      problem_lines_used.insert(problem->line);
      used.insert(problem->key);
      r.verdict = item.optional ? Verdict::skipped : Verdict::unreadable;
      r.line = problem->line;
      r.feedback = fmt::format("line {} could not be read: {}. Accepted here: {}", problem->line, problem->message,
                               accepted_forms(item));
      g.items.push_back(r);
      continue;
    }
    if (!k && answers.entries.empty() && !answers.problems.empty() && answers.problems.front().key.empty() &&
        answers.problems.size() == 1) {  // the whole file was refused (JSON that does not parse): say so per item
      r.verdict = item.optional ? Verdict::skipped : Verdict::unreadable;
      r.line = answers.problems.front().line;
      r.feedback = excerpt(answers.problems.front().message, 300);
      problem_lines_used.insert(r.line);
      g.items.push_back(r);
      continue;
    }
    if (!k) {
      r.verdict = item.optional ? Verdict::skipped : Verdict::missing;
      r.feedback = fmt::format("no line '{} = ...'", item.key);
      g.items.push_back(r);
      continue;
    }
    used.insert(*k);
    const AnswerValue& value = answers.entries.at(*k);
    r.line = answers.key_lines.at(*k);
    r.written = excerpt(value.text(), 200);
    if (*k != item.key)
      g.notes.push_back(fmt::format("line {}: '{}' read as '{}'", r.line, *k, item.key));
    std::vector<std::int64_t> shape;
    std::vector<std::string> tokens;
    if (value.is_placeholder()) {
      r.verdict = item.optional ? Verdict::skipped : Verdict::missing;
      r.feedback = "not answered ('?')";
      g.items.push_back(r);
      continue;
    }
    std::string read_as;  // how a sentence was read, for the feedback
    bool single = squeeze(item.shape).empty() && (item.kind == ItemKind::numeric || item.kind == ItemKind::symbolic);
    if (!item.transpose_of.empty() && written_as_transpose(value, item.transpose_of)) {
      const ItemResult* of = nullptr;
      for (const auto& done : g.items)
        if (done.key == item.transpose_of) of = &done;
      r.verdict = Verdict::incorrect;
      if (!item.transpose_credit) {
        r.feedback = fmt::format("read as the transpose of your {}; this rubric asks for B's entries written out", item.transpose_of);
      } else if (of && is_correct(of->verdict)) {
        r.verdict = Verdict::correct;
        r.score = r.max_score;
        r.feedback = fmt::format("read as the transpose of your {}, which is correct", item.transpose_of);
      } else {
        r.feedback = fmt::format("read as the transpose of your {}, which is {}", item.transpose_of,
                                 of && of->verdict != Verdict::missing ? "not correct" : "missing");
      }
      g.items.push_back(r);
      continue;
    }
    if (is_sentence(value) && (item.kind == ItemKind::choice)) {
      collect_leaves(value, tokens);  // "transpose(A)", "Yes, it is a (full) convolution": every word counts
    } else if (is_sentence(value) && item.kind == ItemKind::shape) {
      tokens = sentence_shape(item, value);
      std::vector<std::string> all;
      collect_leaves(value, all);
      if (tokens.empty()) tokens = all;
      else if (tokens.size() < all.size()) read_as = fmt::format(" (read [{}]; the words after it are ignored)", fmt::join(tokens, ", "));
    } else if (is_sentence(value) && single && item.kind == ItemKind::numeric) {
      tokens = sentence_numbers(value);
      if (tokens.size() > 1) {
        r.verdict = item.optional ? Verdict::skipped : Verdict::incorrect;
        r.feedback = fmt::format("give one answer: your line has {} values ({})", tokens.size(),
                                 excerpt(fmt::format("{}", fmt::join(tokens, ", ")), 40));
        g.items.push_back(r);
        continue;
      }
      std::vector<std::string> all;
      collect_leaves(value, all);
      bool words = std::any_of(all.begin(), all.end(), [](const std::string& t) { double x; return !parse_number(t, x); });
      if (tokens.empty()) tokens = all;
      else read_as = fmt::format(" (read {}{})", excerpt(tokens[0], 24), words ? "; the words around it are ignored" : "");
    } else if (is_sentence(value) && !single &&
               std::count_if(value.items.begin(), value.items.end(), [](const AnswerValue& i) { return i.is_list; }) == 1) {
      for (const auto& i : value.items)  // "[0.7, 1] (rounded)": the one list, words around it ignored
        if (i.is_list) tokens = i.flatten(shape, answers.path);
    } else {
      try {
        tokens = value.flatten(shape, answers.path);
      } catch (const AnswerFileError&) {
        r.verdict = item.optional ? Verdict::skipped : Verdict::unreadable;
        r.feedback = real_matrix(value)
                         ? fmt::format("line {}: the rows have different lengths (a matrix needs rows of equal length). "
                                       "Accepted here: {}", r.line, accepted_forms(item))
                         : fmt::format("line {}: '{}' mixes a value with words or a parenthesis and cannot be read as "
                                       "one answer. Accepted here: {}", r.line, excerpt(value.text(), 40), accepted_forms(item));
        g.items.push_back(r);
        continue;
      }
    }
    ItemResult graded;
    switch (item.kind) {
      case ItemKind::numeric: graded = grade_numeric(item, tokens, shape, options, ctx); break;
      case ItemKind::symbolic: graded = grade_symbolic(item, tokens, shape); break;
      case ItemKind::shape: graded = grade_shape(item, tokens); break;
      case ItemKind::choice: graded = grade_choice(item, tokens); break;
    }
    r.verdict = graded.verdict;
    r.feedback = graded.feedback + (graded.verdict == Verdict::correct || graded.verdict == Verdict::correct_rounded ? read_as : "");
    if (is_correct(r.verdict) && !graded.follow_through && mine.count(item.key) && ctx.basis.count(item.key) &&
        mine[item.key].size() == ctx.basis[item.key].size()) {  // carried on as the student wrote it
      ctx.basis[item.key] = mine[item.key];
      ctx.basis_half[item.key] = ctx.mine_half[item.key];
    }
    r.max_difference = graded.max_difference;
    if (is_correct(r.verdict)) r.score = r.max_score;
    if (r.verdict == Verdict::partial) r.score = r.max_score * graded.score;
    g.items.push_back(r);
  }
  std::vector<std::string> known;
  for (const auto& i : expected) known.push_back(i.key);
  for (const auto& [key, line] : answers.key_lines) {
    if (used.count(key)) continue;
    const std::string spelled = normalize_key(key);  // (a structured binding cannot be captured in C++20)
    auto same = std::find_if(expected.begin(), expected.end(),
                             [&](const AnswerItem& i) { return normalize_key(i.key) == spelled; });
    if (same != expected.end()) {  // another spelling of a key that was graded: one note, no "unknown key"
      const ItemResult* graded = nullptr;
      for (const auto& r : g.items)
        if (r.key == same->key) graded = &r;
      if (!answers.entries.at(key).is_placeholder() && graded && graded->line != line)
        g.notes.push_back(fmt::format("'{}' is answered on lines {} and {}: line {} is graded", same->key,
                                      std::min(line, graded->line), std::max(line, graded->line), graded->line));
      continue;
    }
    std::string best;
    std::size_t best_d = 3;
    for (const auto& k : known) {
      std::size_t d = edit_distance(normalize_key(key), normalize_key(k));
      if (d < best_d) { best_d = d; best = k; }
    }
    g.warnings.push_back(best.empty()
                             ? fmt::format("line {}: unknown key '{}' ignored (the keys are: {})", line, key,
                                           fmt::join(known, ", "))
                             : fmt::format("line {}: unknown key '{}' ignored; did you mean '{}'?", line, key, best));
  }
  for (const auto& p : answers.problems)
    if (!problem_lines_used.count(p.line)) g.warnings.push_back(fmt::format("line {} could not be read: {}", p.line, p.message));
  g.lines_unreadable = !answers.problems.empty();
  const std::size_t kMaxMessages = 20;  // a file of thousands of bad lines must not make a huge results.json
  for (auto* list : {&g.warnings, &g.notes})
    if (list->size() > kMaxMessages) {
      std::size_t more = list->size() - kMaxMessages;
      list->resize(kMaxMessages);
      list->push_back(fmt::format("... and {} more like these", more));
    }
  return g;
}

}  // namespace gl::ex
