// How students spell symbols and keys, normalised for comparison (grade.h).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <regex>

#include "exercises/common/grade.h"
#include "exercises/common/report.h"

namespace gl::ex {
namespace {

std::string lower_without(const std::string& s, const std::string& drop) {
  std::string out;
  for (char c : s)
    if (drop.find(c) == std::string::npos) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

// w followed by index groups: bare digits, ^{..}, _{..}, ^(..), _.. -> "w<ij>_<k>", or "" if it is not a weight.
std::string canonical_weight(const std::string& s) {
  if (s.size() < 2 || s[0] != 'w') return "";
  struct Group { char mark; std::string digits; };
  std::vector<Group> groups;
  std::size_t i = 1;
  while (i < s.size()) {
    char mark = ' ';
    if (s[i] == '^' || s[i] == '_') mark = s[i++];
    std::string content;
    if (i < s.size() && (s[i] == '{' || s[i] == '(')) {
      char close = s[i] == '{' ? '}' : ')';
      int depth = 0;
      for (; i < s.size(); ++i) {
        if (s[i] == '{' || s[i] == '(') ++depth;
        if ((s[i] == '}' || s[i] == ')') && --depth == 0 && s[i] == close) break;
        if (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == ',') content.push_back(s[i]);
        else if (s[i] != '{' && s[i] != '(' && s[i] != ')' && s[i] != '}' && s[i] != ' ') return "";
      }
      if (i >= s.size()) return "";
      ++i;
    } else {
      while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == ',')) content.push_back(s[i++]);
    }
    if (content.empty()) return "";
    groups.push_back({mark, content});
  }
  std::string ij, k;
  auto split = [](const std::string& c, std::string& a, std::string& b) {  // "12,3" or "1,2,3"
    auto last = c.rfind(',');
    a = c.substr(0, last);
    b = c.substr(last + 1);
  };
  // "1,2" is the pair 12; "1,12" stays (channels above 9 keep their comma, as the checker writes them).
  auto pair = [](std::string a) {
    static const std::regex single_digits(R"(^\d(,\d)*$)");
    if (a.size() < 20 && std::regex_match(a, single_digits)) a.erase(std::remove(a.begin(), a.end(), ','), a.end());
    return a;
  };
  if (groups.size() == 1) {
    if (groups[0].digits.find(',') == std::string::npos) return "";
    split(groups[0].digits, ij, k);
  } else if (groups.size() == 2) {
    // The superscript (or the bare/first group) holds the channel pair ij, the other the tap k.
    int sup = groups[0].mark == '^' ? 0 : groups[1].mark == '^' ? 1 : 0;
    if (groups[0].digits.size() != groups[1].digits.size() && groups[0].digits.find(',') == std::string::npos &&
        groups[1].digits.find(',') == std::string::npos)  // w_{12}^{3}: the pair of channel digits is ij anyway
      sup = groups[0].digits.size() > groups[1].digits.size() ? 0 : 1;
    ij = groups[sup].digits;
    k = groups[1 - sup].digits;
    if (k.find(',') != std::string::npos) return "";
  } else {
    return "";
  }
  if (ij.empty() || k.empty()) return "";
  return fmt::format("w{}_{}", pair(ij), k);
}

}  // namespace

std::string normalize_symbol(const std::string& raw) {
  std::string s = lower_without(raw, " *\t");
  while (s.size() > 1 && std::string(".!,;:").find(s.back()) != std::string::npos) s.pop_back();
  std::string w = canonical_weight(s);
  if (!w.empty()) return w;
  std::string out;
  for (char c : s)
    if (c != '^' && c != '{' && c != '}') out.push_back(c);
  double v;  // "0", "0.0", "-0" are the same zero
  if (parse_number(out, v)) return num(v);
  return out;
}

std::string normalize_key(const std::string& s) {
  std::string out;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c))) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

}  // namespace gl::ex
