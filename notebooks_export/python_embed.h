// Carrying gradlab's values into a notebook's Python code.
//
// The values travel as JSON text inside a raw triple-quoted string that the
// cell parses with json.loads, so that no hand-written Python literal can go
// wrong: the JSON is produced by nlohmann::json::dump (ASCII only), and every
// apostrophe in it (which JSON only allows inside string values) is rewritten
// as the JSON escape \u0027, so the text can never close the ''' string early.
// A backslash cannot end the text either: JSON text ends in } ] " a digit or a
// letter. The result reads like ordinary JSON to a student.
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace gl::notebook {

// "json.loads(r'''\n{...}\n''')": a Python expression whose value equals `value`
// (dicts, lists, str, int, float, bool, None). indent: as in json::dump.
std::string python_json_expression(const nlohmann::json& value, int indent = 1);

// "name = json.loads(r'''...''')\n".
std::string python_json_assignment(std::string_view name, const nlohmann::json& value, int indent = 1);

}  // namespace gl::notebook
