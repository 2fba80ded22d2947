// The built-in filters, tests, methods (str/dict/list) and global functions of the interpreter,
// with the behaviour of Jinja2 3.1 in Hugging Face's sandboxed environment.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "engine/chat/jinja_interpreter.h"

namespace fulcrum::engine::chat {

bool is_filter_name(std::string_view name);
bool is_test_name(std::string_view name);
Result<Value> run_filter(Interpreter& in, std::string_view name, const Value& input,
                         CallArgs& args);
Result<bool> run_test(Interpreter& in, std::string_view name, const Value& v, CallArgs& args);

// obj.name(...) for str, dict, list and loop objects; has_method says whether it exists.
bool has_method(const Value& obj, std::string_view name);
Result<Value> call_method(Interpreter& in, const Value& obj, std::string_view name,
                          CallArgs& args);

bool is_global_function(std::string_view name);
Result<Value> call_global(Interpreter& in, std::string_view name, CallArgs& args);

// UTF-8 code points of s, each as its bytes (Python indexes strings by code point).
std::vector<std::string_view> utf8_chars(std::string_view s);
size_t utf8_length(std::string_view s);

}  // namespace fulcrum::engine::chat
