// Expression evaluation of the Jinja interpreter (statements are in jinja_interpreter.cpp).
#include <cmath>
#include <limits>

#include "engine/chat/jinja_builtins.h"
#include "engine/chat/jinja_interpreter.h"

namespace fulcrum::engine::chat {

namespace {

std::string object_desc(const Value& v) {
  if (v.is_none()) return "'None'";
  return "'" + std::string(v.type_name()) + " object'";
}

bool is_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

Error operand_error(std::string_view op, const Value& a, const Value& b) {
  return jinja_error("TypeError", "unsupported operand type(s) for " + std::string(op) + ": '" +
                                      std::string(a.type_name()) + "' and '" +
                                      std::string(b.type_name()) + "'");
}

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

int64_t py_mod(int64_t a, int64_t b) {
  int64_t m = a % b;
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}

// Python's slice.indices(): resolved start/stop for a sequence of length n.
void slice_indices(int64_t n, const Value& start_v, const Value& stop_v, int64_t step,
                   int64_t* start, int64_t* stop) {
  int64_t lower = step > 0 ? 0 : -1;
  int64_t upper = step > 0 ? n : n - 1;
  auto adjust = [&](const Value& v, int64_t dflt) {
    if (v.is_none() || v.is_undefined()) return dflt;
    int64_t x = v.as_int();
    if (x < 0) {
      x += n;
      if (x < lower) x = lower;
    } else if (x > upper) {
      x = upper;
    }
    return x;
  };
  *start = adjust(start_v, step > 0 ? lower : upper);
  *stop = adjust(stop_v, step > 0 ? upper : lower);
}

}  // namespace

Result<Value> Interpreter::eval(const Expr& e, Scope* scope) {
  switch (e.kind) {
    case ExprKind::kLiteral:
      return e.literal;
    case ExprKind::kName:
      return eval_name(e, scope);
    case ExprKind::kList:
    case ExprKind::kTuple:
    case ExprKind::kDict:
      return eval_literal_collection(e, scope);
    case ExprKind::kGetAttr: {
      FULCRUM_TRY(Value obj, eval(*e.a, scope));
      return get_attr(obj, e.name);
    }
    case ExprKind::kGetItem: {
      FULCRUM_TRY(Value obj, eval(*e.a, scope));
      FULCRUM_TRY(Value key, eval(*e.b, scope));
      return get_item(obj, key);
    }
    case ExprKind::kSlice:
      return eval_slice(e, scope);
    case ExprKind::kCall:
      return eval_call(e, scope, nullptr);
    case ExprKind::kFilter:
      return eval_filter(e, scope, nullptr);
    case ExprKind::kTest: {
      FULCRUM_TRY(Value v, eval(*e.a, scope));
      CallArgs args;
      FULCRUM_TRY_STATUS(eval_args(e, scope, &args));
      FULCRUM_TRY(bool r, apply_test(e.name, v, args));
      return Value::boolean(r != e.negated);
    }
    case ExprKind::kUnary: {
      FULCRUM_TRY(Value v, eval(*e.a, scope));
      if (e.name == "not") return Value::boolean(!v.truthy());
      if (v.is_undefined()) return undefined_error(v);
      if (!v.is_number()) {
        return jinja_error("TypeError", "bad operand type for unary " + e.name + ": '" +
                                            std::string(v.type_name()) + "'");
      }
      if (e.name == "+") return v.is_float() ? v : Value::integer(v.as_int());
      if (v.is_float()) return Value::number(-v.as_float());
      if (v.as_int() == std::numeric_limits<int64_t>::min()) {
        return jinja_error("OverflowError", "integer overflow");
      }
      return Value::integer(-v.as_int());
    }
    case ExprKind::kBinary: {
      FULCRUM_TRY(Value a, eval(*e.a, scope));
      FULCRUM_TRY(Value b, eval(*e.b, scope));
      return eval_binary(e.name, a, b);
    }
    case ExprKind::kCompare:
      return eval_compare(e, scope);
    case ExprKind::kAnd: {
      FULCRUM_TRY(Value a, eval(*e.a, scope));
      if (!a.truthy()) return a;
      return eval(*e.b, scope);
    }
    case ExprKind::kOr: {
      FULCRUM_TRY(Value a, eval(*e.a, scope));
      if (a.truthy()) return a;
      return eval(*e.b, scope);
    }
    case ExprKind::kCond: {
      FULCRUM_TRY(Value c, eval(*e.b, scope));
      if (c.truthy()) return eval(*e.a, scope);
      if (e.c) return eval(*e.c, scope);
      return Value::undefined("the inline if-expression evaluated to false and no else section "
                              "was defined.");
    }
  }
  return Value();
}

Result<Value> Interpreter::eval_name(const Expr& e, Scope* scope) {
  for (Scope* s = scope; s; s = s->parent) {
    if (Value* v = s->find(e.name)) return *v;
  }
  if (Value* v = globals_.find(e.name)) return *v;
  if (is_global_function(e.name)) {
    FULCRUM_TRY(CallableData * fn, heap_->new_callable());
    fn->name = e.name;
    return Value::callable(fn);
  }
  return Value::undefined("'" + e.name + "' is undefined");
}

Status Interpreter::eval_args(const Expr& e, Scope* scope, CallArgs* args) {
  for (const auto& a : e.items) {
    FULCRUM_TRY(Value v, eval(*a, scope));
    args->pos.push_back(std::move(v));
  }
  for (const auto& [k, a] : e.kwargs) {
    FULCRUM_TRY(Value v, eval(*a, scope));
    args->kw.emplace_back(k, std::move(v));
  }
  return {};
}

Result<Value> Interpreter::eval_call(const Expr& e, Scope* scope, const Value* caller) {
  const Expr& callee = *e.a;
  CallArgs args;
  if (callee.kind == ExprKind::kGetAttr) {
    FULCRUM_TRY(Value obj, eval(*callee.a, scope));
    if (has_method(obj, callee.name)) {
      FULCRUM_TRY_STATUS(eval_args(e, scope, &args));
      FULCRUM_TRY_STATUS(charge(1));
      return call_method(*this, obj, callee.name, args);
    }
    FULCRUM_TRY(Value fn, get_attr(obj, callee.name));
    FULCRUM_TRY_STATUS(eval_args(e, scope, &args));
    return call(fn, args);
  }
  if (callee.kind == ExprKind::kName && is_global_function(callee.name)) {
    bool shadowed = globals_.find(callee.name) != nullptr;
    for (Scope* s = scope; s && !shadowed; s = s->parent) shadowed = s->find(callee.name);
    if (!shadowed) {
      FULCRUM_TRY_STATUS(eval_args(e, scope, &args));
      FULCRUM_TRY_STATUS(charge(1));
      return call_global(*this, callee.name, args);
    }
  }
  FULCRUM_TRY(Value fn, eval(callee, scope));
  FULCRUM_TRY_STATUS(eval_args(e, scope, &args));
  if (caller && fn.is_callable() && fn.as_callable()->macro) {
    FULCRUM_TRY_STATUS(charge(1));
    return call_macro(*fn.as_callable(), args, caller);
  }
  return call(fn, args);
}

Result<Value> Interpreter::eval_filter(const Expr& e, Scope* scope, const Value* placeholder) {
  Value input;
  if (e.a) {
    FULCRUM_TRY(input, e.a->kind == ExprKind::kFilter ? eval_filter(*e.a, scope, placeholder)
                                                       : eval(*e.a, scope));
  } else if (placeholder) {
    input = *placeholder;
  }
  CallArgs args;
  FULCRUM_TRY_STATUS(eval_args(e, scope, &args));
  return apply_filter(e.name, input, args);
}

Result<Value> Interpreter::bound_method(const Value& obj, const std::string& name) {
  FULCRUM_TRY(CallableData * fn, heap_->new_callable());
  fn->name = name;
  fn->self = obj;
  fn->is_method = true;
  return Value::callable(fn);
}

Result<Value> Interpreter::get_attr(const Value& obj, const std::string& name) {
  switch (obj.kind()) {
    case ValueKind::kUndefined:
      return undefined_error(obj);
    case ValueKind::kDict: {
      if (has_method(obj, name)) return bound_method(obj, name);
      if (const Value* v = obj.as_dict()->find(std::string_view(name))) return *v;
      break;
    }
    case ValueKind::kString:
    case ValueKind::kList:
      if (has_method(obj, name)) return bound_method(obj, name);
      break;
    default:
      break;
  }
  return Value::undefined(object_desc(obj) + " has no attribute '" + name + "'");
}

Result<Value> Interpreter::get_item(const Value& obj, const Value& key) {
  if (obj.is_undefined()) return undefined_error(obj);
  if (obj.is_dict() && obj.as_dict()->flavor != DictFlavor::kNamespace) {
    if (const Value* v = obj.as_dict()->find(key)) return *v;
  } else if ((obj.is_list() && obj.as_list()->flavor != ListFlavor::kGenerator) ||
             obj.is_string()) {
    if (key.is_int()) {
      int64_t i = key.as_int();
      if (obj.is_list()) {
        const auto& items = obj.as_list()->items;
        int64_t n = static_cast<int64_t>(items.size());
        if (i < 0) i += n;
        if (i >= 0 && i < n) return items[static_cast<size_t>(i)];
      } else {
        const std::string& s = obj.as_string();
        if (is_ascii(s)) {
          int64_t n = static_cast<int64_t>(s.size());
          if (i < 0) i += n;
          if (i >= 0 && i < n) return Value::string(std::string(1, s[static_cast<size_t>(i)]));
        } else {
          auto chars = utf8_chars(s);
          int64_t n = static_cast<int64_t>(chars.size());
          if (i < 0) i += n;
          if (i >= 0 && i < n) return Value::string(std::string(chars[static_cast<size_t>(i)]));
        }
      }
      return Value::undefined(object_desc(obj) + " has no element " + key.repr());
    }
  }
  if (key.is_string()) return get_attr(obj, key.as_string());
  return Value::undefined(object_desc(obj) + " has no element " + key.repr());
}

Result<std::vector<Value>> Interpreter::iterate(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kUndefined:
      return std::vector<Value>{};
    case ValueKind::kList:
      return v.as_list()->items;
    case ValueKind::kDict:
      if (v.as_dict()->flavor == DictFlavor::kDict) {
        std::vector<Value> keys;
        for (const auto& kv : v.as_dict()->items) keys.push_back(kv.first);
        return keys;
      }
      break;
    case ValueKind::kString: {
      std::vector<Value> chars;
      for (auto c : utf8_chars(v.as_string())) chars.push_back(Value::string(std::string(c)));
      return chars;
    }
    default:
      break;
  }
  return jinja_error("TypeError", "'" + std::string(v.type_name()) + "' object is not iterable");
}

Result<Value> Interpreter::eval_literal_collection(const Expr& e, Scope* scope) {
  if (e.kind == ExprKind::kDict) {
    FULCRUM_TRY(DictData * d, heap_->new_dict());
    for (size_t i = 0; i + 1 < e.items.size(); i += 2) {
      FULCRUM_TRY(Value k, eval(*e.items[i], scope));
      FULCRUM_TRY(Value v, eval(*e.items[i + 1], scope));
      d->set(k, std::move(v));
    }
    return Value::dict(d);
  }
  std::vector<Value> items;
  for (const auto& item : e.items) {
    FULCRUM_TRY(Value v, eval(*item, scope));
    items.push_back(std::move(v));
  }
  return make_list(std::move(items), e.kind == ExprKind::kTuple ? ListFlavor::kTuple
                                                                 : ListFlavor::kList);
}

Result<Value> Interpreter::eval_slice(const Expr& e, Scope* scope) {
  FULCRUM_TRY(Value obj, eval(*e.a, scope));
  Value parts[3];
  for (int i = 0; i < 3; ++i) {
    if (e.items[i]) {
      FULCRUM_TRY(parts[i], eval(*e.items[i], scope));
      if (!parts[i].is_none() && !parts[i].is_int()) {
        if (parts[i].is_undefined()) return undefined_error(parts[i]);
        return jinja_error("TypeError", "slice indices must be integers or None");
      }
    } else {
      parts[i] = Value::none();
    }
  }
  if (obj.is_undefined()) return undefined_error(obj);
  int64_t step = parts[2].is_none() ? 1 : parts[2].as_int();
  if (step == 0) return jinja_error("ValueError", "slice step cannot be zero");
  bool is_str = obj.is_string();
  if (!is_str && !(obj.is_list() && obj.as_list()->flavor != ListFlavor::kGenerator)) {
    return jinja_error("TypeError", "'" + std::string(obj.type_name()) +
                                        "' object is not subscriptable");
  }
  std::vector<std::string_view> chars;
  if (is_str) chars = utf8_chars(obj.as_string());
  int64_t n = static_cast<int64_t>(is_str ? chars.size() : obj.as_list()->items.size());
  int64_t start = 0, stop = 0;
  slice_indices(n, parts[0], parts[1], step, &start, &stop);
  std::string s;
  std::vector<Value> items;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
    if (is_str) {
      s.append(chars[static_cast<size_t>(i)]);
    } else {
      items.push_back(obj.as_list()->items[static_cast<size_t>(i)]);
    }
    if (step > 0 ? i > INT64_MAX - step : i < INT64_MIN - step) break;
  }
  if (is_str) return Value::string(std::move(s));
  return make_list(std::move(items), obj.as_list()->flavor);
}

Result<bool> Interpreter::contains(const Value& container, const Value& item) {
  switch (container.kind()) {
    case ValueKind::kString:
      if (!item.is_string()) {
        if (item.is_undefined()) return undefined_error(item);
        return jinja_error("TypeError", "'in <string>' requires string as left operand, not " +
                                            std::string(item.type_name()));
      }
      return container.as_string().find(item.as_string()) != std::string::npos;
    case ValueKind::kList:
      for (const auto& v : container.as_list()->items)
        if (py_equal(v, item)) return true;
      return false;
    case ValueKind::kDict:
      if (container.as_dict()->flavor != DictFlavor::kDict) break;
      return container.as_dict()->find(item) != nullptr;
    case ValueKind::kUndefined:
      return false;
    default:
      break;
  }
  return jinja_error("TypeError", "argument of type '" + std::string(container.type_name()) +
                                      "' is not iterable");
}

Result<Value> Interpreter::eval_compare(const Expr& e, Scope* scope) {
  FULCRUM_TRY(Value left, eval(*e.a, scope));
  for (size_t i = 0; i < e.ops.size(); ++i) {
    FULCRUM_TRY(Value right, eval(*e.items[i], scope));
    const std::string& op = e.ops[i];
    bool r = false;
    if (op == "==") {
      r = py_equal(left, right);
    } else if (op == "!=") {
      r = !py_equal(left, right);
    } else if (op == "in" || op == "not in") {
      FULCRUM_TRY(bool in, contains(right, left));
      r = (op == "in") == in;
    } else {
      if (left.is_undefined()) return undefined_error(left);
      if (right.is_undefined()) return undefined_error(right);
      auto c = py_compare(left, right);
      if (!c.ok()) {
        return jinja_error("TypeError", "'" + op + "' not supported between instances of '" +
                                            std::string(left.type_name()) + "' and '" +
                                            std::string(right.type_name()) + "'");
      }
      int v = c.value();
      r = op == "<" ? v < 0 : op == ">" ? v > 0 : op == "<=" ? v <= 0 : v >= 0;
    }
    if (!r) return Value::boolean(false);
    left = std::move(right);
  }
  return Value::boolean(true);
}

namespace {

Result<Value> repeat_string(Interpreter& in, const std::string& s, int64_t n) {
  if (n <= 0 || s.empty()) return Value::string("");
  if (static_cast<uint64_t>(n) > in.limits().max_output_bytes / s.size()) {
    FULCRUM_TRY_STATUS(in.check_size(in.limits().max_output_bytes + 1));
  }
  FULCRUM_TRY_STATUS(in.charge(static_cast<int64_t>(s.size() * n / 4096)));
  std::string out;
  out.reserve(s.size() * static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out += s;
  return Value::string(std::move(out));
}

Result<Value> arith_int(const std::string& op, int64_t x, int64_t y) {
  int64_t r = 0;
  bool overflow = false;
  if (op == "+") {
    overflow = __builtin_add_overflow(x, y, &r);
  } else if (op == "-") {
    overflow = __builtin_sub_overflow(x, y, &r);
  } else if (op == "*") {
    overflow = __builtin_mul_overflow(x, y, &r);
  } else if (op == "/") {
    if (y == 0) return jinja_error("ZeroDivisionError", "division by zero");
    return Value::number(static_cast<double>(x) / static_cast<double>(y));
  } else if (op == "//" || op == "%") {
    if (y == 0) return jinja_error("ZeroDivisionError", "integer division or modulo by zero");
    if (x == INT64_MIN && y == -1) return jinja_error("OverflowError", "integer overflow");
    return Value::integer(op == "//" ? floor_div(x, y) : py_mod(x, y));
  } else if (op == "**") {
    if (y < 0) return Value::number(std::pow(static_cast<double>(x), static_cast<double>(y)));
    r = 1;
    int64_t base = x;
    while (y > 0 && !overflow) {
      if (y & 1) overflow = __builtin_mul_overflow(r, base, &r);
      y >>= 1;
      if (y > 0) overflow = overflow || __builtin_mul_overflow(base, base, &base);
    }
  }
  if (overflow) return jinja_error("OverflowError", "integer overflow");
  return Value::integer(r);
}

Result<Value> arith_float(const std::string& op, double x, double y) {
  if (op == "+") return Value::number(x + y);
  if (op == "-") return Value::number(x - y);
  if (op == "*") return Value::number(x * y);
  if (op == "**") return Value::number(std::pow(x, y));
  if (y == 0) return jinja_error("ZeroDivisionError", "float division by zero");
  if (op == "/") return Value::number(x / y);
  double q = std::floor(x / y);
  if (op == "//") return Value::number(q);
  double m = std::fmod(x, y);
  if (m != 0 && ((m < 0) != (y < 0))) m += y;
  return Value::number(m);
}

}  // namespace

Result<Value> Interpreter::eval_binary(const std::string& op, const Value& a, const Value& b) {
  if (op == "~") {
    std::string s = a.str();
    std::string t = b.str();
    FULCRUM_TRY_STATUS(check_size(s.size() + t.size()));
    return Value::string(s + t);
  }
  if (a.is_undefined()) return undefined_error(a);
  if (b.is_undefined()) return undefined_error(b);
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return arith_float(op, a.as_float(), b.as_float());
    return arith_int(op, a.as_int(), b.as_int());
  }
  if (op == "+") {
    if (a.is_string() && b.is_string()) {
      if (a.is_markup() || b.is_markup()) {  // Markup + str escapes the str, result is Markup
        std::string l = a.is_markup() ? a.as_string() : html_escape(a.as_string());
        std::string r = b.is_markup() ? b.as_string() : html_escape(b.as_string());
        FULCRUM_TRY_STATUS(check_size(l.size() + r.size()));
        return Value::markup(l + r);
      }
      FULCRUM_TRY_STATUS(check_size(a.as_string().size() + b.as_string().size()));
      return Value::string(a.as_string() + b.as_string());
    }
    if (a.is_list() && b.is_list() && a.as_list()->flavor == b.as_list()->flavor &&
        a.as_list()->flavor != ListFlavor::kGenerator) {
      std::vector<Value> items = a.as_list()->items;
      items.insert(items.end(), b.as_list()->items.begin(), b.as_list()->items.end());
      FULCRUM_TRY_STATUS(charge(static_cast<int64_t>(items.size() / 64)));
      return make_list(std::move(items), a.as_list()->flavor);
    }
    if (a.is_string() || (a.is_list() && a.as_list()->flavor == ListFlavor::kList)) {
      std::string t = a.is_string() ? "str" : "list";
      return jinja_error("TypeError", "can only concatenate " + t + " (not \"" +
                                          std::string(b.type_name()) + "\") to " + t);
    }
    return operand_error(op, a, b);
  }
  if (op == "*") {
    if (a.is_string() && b.is_int()) return repeat_string(*this, a.as_string(), b.as_int());
    if (b.is_string() && a.is_int()) return repeat_string(*this, b.as_string(), a.as_int());
    const Value* l = a.is_list() ? &a : (b.is_list() ? &b : nullptr);
    const Value* n = a.is_list() ? &b : &a;
    if (l && n->is_int() && l->as_list()->flavor != ListFlavor::kGenerator) {
      const auto& src = l->as_list()->items;
      int64_t times = std::max<int64_t>(0, n->as_int());
      if (!src.empty() && static_cast<uint64_t>(times) > limits_.max_items / src.size()) {
        return jinja_error("TemplateError", "list longer than " + std::to_string(limits_.max_items));
      }
      std::vector<Value> items;
      for (int64_t i = 0; i < times; ++i) items.insert(items.end(), src.begin(), src.end());
      FULCRUM_TRY_STATUS(charge(static_cast<int64_t>(items.size() / 64)));
      return make_list(std::move(items), l->as_list()->flavor);
    }
  }
  if (op == "%" && a.is_string()) {
    CallArgs args;
    if (b.is_list() && b.as_list()->flavor == ListFlavor::kTuple) {
      args.pos = b.as_list()->items;
    } else {
      args.pos.push_back(b);
    }
    return apply_filter("format", a, args);
  }
  std::string shown = op == "**" ? "** or pow()" : op;
  return operand_error(shown, a, b);
}

}  // namespace fulcrum::engine::chat
