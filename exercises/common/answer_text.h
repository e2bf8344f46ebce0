// What students' editors put in a text file, made plain before parsing: a UTF-8
// byte-order mark (Notepad), CRLF or CR line ends, and the Unicode a PDF pastes
// (minus sign U+2212, dashes, the times sign, non-breaking spaces, curly quotes,
// superscript/subscript digits, Greek delta). Every replacement keeps the line
// structure, so line numbers stay those of the student's file, and is noted
// ("Unicode minus signs read as '-' (lines 3, 5)") for the feedback. Characters
// with no ASCII reading are left in place; the parser reports them legibly.
#pragma once
#include <string>
#include <vector>

namespace gl::ex {

struct PlainText {
  std::string text;                 // ASCII except the characters that have no reading
  std::vector<std::string> notes;   // what was read leniently, for the feedback
};

PlainText make_plain(const std::string& raw);

// UTF-16 and UTF-32 text (Windows editors: "Unicode" in Notepad) as UTF-8, found by its byte-order mark
// (or, for UTF-16 without one, by a NUL in every other byte). `note` says what was decoded; text that is
// not one of these comes back unchanged with `note` empty.
std::string wide_to_utf8(const std::string& raw, std::string& note);

// The UTF-8 character starting at text[pos], named for a student: "'é' (U+00E9)";
// an invalid byte is named by its value ("byte 0xEF, not valid UTF-8"). `length` gets its byte count.
std::string describe_character(const std::string& text, std::size_t pos, std::size_t& length);

}  // namespace gl::ex
