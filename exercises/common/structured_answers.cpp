// JSON, Python-dict and YAML answer files rewritten as answer-file lines (structured_answers.h).
#include "exercises/common/structured_answers.h"

#include <fmt/format.h>

#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <vector>

namespace gl::ex {
namespace {

std::string trim(const std::string& s) {
  std::size_t a = s.find_first_not_of(" \t\r"), b = s.find_last_not_of(" \t\r");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream ss(text);
  for (std::string l; std::getline(ss, l);) lines.push_back(l);
  return lines;
}

// "ex2", "Problem 2", "p2": the section a top-level key names, or "".
std::string section_of(const std::string& key) {
  static const std::regex name(R"(^\s*(?:ex|exercise|problem|p|q)?[ _-]?0*([1-9])\s*$)", std::regex::icase);
  std::smatch m;
  return key.size() < 20 && std::regex_match(key, m, name) ? "ex" + m[1].str() : "";
}

// A Python literal as JSON: quotes, True/False/None, tuples, array constructors, bare words, trailing commas.
std::string python_to_json(const std::string& s) {
  std::string out;
  auto drop_trailing_comma = [&] {
    std::size_t p = out.find_last_not_of(" \t\r\n");
    if (p != std::string::npos && out[p] == ',') out.erase(p);
  };
  for (std::size_t i = 0; i < s.size();) {
    char c = s[i];
    if (c == '"' || c == '\'') {
      out += '"';
      for (++i; i < s.size() && s[i] != c; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) { out += s[i]; out += s[++i]; continue; }
        out += s[i] == '"' ? std::string("\\\"") : s[i] == '\n' ? std::string(" ") : std::string(1, s[i]);
      }
      out += '"';
      ++i;
      continue;
    }
    if (c == '#') { while (i < s.size() && s[i] != '\n') ++i; continue; }
    if (c == '(' || c == '[') { out += '['; ++i; continue; }
    if (c == ')' || c == ']' || c == '}') { drop_trailing_comma(); out += c == '}' ? '}' : ']'; ++i; continue; }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t start = i;
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' || s[i] == '.')) ++i;
      std::string w = s.substr(start, i - start);
      std::size_t next = s.find_first_not_of(" \t", i);
      if (next != std::string::npos && s[next] == '(') { i = next; continue; }  // np.array(...): the list inside
      if (w == "True" || w == "true") out += "true";
      else if (w == "False" || w == "false") out += "false";
      else if (w == "None" || w == "null") out += "null";
      else out += '"' + w + '"';
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

std::string value_text(const nlohmann::json& v) {
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    for (char& c : s)
      if (c == '\n' || c == '\r') c = ' ';
    return trim(s).empty() ? "?" : s;
  }
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_null() || v.is_object()) return "?";
  if (v.is_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + value_text(v[i]);
    return out + "]";
  }
  return v.dump();
}

void emit_object(const nlohmann::json& obj, const std::string& prefix, std::string& out) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it->is_object()) emit_object(*it, key, out);
    else out += key + " = " + value_text(*it) + "\n";
  }
}

std::optional<StructuredText> read_json_like(const std::string& text, std::size_t brace) {
  bool python = text.find('\'') != std::string::npos || text.find("True") != std::string::npos ||
                text.find("None") != std::string::npos || text.find('(') != std::string::npos;
  std::string body = text.substr(brace);
  auto j = nlohmann::json::parse(body, nullptr, false, true);
  if (j.is_discarded()) j = nlohmann::json::parse(python_to_json(body), nullptr, false, true);
  const char* what = brace > 0 || python ? "a Python dict" : "a JSON object";
  StructuredText out;
  if (j.is_discarded() || !j.is_object()) {
    out.problem = fmt::format("the file looks like {} but cannot be read as one (check its brackets, quotes and "
                              "commas); or write one 'key = value' per line as in the template",
                              what);
    return out;
  }
  out.note = fmt::format("the file was read as {} (nested keys joined by '.')", what);
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string section = it->is_object() ? section_of(it.key()) : "";
    if (section.empty()) continue;
    out.text += "[" + section + "]\n";
    emit_object(*it, "", out.text);
  }
  nlohmann::json rest = nlohmann::json::object();
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!it->is_object() || section_of(it.key()).empty()) rest[it.key()] = *it;
  std::string flat;
  emit_object(rest, "", flat);
  out.text = flat + out.text;
  return out;
}

// A YAML flow mapping "{a: 1, b: [2, 3]}" as "p.a = 1, p.b = [2, 3]" (entries on one line; answer_file splits them).
std::string flow_mapping(const std::string& prefix, const std::string& body) {
  std::vector<std::string> parts;
  int depth = 0;
  std::string cur;
  for (char c : body) {
    if (c == '[' || c == '{' || c == '(') ++depth;
    if (c == ']' || c == '}' || c == ')') --depth;
    if (c == ',' && depth == 0) { parts.push_back(cur); cur.clear(); continue; }
    cur += c;
  }
  parts.push_back(cur);
  std::string out;
  for (const auto& p : parts) {
    std::size_t colon = p.find(':');
    if (colon == std::string::npos) continue;
    std::string k = trim(p.substr(0, colon)), v = trim(p.substr(colon + 1));
    std::string key = prefix + "." + k;
    std::string entry = v.size() >= 2 && v.front() == '{' && v.back() == '}' ? flow_mapping(key, v.substr(1, v.size() - 2))
                                                                            : key + " = " + v;
    out += (out.empty() ? "" : ", ") + entry;
  }
  return out;
}

std::string unquote(std::string v) {
  v = trim(v);
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
  return v;
}

std::string strip_yaml_comment(const std::string& line) {
  for (std::size_t p = line.find('#'); p != std::string::npos; p = line.find('#', p + 1))
    if (p == 0 || line[p - 1] == ' ' || line[p - 1] == '\t') return line.substr(0, p);
  return line;
}

struct Level {
  std::size_t indent;
  std::string key;  // "" for an [exN] section
};
std::string joined(const std::vector<Level>& stack) {
  std::string full;
  for (const auto& l : stack)
    if (!l.key.empty()) full += (full.empty() ? "" : ".") + l.key;
  return full;
}

// YAML when no line has '=' and some key opens a nested block, a block list or a flow mapping.
std::optional<StructuredText> read_yaml(const std::vector<std::string>& lines) {
  static const std::regex key_line(R"(^([A-Za-z_][A-Za-z0-9_. ^{}-]{0,39})\s*:\s*(.*)$)");
  bool nested = false;
  for (const auto& raw : lines) {
    std::string t = trim(strip_yaml_comment(raw));
    if (t.find('=') != std::string::npos) return std::nullopt;
    std::smatch m;
    if (t.rfind("- ", 0) == 0 || t == "-") nested = true;
    if (std::regex_match(t, m, key_line) && (m[2].str().empty() || m[2].str().front() == '{')) nested = true;
  }
  if (!nested) return std::nullopt;
  std::vector<Level> stack;
  std::vector<std::string> out(lines.size());
  std::map<std::size_t, std::string> item_key;  // a block-list item's line -> its key
  std::vector<bool> structural(lines.size(), false);  // key lines and list items
  std::map<std::size_t, std::string> parents;         // "key:" lines with nothing after the colon
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string content = strip_yaml_comment(lines[i]);
    std::string t = trim(content);
    if (t.empty() || t == "---") continue;
    std::size_t indent = content.find_first_not_of(" \t");
    if (t.rfind("- ", 0) == 0 || t == "-") {  // an item of the nearest open key's block list
      while (!stack.empty() && stack.back().indent > indent) stack.pop_back();
      out[i] = trim(t.substr(1));
      structural[i] = true;
      if (!joined(stack).empty()) item_key[i] = joined(stack);
      continue;
    }
    std::smatch m;
    if (!std::regex_match(t, m, key_line)) { out[i] = t; continue; }
    while (!stack.empty() && stack.back().indent >= indent) stack.pop_back();
    structural[i] = true;
    std::string k = trim(m[1].str()), v = trim(m[2].str());
    std::string full = joined(stack);
    if (stack.empty() && !section_of(k).empty() && v.empty()) {  // ex2: a section of its own
      out[i] = "[" + section_of(k) + "]";
      stack.push_back({indent, ""});
      continue;
    }
    std::string key = full.empty() ? k : full + "." + k;
    if (v.empty()) {
      stack.push_back({indent, k});
      parents[i] = key;
      continue;
    }
    out[i] = v.size() >= 2 && v.front() == '{' && v.back() == '}' ? flow_mapping(key, v.substr(1, v.size() - 2))
                                                                   : key + " = " + unquote(v);
  }
  // A parent whose next line is no key and no list item holds a value spread over lines (dW1:\n [[1, 2], ...).
  for (const auto& [line, key] : parents) {
    std::size_t j = line + 1;
    while (j < lines.size() && trim(strip_yaml_comment(lines[j])).empty()) ++j;
    if (j < lines.size() && !structural[j]) out[line] = key + " =";
  }
  // Block lists: "key = [item," .. "item]" on the items' own lines.
  std::map<std::string, std::vector<std::size_t>> by_key;
  for (const auto& [line, key] : item_key) by_key[key].push_back(line);
  for (const auto& [key, ls] : by_key)
    for (std::size_t n = 0; n < ls.size(); ++n)
      out[ls[n]] = (n == 0 ? key + " = [" : std::string()) + out[ls[n]] + (n + 1 == ls.size() ? "]" : ",");
  StructuredText st;
  st.note = "the file was read as YAML (nested keys joined by '.')";
  for (const auto& l : out) st.text += l + "\n";
  return st;
}

}  // namespace

std::optional<StructuredText> convert_structured(const std::string& text) {
  std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return std::nullopt;
  if (text[first] == '{') return read_json_like(text, first);
  static const std::regex assignment(R"(^\s*[A-Za-z_][A-Za-z0-9_]*\s*=\s*\{)");
  std::smatch m;
  std::string head = text.substr(first, 80);
  if (std::regex_search(head, m, assignment)) return read_json_like(text, first + head.find('{'));
  return read_yaml(split_lines(text));
}

}  // namespace gl::ex
