// Plain text out of what editors and PDFs produce (answer_text.h).
#include "exercises/common/answer_text.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

namespace gl::ex {
namespace {

// Decodes one UTF-8 sequence at text[pos]; returns the code point or -1 (invalid), sets `length`.
long decode_utf8(const std::string& text, std::size_t pos, std::size_t& length) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char b = byte(pos);
  length = 1;
  if (b < 0x80) return b;
  int extra = (b & 0xE0) == 0xC0 ? 1 : (b & 0xF0) == 0xE0 ? 2 : (b & 0xF8) == 0xF0 ? 3 : -1;
  if (extra < 0) return -1;
  long cp = b & (0x3F >> extra);
  for (int i = 1; i <= extra; ++i) {
    if (pos + i >= text.size() || (byte(pos + i) & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (byte(pos + i) & 0x3F);
  }
  length = static_cast<std::size_t>(extra) + 1;
  return cp;
}

struct Reading {
  const char* ascii;
  const char* name;  // for the note
};

// Code points with an ASCII reading. Superscript and subscript digits are handled apart (runs -> ^{..} / _{..}).
const std::map<long, Reading>& readings() {
  static const std::map<long, Reading> r = {
      {0x2212, {"-", "Unicode minus signs"}},  {0x2010, {"-", "hyphens"}},       {0x2011, {"-", "hyphens"}},
      {0x2012, {"-", "dashes"}},               {0x2013, {"-", "dashes"}},        {0x2014, {"-", "dashes"}},
      {0xFE63, {"-", "small minus signs"}},    {0xFF0D, {"-", "full-width minus signs"}},
      {0x00D7, {"x", "times signs"}},          {0x22C5, {"*", "dot operators"}}, {0x00B7, {"*", "middle dots"}},
      {0x00A0, {" ", "non-breaking spaces"}},  {0x2009, {" ", "thin spaces"}},   {0x202F, {" ", "narrow spaces"}},
      {0x2002, {" ", "wide spaces"}},          {0x2003, {" ", "wide spaces"}},   {0x200B, {"", "zero-width spaces"}},
      {0x2018, {"'", "curly quotes"}},         {0x2019, {"'", "curly quotes"}},  {0x201C, {"\"", "curly quotes"}},
      {0x201D, {"\"", "curly quotes"}},        {0x2032, {"'", "prime signs"}},   {0x2026, {"...", "ellipses"}},
      {0x03B4, {"delta", "Greek deltas"}},     {0x0394, {"Delta", "Greek deltas"}},
      {0x1D40, {"^T", "superscript T"}},       {0x2217, {"*", "asterisk operators"}},
      {0x2192, {"->", "arrows"}},              {0x27F6, {"->", "arrows"}},
  };
  return r;
}

int superscript_digit(long cp) {
  if (cp == 0x2070) return 0;
  if (cp == 0x00B9) return 1;
  if (cp == 0x00B2) return 2;
  if (cp == 0x00B3) return 3;
  if (cp >= 0x2074 && cp <= 0x2079) return static_cast<int>(cp - 0x2070);
  return -1;
}
int subscript_digit(long cp) { return cp >= 0x2080 && cp <= 0x2089 ? static_cast<int>(cp - 0x2080) : -1; }

void append_utf8(std::string& out, unsigned long cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Code units of `width` bytes from `start`, in the given byte order, as UTF-8 (surrogate pairs joined).
std::string decode_units(const std::string& raw, std::size_t start, int width, bool little) {
  std::string out;
  out.reserve(raw.size() / width);
  auto unit = [&](std::size_t p) {
    unsigned long u = 0;
    for (int b = 0; b < width; ++b) {
      unsigned long byte = static_cast<unsigned char>(raw[p + b]);
      u |= byte << (8 * (little ? b : width - 1 - b));
    }
    return u;
  };
  for (std::size_t p = start; p + width <= raw.size(); p += width) {
    unsigned long cp = unit(p);
    if (width == 2 && cp >= 0xD800 && cp <= 0xDBFF && p + 2 * width <= raw.size()) {
      unsigned long lo = unit(p + width);
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        p += width;
      }
    }
    append_utf8(out, cp);
  }
  return out;
}

}  // namespace

std::string wide_to_utf8(const std::string& raw, std::string& note) {
  note.clear();
  auto starts = [&](const char* bom, std::size_t n) { return raw.size() >= n && raw.compare(0, n, bom, n) == 0; };
  const char* how = " (save the file as UTF-8 next time: in Notepad, 'Save as', Encoding 'UTF-8')";
  if (starts("\xFF\xFE\0\0", 4)) { note = std::string("the file is UTF-32 (little-endian); it was decoded") + how; return decode_units(raw, 4, 4, true); }
  if (starts("\0\0\xFE\xFF", 4)) { note = std::string("the file is UTF-32 (big-endian); it was decoded") + how; return decode_units(raw, 4, 4, false); }
  if (starts("\xFF\xFE", 2)) { note = std::string("the file is UTF-16 (little-endian); it was decoded") + how; return decode_units(raw, 2, 2, true); }
  if (starts("\xFE\xFF", 2)) { note = std::string("the file is UTF-16 (big-endian); it was decoded") + how; return decode_units(raw, 2, 2, false); }
  if (raw.size() >= 4 && raw.size() % 2 == 0) {  // UTF-16 without a mark: ASCII with a NUL after (or before) each byte
    std::size_t n = std::min<std::size_t>(raw.size(), 64), zero_odd = 0, zero_even = 0;
    for (std::size_t i = 0; i < n; ++i) (i % 2 ? zero_odd : zero_even) += raw[i] == '\0';
    if (zero_odd == n / 2 && zero_even == 0) { note = std::string("the file is UTF-16 (little-endian, no byte-order mark); it was decoded") + how; return decode_units(raw, 0, 2, true); }
    if (zero_even == n / 2 && zero_odd == 0) { note = std::string("the file is UTF-16 (big-endian, no byte-order mark); it was decoded") + how; return decode_units(raw, 0, 2, false); }
  }
  return raw;
}

std::string describe_character(const std::string& text, std::size_t pos, std::size_t& length) {
  long cp = decode_utf8(text, pos, length);
  if (cp < 0) return fmt::format("byte 0x{:02X}, not valid UTF-8 (save the file as UTF-8 or plain ASCII)",
                                 static_cast<unsigned char>(text[pos]));
  if (cp < 0x20 || cp == 0x7F) return fmt::format("control character U+{:04X}", cp);
  return fmt::format("'{}' (U+{:04X})", text.substr(pos, length), cp);
}

PlainText make_plain(const std::string& input) {
  PlainText out;
  std::string wide_note;
  const std::string decoded = wide_to_utf8(input, wide_note);
  const std::string& raw = wide_note.empty() ? input : decoded;
  if (!wide_note.empty()) out.notes.push_back(wide_note);
  std::size_t pos = 0;
  if (raw.compare(0, 3, "\xEF\xBB\xBF") == 0) {
    out.notes.push_back("a UTF-8 byte-order mark at the start of the file (Notepad writes one) was skipped");
    pos = 3;
  }
  std::map<std::string, std::vector<int>> replaced;  // note name -> lines
  bool crlf = false;
  int line = 1;
  std::string& t = out.text;
  t.reserve(raw.size());
  while (pos < raw.size()) {
    char c = raw[pos];
    if (c == '\r') {  // CRLF or a lone CR (old Mac): one line end
      crlf = true;
      t.push_back('\n');
      ++line;
      pos += pos + 1 < raw.size() && raw[pos + 1] == '\n' ? 2 : 1;
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x80) {
      line += c == '\n';
      t.push_back(c);
      ++pos;
      continue;
    }
    std::size_t len;
    long cp = decode_utf8(raw, pos, len);
    if (superscript_digit(cp) >= 0 || subscript_digit(cp) >= 0) {  // a run of them: ^{12} or _{3}
      bool super = superscript_digit(cp) >= 0;
      std::string digits;
      while (pos < raw.size()) {
        long d = decode_utf8(raw, pos, len);
        int v = super ? superscript_digit(d) : subscript_digit(d);
        if (v < 0) break;
        digits.push_back(static_cast<char>('0' + v));
        pos += len;
      }
      t += fmt::format("{}{{{}}}", super ? '^' : '_', digits);
      replaced[super ? "superscript digits" : "subscript digits"].push_back(line);
      continue;
    }
    auto it = readings().find(cp);
    if (it != readings().end()) {
      t += it->second.ascii;
      replaced[it->second.name].push_back(line);
    } else {
      t.append(raw, pos, len);  // no reading: the parser reports it where it matters
    }
    pos += len;
  }
  if (crlf) out.notes.push_back("Windows (CRLF) line ends read as plain line ends");
  for (auto& [name, lines] : replaced) {
    lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
    std::string ascii;
    for (const auto& [cp, r] : readings())
      if (name == r.name) { ascii = r.ascii; break; }
    std::string as = ascii == " " ? "a space" : ascii.empty() ? "nothing" : "'" + ascii + "'";
    if (name == "superscript digits") as = "^{...}";
    if (name == "subscript digits") as = "_{...}";
    out.notes.push_back(fmt::format("{} read as {} (line{} {})", name, as, lines.size() > 1 ? "s" : "",
                                    fmt::join(lines, ", ")));
  }
  return out;
}

}  // namespace gl::ex
