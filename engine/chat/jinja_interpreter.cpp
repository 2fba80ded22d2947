#include "engine/chat/jinja_interpreter.h"

#include <cmath>
#include <limits>

#include "engine/chat/jinja_builtins.h"

namespace fulcrum::engine::chat {

Error undefined_error(const Value& undefined) {
  std::string hint = undefined.undefined_hint();
  if (hint.empty()) hint = "value is undefined";
  return jinja_error("UndefinedError", hint);
}

Error jinja_error(std::string_view kind, std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::string(kind) + ": " + message);
}

Value* Scope::find(std::string_view name) {
  for (auto& kv : vars)
    if (kv.first == name) return &kv.second;
  return nullptr;
}

void Scope::set(std::string_view name, Value v) {
  if (Value* existing = find(name)) {
    *existing = std::move(v);
    return;
  }
  vars.emplace_back(std::string(name), std::move(v));
}

const Value* CallArgs::get(size_t i, std::string_view name) const {
  if (i < pos.size()) return &pos[i];
  for (const auto& kv : kw)
    if (kv.first == name) return &kv.second;
  return nullptr;
}

Interpreter::Interpreter(const RenderLimits& limits, Heap* heap) : limits_(limits), heap_(heap) {}

Status Interpreter::charge(int64_t steps) {
  steps_ += steps;
  if (steps_ > limits_.max_steps) {
    return jinja_error("TemplateError", "template exceeded " + std::to_string(limits_.max_steps) +
                                            " steps (endless loop?)");
  }
  if (string_bytes_made() - string_bytes_base_ > limits_.max_string_bytes) {
    return jinja_error("TemplateError", "template made more than " +
                                            std::to_string(limits_.max_string_bytes) +
                                            " bytes of strings");
  }
  return {};
}

Status Interpreter::check_size(size_t bytes) const {
  if (bytes > limits_.max_output_bytes) {
    return jinja_error("TemplateError", "template output or string exceeded " +
                                            std::to_string(limits_.max_output_bytes) + " bytes");
  }
  return {};
}

Result<Value> Interpreter::make_list(std::vector<Value> items, ListFlavor flavor) {
  if (items.size() > limits_.max_items) {
    return jinja_error("TemplateError", "list longer than " + std::to_string(limits_.max_items));
  }
  FULCRUM_TRY(ListData * l, heap_->new_list(flavor));
  l->items = std::move(items);
  return Value::list(l);
}

Result<Scope*> Interpreter::new_scope(Scope* parent) {
  FULCRUM_TRY_STATUS(charge(1));
  if (scopes_.size() >= limits_.max_objects) {
    return jinja_error("TemplateError", "too many scopes");
  }
  scopes_.emplace_back();
  scopes_.back().parent = parent;
  return &scopes_.back();
}

Result<std::string> Interpreter::render(const Template& tpl) {
  steps_ = 0;
  call_depth_ = 0;
  string_bytes_base_ = string_bytes_made();
  FULCRUM_TRY(Scope * root, new_scope(&globals_));
  std::string out;
  FULCRUM_TRY(Flow flow, exec_body(tpl.body, root, &out));
  (void)flow;
  return out;
}

Status Interpreter::append_output(std::string* out, std::string_view text) {
  FULCRUM_TRY_STATUS(check_size(out->size() + text.size()));
  out->append(text);
  return {};
}

Result<Interpreter::Flow> Interpreter::exec_body(const Body& body, Scope* scope, std::string* out) {
  for (const auto& s : body) {
    FULCRUM_TRY(Flow f, exec(*s, scope, out));
    if (f != Flow::kNormal) return f;
  }
  return Flow::kNormal;
}

Result<Interpreter::Flow> Interpreter::exec(const Stmt& s, Scope* scope, std::string* out) {
  switch (s.kind) {
    case StmtKind::kText:
      FULCRUM_TRY_STATUS(append_output(out, s.text));
      return Flow::kNormal;
    case StmtKind::kOutput: {
      FULCRUM_TRY(Value v, eval(*s.expr, scope));
      FULCRUM_TRY_STATUS(append_output(out, v.str()));
      return Flow::kNormal;
    }
    case StmtKind::kIf:
      for (const auto& [cond, body] : s.branches) {
        FULCRUM_TRY(Value c, eval(*cond, scope));
        if (c.truthy()) return exec_body(body, scope, out);
      }
      return exec_body(s.else_body, scope, out);
    case StmtKind::kFor:
      return exec_for(s, scope, out);
    case StmtKind::kSet:
    case StmtKind::kSetBlock:
      FULCRUM_TRY_STATUS(exec_set(s, scope));
      return Flow::kNormal;
    case StmtKind::kMacro: {
      FULCRUM_TRY(CallableData * fn, heap_->new_callable());
      fn->name = s.text;
      fn->macro = &s;
      fn->closure = scope;
      scope->set(s.text, Value::callable(fn));
      return Flow::kNormal;
    }
    case StmtKind::kCallBlock:
      FULCRUM_TRY_STATUS(exec_call_block(s, scope, out));
      return Flow::kNormal;
    case StmtKind::kFilterBlock:
      FULCRUM_TRY_STATUS(exec_filter_block(s, scope, out));
      return Flow::kNormal;
    case StmtKind::kBreak:
      return Flow::kBreak;
    case StmtKind::kContinue:
      return Flow::kContinue;
    case StmtKind::kScope: {
      Scope* inner = scope;
      if (s.new_scope) {
        FULCRUM_TRY(inner, new_scope(scope));
        for (const auto& [name, expr] : s.assigns) {
          FULCRUM_TRY(Value v, eval(*expr, scope));
          inner->set(name, std::move(v));
        }
      }
      return exec_body(s.body, inner, out);
    }
  }
  return Flow::kNormal;
}

Status Interpreter::assign(const std::vector<std::string>& targets, bool unpack, const Value& v,
                           Scope* scope) {
  if (!unpack) {
    scope->set(targets[0], v);
    return {};
  }
  FULCRUM_TRY(std::vector<Value> items, iterate(v));
  if (items.size() != targets.size()) {
    return jinja_error(
        "ValueError",
        items.size() < targets.size()
            ? "not enough values to unpack (expected " + std::to_string(targets.size()) + ", got " +
                  std::to_string(items.size()) + ")"
            : "too many values to unpack (expected " + std::to_string(targets.size()) + ")");
  }
  for (size_t i = 0; i < targets.size(); ++i) scope->set(targets[i], items[i]);
  return {};
}

Status Interpreter::exec_set(const Stmt& s, Scope* scope) {
  Value v;
  if (s.kind == StmtKind::kSetBlock) {
    std::string body;
    FULCRUM_TRY(Flow f, exec_body(s.body, scope, &body));
    (void)f;
    v = Value::string(std::move(body));
    if (s.expr) {
      FULCRUM_TRY(v, eval_filter(*s.expr, scope, &v));
    }
  } else {
    FULCRUM_TRY(v, eval(*s.expr, scope));
  }
  if (s.target_expr) {
    FULCRUM_TRY(Value ns, eval(*s.target_expr->a, scope));
    if (!ns.is_dict() || ns.as_dict()->flavor != DictFlavor::kNamespace) {
      return jinja_error("TemplateRuntimeError", "cannot assign attribute on non-namespace object");
    }
    ns.as_dict()->set(Value::string(s.target_expr->name), std::move(v));
    return {};
  }
  return assign(s.targets, s.unpack, v, scope);
}

Result<Interpreter::Flow> Interpreter::exec_for(const Stmt& s, Scope* scope, std::string* out) {
  FULCRUM_TRY(Value iterable, eval(*s.expr, scope));
  FULCRUM_TRY(std::vector<Value> all, iterate(iterable));
  FULCRUM_TRY(Scope * loop_scope, new_scope(scope));
  std::vector<Value> items;
  if (s.cond) {
    for (const auto& item : all) {
      FULCRUM_TRY_STATUS(charge(1));
      loop_scope->vars.clear();
      FULCRUM_TRY_STATUS(assign(s.targets, s.unpack, item, loop_scope));
      FULCRUM_TRY(Value keep, eval(*s.cond, loop_scope));
      if (keep.truthy()) items.push_back(item);
    }
  } else {
    items = std::move(all);
  }
  if (items.empty()) {
    loop_scope->vars.clear();
    return exec_body(s.else_body, scope, out);
  }
  FULCRUM_TRY(DictData * loop, heap_->new_dict(DictFlavor::kLoop));
  // The loop object's keys are made once; each iteration only updates the values.
  static constexpr const char* kLoopKeys[] = {"index",  "index0",   "revindex", "revindex0",
                                              "first",  "last",     "length",   "depth",
                                              "depth0", "previtem", "nextitem"};
  for (const char* k : kLoopKeys) loop->items.emplace_back(Value::string(k), Value());
  const int64_t n = static_cast<int64_t>(items.size());
  for (int64_t i = 0; i < n; ++i) {
    FULCRUM_TRY_STATUS(charge(1));
    const Value values[] = {
        Value::integer(i + 1),
        Value::integer(i),
        Value::integer(n - i),
        Value::integer(n - i - 1),
        Value::boolean(i == 0),
        Value::boolean(i == n - 1),
        Value::integer(n),
        Value::integer(1),
        Value::integer(0),
        i > 0 ? items[i - 1] : Value::undefined("there is no previous item"),
        i + 1 < n ? items[i + 1] : Value::undefined("there is no next item"),
    };
    loop->items.resize(std::size(kLoopKeys));  // a template may have changed the dict
    for (size_t k = 0; k < std::size(kLoopKeys); ++k) {
      if (!loop->items[k].first.is_string() || loop->items[k].first.as_string() != kLoopKeys[k])
        loop->items[k].first = Value::string(kLoopKeys[k]);
      loop->items[k].second = values[k];
    }
    loop_scope->vars.clear();
    loop_scope->set("loop", Value::dict(loop));
    FULCRUM_TRY_STATUS(assign(s.targets, s.unpack, items[i], loop_scope));
    FULCRUM_TRY(Flow f, exec_body(s.body, loop_scope, out));
    if (f == Flow::kBreak) break;
  }
  return Flow::kNormal;
}

Status Interpreter::exec_filter_block(const Stmt& s, Scope* scope, std::string* out) {
  std::string body;
  FULCRUM_TRY(Flow f, exec_body(s.body, scope, &body));
  (void)f;
  Value v = Value::string(std::move(body));
  FULCRUM_TRY(Value r, eval_filter(*s.expr, scope, &v));
  return append_output(out, r.str());
}

Status Interpreter::exec_call_block(const Stmt& s, Scope* scope, std::string* out) {
  FULCRUM_TRY(CallableData * caller, heap_->new_callable());
  caller->name = "caller";
  caller->macro = &s;
  caller->closure = scope;
  Value caller_value = Value::callable(caller);
  FULCRUM_TRY(Value r, eval_call(*s.expr, scope, &caller_value));
  return append_output(out, r.str());
}

Result<Value> Interpreter::call_macro(const CallableData& fn, CallArgs& args, const Value* caller) {
  const auto* def = static_cast<const Stmt*>(fn.macro);
  if (call_depth_ >= limits_.max_call_depth) {
    return jinja_error("RecursionError", "maximum macro call depth (" +
                                             std::to_string(limits_.max_call_depth) + ") exceeded");
  }
  if (args.pos.size() > def->params.size()) {
    return jinja_error("TypeError", "macro '" + fn.name + "' takes not more than " +
                                        std::to_string(def->params.size()) + " argument(s)");
  }
  FULCRUM_TRY(Scope * scope, new_scope(static_cast<Scope*>(fn.closure)));
  for (size_t i = 0; i < def->params.size(); ++i) {
    const Param& p = def->params[i];
    const Value* given = args.get(i, p.name);
    if (given) {
      scope->set(p.name, *given);
    } else if (p.default_value) {
      FULCRUM_TRY(Value d, eval(*p.default_value, scope));
      scope->set(p.name, std::move(d));
    } else {
      scope->set(p.name, Value::undefined("parameter '" + p.name + "' was not provided"));
    }
  }
  for (const auto& [k, v] : args.kw) {
    bool known = false;
    for (const auto& p : def->params) known = known || p.name == k;
    if (!known) {
      return jinja_error("TypeError",
                         "macro '" + fn.name + "' takes no keyword argument '" + k + "'");
    }
  }
  if (caller) scope->set("caller", *caller);
  ++call_depth_;
  std::string body;
  auto flow = exec_body(def->body, scope, &body);
  --call_depth_;
  if (!flow.ok()) return std::move(flow).error();
  return Value::string(std::move(body));
}

Result<Value> Interpreter::call(const Value& callee, CallArgs& args) {
  FULCRUM_TRY_STATUS(charge(1));
  if (callee.is_undefined()) return undefined_error(callee);
  if (!callee.is_callable()) {
    return jinja_error("TypeError",
                       "'" + std::string(callee.type_name()) + "' object is not callable");
  }
  const CallableData& fn = *callee.as_callable();
  if (fn.is_method) return call_method(*this, fn.self, fn.name, args);
  if (fn.macro) return call_macro(fn, args, nullptr);
  return call_global(*this, fn.name, args);
}

Result<Value> Interpreter::apply_filter(std::string_view name, const Value& input, CallArgs& args) {
  FULCRUM_TRY_STATUS(charge(1));
  return run_filter(*this, name, input, args);
}

Result<bool> Interpreter::apply_test(std::string_view name, const Value& v, CallArgs& args) {
  FULCRUM_TRY_STATUS(charge(1));
  return run_test(*this, name, v, args);
}

}  // namespace fulcrum::engine::chat
