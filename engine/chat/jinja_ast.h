// Jinja AST: expressions and statements as the parser builds them and the interpreter walks them.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/chat/jinja_value.h"

namespace fulcrum::engine::chat {

enum class ExprKind : uint8_t {
  kLiteral,   // literal (none/bool/int/float/str)
  kName,      // name
  kList,      // [items]
  kTuple,     // (items)
  kDict,      // {items[2i]: items[2i+1]}
  kGetAttr,   // a.name
  kGetItem,   // a[b]
  kSlice,     // a[items[0]:items[1]:items[2]] (null parts absent)
  kCall,      // a(items, kwargs)
  kFilter,    // a | name(items, kwargs)
  kTest,      // a is [not] name(items)
  kUnary,     // name ("-", "+", "not") a
  kBinary,    // a name b  (+ - * / // % ** ~ in, not in)
  kCompare,   // a ops[0] items[0] ops[1] items[1] ...
  kAnd,       // a and b
  kOr,        // a or b
  kCond,      // a if b else c
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind;
  size_t line = 0;
  Value literal;
  std::string name;
  bool negated = false;  // kTest: `is not`
  ExprPtr a, b, c;
  std::vector<ExprPtr> items;  // null entries allowed for kSlice
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
  std::vector<std::string> ops;  // kCompare
};

enum class StmtKind : uint8_t {
  kText,      // text
  kOutput,    // {{ expr }}
  kIf,        // branches, else_body
  kFor,       // targets in expr [if cond] body [else else_body]
  kSet,       // targets / target_expr = expr
  kSetBlock,  // {% set targets[0] [| filter] %}body{% endset %}
  kMacro,     // {% macro name(params) %}body{% endmacro %}
  kCallBlock, // {% call(params) expr %}body{% endcall %}
  kFilterBlock,
  kBreak,
  kContinue,
  kScope,  // a body run in a child scope ({% with %}), or inline ({% generation %})
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

struct Param {
  std::string name;
  ExprPtr default_value;  // may be null
};

struct Stmt {
  StmtKind kind;
  size_t line = 0;
  std::string text;                  // kText; kMacro name
  ExprPtr expr;                      // value / iterable / call / output / filter chain
  ExprPtr cond;                      // kFor: the `if` filter
  ExprPtr target_expr;               // kSet: ns.attr target (kGetAttr)
  std::vector<std::string> targets;  // kFor / kSet names
  bool unpack = false;               // targets were written as a tuple
  std::vector<std::pair<ExprPtr, Body>> branches;  // kIf
  Body body;
  Body else_body;
  std::vector<Param> params;  // kMacro / kCallBlock
  bool new_scope = true;      // kScope
  std::vector<std::pair<std::string, ExprPtr>> assigns;  // kScope ({% with a=1 %})
};

struct Template {
  Body body;
};

}  // namespace fulcrum::engine::chat
