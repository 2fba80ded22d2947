// Python str semantics over UTF-8: case mapping (utf8proc), strip/split/replace/splitlines,
// str.format and printf-style % formatting, and the str methods templates call.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "engine/chat/jinja_interpreter.h"

namespace fulcrum::engine::chat {

bool is_py_space(uint32_t cp);
// chars == nullptr strips whitespace, as str.strip() with no argument.
std::string py_strip(std::string_view s, const std::string* chars, bool left, bool right);
std::string py_upper(std::string_view s);
std::string py_lower(std::string_view s);
std::string py_capitalize(std::string_view s);
std::string py_title(std::string_view s);  // str.title()
std::string py_replace(std::string_view s, std::string_view old, std::string_view repl,
                       int64_t count);
std::vector<std::string> py_splitlines(std::string_view s, bool keepends);
Result<std::string> percent_format(const std::string& fmt, const std::vector<Value>& args);

Result<Value> string_method(Interpreter& in, const std::string& s, std::string_view name,
                            CallArgs& args);

}  // namespace fulcrum::engine::chat
