// Jinja interpreter: walks a parsed Template over a set of global variables and renders text.
// Every resource a template can consume is bounded (RenderLimits); exceeding a bound, a runtime
// error (undefined attribute of undefined, bad operand types) or raise_exception() ends the
// render with an Error whose message starts with the Python exception name Jinja would raise.
#pragma once

#include <ctime>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "engine/chat/jinja_ast.h"
#include "engine/chat/jinja_value.h"

namespace fulcrum::engine::chat {

struct RenderLimits {
  size_t max_output_bytes = 8u << 20;      // rendered text, and any one string built on the way
  int64_t max_steps = 2'000'000;           // loop iterations + calls + filter applications
  int max_call_depth = 48;                 // nested macro calls
  size_t max_objects = 1'000'000;          // lists, dicts, scopes made by the template
  size_t max_items = 1'000'000;            // items in one list (range(), list * n)
  uint64_t max_string_bytes = 256u << 20;  // bytes of all the strings one render makes
};

struct Scope {
  Scope* parent = nullptr;
  std::vector<std::pair<std::string, Value>> vars;
  Value* find(std::string_view name);
  void set(std::string_view name, Value v);
};

struct CallArgs {
  std::vector<Value> pos;
  std::vector<std::pair<std::string, Value>> kw;
  // Positional i, else keyword `name`, else nullptr.
  const Value* get(size_t i, std::string_view name) const;
};

class Interpreter {
 public:
  Interpreter(const RenderLimits& limits, Heap* heap);

  void set_global(std::string_view name, Value v) { globals_.set(name, std::move(v)); }
  void set_now(const std::tm& now) { now_ = now; }
  Result<std::string> render(const Template& tpl);

  // ---- used by the built-in filters, tests and methods ----
  Heap& heap() { return *heap_; }
  const RenderLimits& limits() const { return limits_; }
  const std::tm& now() const { return now_; }
  Status charge(int64_t steps);
  Status check_size(size_t bytes) const;
  Result<Value> make_list(std::vector<Value> items, ListFlavor flavor = ListFlavor::kList);
  Result<Value> call(const Value& callee, CallArgs& args);
  Result<Value> apply_filter(std::string_view name, const Value& input, CallArgs& args);
  Result<bool> apply_test(std::string_view name, const Value& v, CallArgs& args);
  // obj.name as Jinja's getattr resolves it (attribute, then item); undefined when absent.
  Result<Value> get_attr(const Value& obj, const std::string& name);
  Result<Value> get_item(const Value& obj, const Value& key);
  // The items a for loop / list() sees; errors for non-iterables.
  Result<std::vector<Value>> iterate(const Value& v);

 private:
  enum class Flow { kNormal, kBreak, kContinue };

  Result<Scope*> new_scope(Scope* parent);
  Result<Flow> exec_body(const Body& body, Scope* scope, std::string* out);
  Result<Flow> exec(const Stmt& s, Scope* scope, std::string* out);
  Result<Flow> exec_for(const Stmt& s, Scope* scope, std::string* out);
  Status exec_set(const Stmt& s, Scope* scope);
  Status exec_filter_block(const Stmt& s, Scope* scope, std::string* out);
  Status exec_call_block(const Stmt& s, Scope* scope, std::string* out);
  Status assign(const std::vector<std::string>& targets, bool unpack, const Value& v, Scope* scope);
  Status append_output(std::string* out, std::string_view text);

  Result<Value> eval(const Expr& e, Scope* scope);
  Result<Value> eval_name(const Expr& e, Scope* scope);
  Result<Value> eval_call(const Expr& e, Scope* scope, const Value* caller);
  Status eval_args(const Expr& e, Scope* scope, CallArgs* args);
  Result<Value> eval_filter(const Expr& e, Scope* scope, const Value* placeholder);
  Result<Value> eval_binary(const std::string& op, const Value& a, const Value& b);
  Result<Value> eval_compare(const Expr& e, Scope* scope);
  Result<Value> eval_slice(const Expr& e, Scope* scope);
  Result<Value> eval_literal_collection(const Expr& e, Scope* scope);
  Result<Value> call_macro(const CallableData& fn, CallArgs& args, const Value* caller);
  Result<Value> bound_method(const Value& obj, const std::string& name);
  Result<bool> contains(const Value& container, const Value& item);

  RenderLimits limits_;
  Heap* heap_;
  Scope globals_;
  std::deque<Scope> scopes_;
  std::tm now_{};
  int64_t steps_ = 0;
  int call_depth_ = 0;
  uint64_t string_bytes_base_ = 0;  // string_bytes_made() when the render began
};

// Errors the way Jinja names them ("UndefinedError: 'x' is undefined").
Error undefined_error(const Value& undefined);
Error jinja_error(std::string_view kind, std::string message);

}  // namespace fulcrum::engine::chat
