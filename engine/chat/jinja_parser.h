// Jinja parser: tokens → AST (Template). Syntax errors are kParse errors with the line.
#pragma once

#include <memory>
#include <string_view>

#include "core/result.h"
#include "engine/chat/jinja_ast.h"
#include "engine/chat/jinja_lexer.h"

namespace fulcrum::engine::chat {

// Nesting bound for expressions and blocks, so a hostile template cannot overflow the stack.
inline constexpr int kMaxParseDepth = 96;

Result<std::unique_ptr<Template>> parse_template(std::string_view source,
                                                 const LexOptions& options = {});

}  // namespace fulcrum::engine::chat
