#include "engine/chat/jinja_value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include <utf8proc.h>
#include <nlohmann/json.hpp>

#include "core/utf8.h"

namespace fulcrum::engine::chat {

namespace {

constexpr int kMaxPrintDepth = 64;
constexpr int kMaxJsonDepth = 256;

Error type_error(std::string msg) {
  return Error(ErrorCode::kInvalidArgument, "TypeError: " + msg);
}

bool is_printable(uint32_t cp) {
  if (cp == ' ') return true;
  if (cp < 0x20 || cp == 0x7f) return false;
  if (cp < 0x7f) return true;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CN:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_ZS:
      return false;
    default:
      return true;
  }
}

void append_hex(std::string* out, const char* prefix, uint32_t v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*x", digits, v);
  *out += prefix;
  *out += buf;
}

void repr_into(const Value& v, std::string* out, int depth);

void str_into(const Value& v, std::string* out, int depth) {
  switch (v.kind()) {
    case ValueKind::kUndefined:
      return;
    case ValueKind::kString:
      *out += v.as_string();
      return;
    default:
      repr_into(v, out, depth);
  }
}

void repr_list(const ListData& l, std::string* out, int depth) {
  if (l.flavor == ListFlavor::kGenerator) {
    *out += "<generator object>";
    return;
  }
  bool tuple = l.flavor == ListFlavor::kTuple;
  *out += tuple ? '(' : '[';
  for (size_t i = 0; i < l.items.size(); ++i) {
    if (i) *out += ", ";
    repr_into(l.items[i], out, depth + 1);
  }
  if (tuple && l.items.size() == 1) *out += ',';
  *out += tuple ? ')' : ']';
}

void repr_dict(const DictData& d, std::string* out, int depth) {
  if (d.flavor == DictFlavor::kNamespace) *out += "<Namespace ";
  *out += '{';
  for (size_t i = 0; i < d.items.size(); ++i) {
    if (i) *out += ", ";
    repr_into(d.items[i].first, out, depth + 1);
    *out += ": ";
    repr_into(d.items[i].second, out, depth + 1);
  }
  *out += '}';
  if (d.flavor == DictFlavor::kNamespace) *out += '>';
}

void repr_into(const Value& v, std::string* out, int depth) {
  if (depth > kMaxPrintDepth) {
    *out += "...";
    return;
  }
  switch (v.kind()) {
    case ValueKind::kUndefined:
      *out += "Undefined";
      return;
    case ValueKind::kNone:
      *out += "None";
      return;
    case ValueKind::kBool:
      *out += v.as_bool() ? "True" : "False";
      return;
    case ValueKind::kInt:
      *out += std::to_string(v.as_int());
      return;
    case ValueKind::kFloat:
      *out += float_repr(v.as_float());
      return;
    case ValueKind::kString:
      *out += string_repr(v.as_string());
      return;
    case ValueKind::kList:
      repr_list(*v.as_list(), out, depth);
      return;
    case ValueKind::kDict:
      if (v.as_dict()->flavor == DictFlavor::kLoop) {
        *out += "<LoopContext>";
        return;
      }
      repr_dict(*v.as_dict(), out, depth);
      return;
    case ValueKind::kCallable:
      *out += "<function " + v.as_callable()->name + ">";
      return;
  }
}

void json_string(std::string_view s, std::string* out, bool ensure_ascii = false) {
  *out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (ensure_ascii && c >= 0x80) {
      uint32_t cp = 0;
      size_t n = utf8::decode(s.substr(i), &cp);
      if (n == 0) {
        cp = c;
        n = 1;
      }
      if (cp >= 0x10000) {
        uint32_t v = cp - 0x10000;
        append_hex(out, "\\u", 0xD800 + (v >> 10), 4);
        append_hex(out, "\\u", 0xDC00 + (v & 0x3FF), 4);
      } else {
        append_hex(out, "\\u", cp, 4);
      }
      i += n - 1;
      continue;
    }
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\b':
        *out += "\\b";
        break;
      case '\f':
        *out += "\\f";
        break;
      default:
        if (c < 0x20) {
          append_hex(out, "\\u", c, 4);
        } else {
          *out += static_cast<char>(c);
        }
    }
  }
  *out += '"';
}

void json_newline(const JsonStyle& st, int level, std::string* out) {
  if (st.indent < 0 && !st.indent_is_string) return;
  *out += '\n';
  for (int i = 0; i < level; ++i) {
    if (st.indent_is_string) {
      *out += st.indent_str;
    } else {
      out->append(static_cast<size_t>(st.indent), ' ');
    }
  }
}

Status json_key(const Value& k, const JsonStyle& st, std::string* out) {
  switch (k.kind()) {
    case ValueKind::kString:
      json_string(k.as_string(), out, st.ensure_ascii);
      return {};
    case ValueKind::kNone:
      *out += "\"null\"";
      return {};
    case ValueKind::kBool:
      *out += k.as_bool() ? "\"true\"" : "\"false\"";
      return {};
    case ValueKind::kInt:
      *out += '"' + std::to_string(k.as_int()) + '"';
      return {};
    case ValueKind::kFloat: {
      std::string tmp;
      json_string(float_repr(k.as_float()), &tmp);
      *out += tmp;
      return {};
    }
    default:
      return type_error("keys must be str, int, float, bool or None, not " +
                        std::string(k.type_name()));
  }
}

Status json_into(const Value& v, const JsonStyle& st, int level, std::string* out);

Status json_list(const ListData& l, const JsonStyle& st, int level, std::string* out) {
  if (l.items.empty()) {
    *out += "[]";
    return {};
  }
  *out += '[';
  for (size_t i = 0; i < l.items.size(); ++i) {
    if (i) *out += st.item_sep;
    json_newline(st, level + 1, out);
    FULCRUM_TRY_STATUS(json_into(l.items[i], st, level + 1, out));
  }
  json_newline(st, level, out);
  *out += ']';
  return {};
}

Status json_dict(const DictData& d, const JsonStyle& st, int level, std::string* out) {
  if (d.items.empty()) {
    *out += "{}";
    return {};
  }
  std::vector<const std::pair<Value, Value>*> items;
  for (const auto& kv : d.items) items.push_back(&kv);
  if (st.sort_keys) {
    for (const auto* kv : items)
      if (!kv->first.is_string()) return type_error("'<' not supported between keys");
    std::stable_sort(items.begin(), items.end(), [](const auto* a, const auto* b) {
      return a->first.as_string() < b->first.as_string();
    });
  }
  *out += '{';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) *out += st.item_sep;
    json_newline(st, level + 1, out);
    FULCRUM_TRY_STATUS(json_key(items[i]->first, st, out));
    *out += st.key_sep;
    FULCRUM_TRY_STATUS(json_into(items[i]->second, st, level + 1, out));
  }
  json_newline(st, level, out);
  *out += '}';
  return {};
}

Status json_into(const Value& v, const JsonStyle& st, int level, std::string* out) {
  if (level > kMaxJsonDepth) {
    return Error(ErrorCode::kInvalidArgument, "ValueError: Circular reference detected");
  }
  switch (v.kind()) {
    case ValueKind::kNone:
      *out += "null";
      return {};
    case ValueKind::kBool:
      *out += v.as_bool() ? "true" : "false";
      return {};
    case ValueKind::kInt:
      *out += std::to_string(v.as_int());
      return {};
    case ValueKind::kFloat: {
      double f = v.as_float();
      if (std::isnan(f)) {
        *out += "NaN";
      } else if (std::isinf(f)) {
        *out += f > 0 ? "Infinity" : "-Infinity";
      } else {
        *out += float_repr(f);
      }
      return {};
    }
    case ValueKind::kString:
      json_string(v.as_string(), out, st.ensure_ascii);
      return {};
    case ValueKind::kList:
      if (v.as_list()->flavor == ListFlavor::kGenerator) {
        return type_error("Object of type generator is not JSON serializable");
      }
      return json_list(*v.as_list(), st, level, out);
    case ValueKind::kDict:
      if (v.as_dict()->flavor != DictFlavor::kDict) {
        return type_error(std::string("Object of type ") + std::string(v.type_name()) +
                          " is not JSON serializable");
      }
      return json_dict(*v.as_dict(), st, level, out);
    case ValueKind::kUndefined:
      return type_error("Object of type Undefined is not JSON serializable");
    case ValueKind::kCallable:
      return type_error("Object of type function is not JSON serializable");
  }
  return {};
}

int type_rank(const Value& v) {
  return static_cast<int>(v.kind());
}

}  // namespace

namespace {
thread_local uint64_t t_string_bytes = 0;
}  // namespace

uint64_t string_bytes_made() {
  return t_string_bytes;
}

const std::string& Value::empty_string() {
  static const std::string empty;
  return empty;
}

Value Value::undefined(std::string hint) {
  Value v;
  if (!hint.empty()) v.s_ = std::make_shared<const std::string>(std::move(hint));
  return v;
}
Value Value::none() {
  Value v;
  v.kind_ = ValueKind::kNone;
  return v;
}
Value Value::boolean(bool b) {
  Value v;
  v.kind_ = ValueKind::kBool;
  v.b_ = b;
  return v;
}
Value Value::integer(int64_t i) {
  Value v;
  v.kind_ = ValueKind::kInt;
  v.i_ = i;
  return v;
}
Value Value::number(double f) {
  Value v;
  v.kind_ = ValueKind::kFloat;
  v.f_ = f;
  return v;
}
Value Value::string(std::string s) {
  Value v;
  v.kind_ = ValueKind::kString;
  t_string_bytes += s.size();
  if (!s.empty()) v.s_ = std::make_shared<const std::string>(std::move(s));
  return v;
}
Value Value::markup(std::string s) {
  Value v = string(std::move(s));
  v.b_ = true;  // b_ is unused by strings otherwise
  return v;
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

Value Value::list(ListData* l) {
  Value v;
  v.kind_ = ValueKind::kList;
  v.list_ = l;
  return v;
}
Value Value::dict(DictData* d) {
  Value v;
  v.kind_ = ValueKind::kDict;
  v.dict_ = d;
  return v;
}
Value Value::callable(CallableData* c) {
  Value v;
  v.kind_ = ValueKind::kCallable;
  v.fn_ = c;
  return v;
}

bool Value::truthy() const {
  switch (kind_) {
    case ValueKind::kUndefined:
    case ValueKind::kNone:
      return false;
    case ValueKind::kBool:
      return b_;
    case ValueKind::kInt:
      return i_ != 0;
    case ValueKind::kFloat:
      return f_ != 0;
    case ValueKind::kString:
      return s_ && !s_->empty();
    case ValueKind::kList:
      return list_->flavor == ListFlavor::kGenerator || !list_->items.empty();
    case ValueKind::kDict:
      return dict_->flavor != DictFlavor::kDict || !dict_->items.empty();
    case ValueKind::kCallable:
      return true;
  }
  return false;
}

std::string Value::str() const {
  if (kind_ == ValueKind::kString) return as_string();
  std::string out;
  str_into(*this, &out, 0);
  return out;
}

std::string Value::repr() const {
  std::string out;
  repr_into(*this, &out, 0);
  return out;
}

std::string_view Value::type_name() const {
  switch (kind_) {
    case ValueKind::kUndefined:
      return "Undefined";
    case ValueKind::kNone:
      return "NoneType";
    case ValueKind::kBool:
      return "bool";
    case ValueKind::kInt:
      return "int";
    case ValueKind::kFloat:
      return "float";
    case ValueKind::kString:
      return "str";
    case ValueKind::kList:
      switch (list_->flavor) {
        case ListFlavor::kTuple:
          return "tuple";
        case ListFlavor::kGenerator:
          return "generator";
        default:
          return "list";
      }
    case ValueKind::kDict:
      switch (dict_->flavor) {
        case DictFlavor::kNamespace:
          return "Namespace";
        case DictFlavor::kLoop:
          return "LoopContext";
        default:
          return "dict";
      }
    case ValueKind::kCallable:
      return "function";
  }
  return "object";
}

const Value* DictData::find(const Value& key) const {
  for (const auto& kv : items)
    if (py_equal(kv.first, key)) return &kv.second;
  return nullptr;
}

const Value* DictData::find(std::string_view key) const {
  for (const auto& kv : items)
    if (kv.first.is_string() && kv.first.as_string() == key) return &kv.second;
  return nullptr;
}

void DictData::set(const Value& key, Value v) {
  for (auto& kv : items) {
    if (py_equal(kv.first, key)) {
      kv.second = std::move(v);
      return;
    }
  }
  items.emplace_back(key, std::move(v));
}

namespace {
bool py_equal_depth(const Value& a, const Value& b, int depth) {
  if (depth > kMaxPrintDepth) return false;
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.as_float() == b.as_float();
    return a.as_int() == b.as_int();
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case ValueKind::kUndefined:
    case ValueKind::kNone:
      return true;
    case ValueKind::kString:
      return a.as_string() == b.as_string();
    case ValueKind::kList: {
      const ListData& x = *a.as_list();
      const ListData& y = *b.as_list();
      if (&x == &y) return true;
      if (x.flavor != y.flavor || x.flavor == ListFlavor::kGenerator) return false;
      if (x.items.size() != y.items.size()) return false;
      for (size_t i = 0; i < x.items.size(); ++i)
        if (!py_equal_depth(x.items[i], y.items[i], depth + 1)) return false;
      return true;
    }
    case ValueKind::kDict: {
      const DictData& x = *a.as_dict();
      const DictData& y = *b.as_dict();
      if (&x == &y) return true;
      if (x.flavor != DictFlavor::kDict || y.flavor != DictFlavor::kDict) return false;
      if (x.items.size() != y.items.size()) return false;
      for (const auto& kv : x.items) {
        const Value* other = y.find(kv.first);
        if (!other || !py_equal_depth(kv.second, *other, depth + 1)) return false;
      }
      return true;
    }
    case ValueKind::kCallable:
      return a.as_callable() == b.as_callable();
    default:
      return false;
  }
}

Result<int> py_compare_depth(const Value& a, const Value& b, int depth) {
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) {
      double x = a.as_float(), y = b.as_float();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    int64_t x = a.as_int(), y = b.as_int();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.is_string() && b.is_string()) {
    int c = a.as_string().compare(b.as_string());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (a.is_list() && b.is_list() && a.as_list()->flavor == b.as_list()->flavor &&
      a.as_list()->flavor != ListFlavor::kGenerator && depth < kMaxPrintDepth) {
    const auto& x = a.as_list()->items;
    const auto& y = b.as_list()->items;
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (py_equal_depth(x[i], y[i], depth + 1)) continue;
      return py_compare_depth(x[i], y[i], depth + 1);
    }
    return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
  }
  (void)type_rank;
  return type_error("'<' not supported between instances of '" + std::string(a.type_name()) +
                    "' and '" + std::string(b.type_name()) + "'");
}
}  // namespace

bool py_equal(const Value& a, const Value& b) {
  return py_equal_depth(a, b, 0);
}
Result<int> py_compare(const Value& a, const Value& b) {
  return py_compare_depth(a, b, 0);
}

std::string float_repr(double f) {
  if (std::isnan(f)) return "nan";
  if (std::isinf(f)) return f > 0 ? "inf" : "-inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  std::string out;
  size_t pos = 0;
  if (sci[0] == '-') {
    out += '-';
    pos = 1;
  }
  size_t e_pos = sci.find('e');
  std::string digits;
  for (size_t i = pos; i < e_pos; ++i)
    if (sci[i] != '.') digits += sci[i];
  int exp = std::stoi(sci.substr(e_pos + 1));
  if (exp >= -4 && exp < 16) {
    if (exp >= 0) {
      std::string int_part = digits.substr(0, std::min(digits.size(), size_t(exp) + 1));
      while (int_part.size() < size_t(exp) + 1) int_part += '0';
      std::string frac = digits.size() > size_t(exp) + 1 ? digits.substr(exp + 1) : "0";
      out += int_part + "." + frac;
    } else {
      out += "0." + std::string(size_t(-exp - 1), '0') + digits;
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  char ebuf[16];
  std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
  out += ebuf;
  return out;
}

std::string string_repr(std::string_view s) {
  bool has_single = s.find('\'') != std::string_view::npos;
  bool has_double = s.find('"') != std::string_view::npos;
  char q = (has_single && !has_double) ? '"' : '\'';
  std::string out(1, q);
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\\' || c == static_cast<unsigned char>(q)) {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c == '\n' || c == '\r' || c == '\t') {
      out += c == '\n' ? "\\n" : (c == '\r' ? "\\r" : "\\t");
      ++i;
      continue;
    }
    uint32_t cp = 0;
    size_t n = utf8::decode(s.substr(i), &cp);
    if (n == 0) {  // not valid UTF-8: show the byte escaped
      append_hex(&out, "\\x", c, 2);
      ++i;
      continue;
    }
    if (is_printable(cp)) {
      out.append(s.substr(i, n));
    } else if (cp < 0x100) {
      append_hex(&out, "\\x", cp, 2);
    } else if (cp < 0x10000) {
      append_hex(&out, "\\u", cp, 4);
    } else {
      append_hex(&out, "\\U", cp, 8);
    }
    i += n;
  }
  out += q;
  return out;
}

Status to_json(const Value& v, const JsonStyle& style, std::string* out) {
  return json_into(v, style, 0, out);
}

Status Heap::count_one() {
  if (++n_objects_ > max_objects_) {
    return Error(ErrorCode::kInvalidArgument,
                 "template made more than " + std::to_string(max_objects_) + " lists/dicts");
  }
  return {};
}

Result<ListData*> Heap::new_list(ListFlavor flavor) {
  FULCRUM_TRY_STATUS(count_one());
  lists_.emplace_back();
  lists_.back().flavor = flavor;
  return &lists_.back();
}

Result<DictData*> Heap::new_dict(DictFlavor flavor) {
  FULCRUM_TRY_STATUS(count_one());
  dicts_.emplace_back();
  dicts_.back().flavor = flavor;
  return &dicts_.back();
}

Result<CallableData*> Heap::new_callable() {
  FULCRUM_TRY_STATUS(count_one());
  callables_.emplace_back();
  return &callables_.back();
}

Result<Value> Heap::from_json(const nlohmann::ordered_json& j, int depth) {
  if (depth > kMaxJsonDepth)
    return Error(ErrorCode::kInvalidArgument, "input JSON nested too deep");
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      return Value::none();
    case nlohmann::json::value_t::boolean:
      return Value::boolean(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value::integer(j.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) return Value::number(static_cast<double>(u));
      return Value::integer(static_cast<int64_t>(u));
    }
    case nlohmann::json::value_t::number_float:
      return Value::number(j.get<double>());
    case nlohmann::json::value_t::string:
      return Value::string(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      FULCRUM_TRY(ListData * l, new_list());
      for (const auto& e : j) {
        FULCRUM_TRY(Value v, from_json(e, depth + 1));
        l->items.push_back(std::move(v));
      }
      return Value::list(l);
    }
    case nlohmann::json::value_t::object: {
      FULCRUM_TRY(DictData * d, new_dict());
      for (auto it = j.begin(); it != j.end(); ++it) {
        FULCRUM_TRY(Value v, from_json(it.value(), depth + 1));
        d->items.emplace_back(Value::string(it.key()), std::move(v));
      }
      return Value::dict(d);
    }
    default:
      return Error(ErrorCode::kInvalidArgument, "unsupported JSON value in template input");
  }
}

}  // namespace fulcrum::engine::chat
