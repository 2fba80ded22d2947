// Jinja lexer: template source → tokens, applying whitespace control the way Hugging Face
// configures Jinja2 (trim_blocks, lstrip_blocks, `{%-`/`-%}`, `{%+`/`+%}`, no trailing newline).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace fulcrum::engine::chat {

enum class TokenType : uint8_t {
  kText,        // literal template data
  kVarBegin,    // {{
  kVarEnd,      // }}
  kBlockBegin,  // {%
  kBlockEnd,    // %}
  kName,
  kString,      // value already unescaped
  kInt,
  kFloat,
  kOp,          // operator or punctuation, text holds it
  kEof,
};

struct Token {
  TokenType type;
  std::string text;
  size_t line = 1;
};

struct LexOptions {
  bool trim_blocks = true;
  bool lstrip_blocks = true;
  bool keep_trailing_newline = false;
};

Result<std::vector<Token>> lex_template(std::string_view source, const LexOptions& options = {});

}  // namespace fulcrum::engine::chat
