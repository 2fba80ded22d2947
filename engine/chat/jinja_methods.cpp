// Python str / dict / list methods and the global functions a chat template may call.
#include <algorithm>
#include <cstring>
#include <ctime>

#include "core/utf8.h"
#include "engine/chat/jinja_builtins.h"
#include "engine/chat/jinja_strings.h"

namespace fulcrum::engine::chat {

std::vector<std::string_view> utf8_chars(std::string_view s) {
  std::vector<std::string_view> out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t n = static_cast<unsigned char>(s[i]) < 0x80 ? 1 : utf8::sequence_length(s.substr(i));
    if (n == 0) n = 1;
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

namespace {

constexpr int64_t kMaxRange = 100000;  // Jinja's sandbox MAX_RANGE

const char* const kStrMethods[] = {
    "strip",      "lstrip",     "rstrip",     "split",        "rsplit",       "splitlines",
    "startswith", "endswith",   "upper",      "lower",        "title",        "capitalize",
    "replace",    "find",       "rfind",      "index",        "count",        "join",
    "isdigit",    "isalpha",    "isalnum",    "isspace",      "isupper",      "islower",
    "format",     "removeprefix", "removesuffix", "zfill",    "swapcase",     "partition",
    "rpartition", "center",     "ljust",      "rjust",        "isnumeric",    "isdecimal",
    "istitle",    "casefold",   "expandtabs", "isidentifier", "isprintable",  "encode",
    "rindex"};
const char* const kDictMethods[] = {"get", "items", "keys", "values", "copy"};
const char* const kDictUnsafe[] = {"pop", "popitem", "update", "setdefault", "clear"};
const char* const kListMethods[] = {"index", "count", "copy"};
const char* const kListUnsafe[] = {"append", "extend", "insert", "pop",  "remove",
                                   "reverse", "sort",  "clear"};
const char* const kGlobals[] = {"range", "namespace", "dict", "raise_exception", "strftime_now",
                                "joiner", "cycler", "lipsum"};

template <size_t N>
bool in_table(const char* const (&table)[N], std::string_view name) {
  for (const char* t : table)
    if (name == t) return true;
  return false;
}

Error security_error(const Value& obj, std::string_view name) {
  return jinja_error("SecurityError", "access to attribute '" + std::string(name) + "' of '" +
                                          std::string(obj.type_name()) +
                                          "' object is unsafe.");
}

Result<std::string> str_arg(const CallArgs& a, size_t i, std::string_view name) {
  const Value* v = a.get(i, name);
  if (!v || !v->is_string()) {
    if (v && v->is_undefined()) return undefined_error(*v);
    return jinja_error("TypeError", "argument '" + std::string(name) + "' must be str");
  }
  return v->as_string();
}

Result<Value> dict_method(Interpreter& in, const Value& obj, std::string_view name,
                          CallArgs& a) {
  const DictData& d = *obj.as_dict();
  if (name == "get") {
    const Value* key = a.get(0, "key");
    if (!key) return jinja_error("TypeError", "get expected at least 1 argument, got 0");
    if (const Value* v = d.find(*key)) return *v;
    const Value* dflt = a.get(1, "default");
    return dflt ? *dflt : Value::none();
  }
  if (name == "copy") {
    FULCRUM_TRY(DictData * c, in.heap().new_dict());
    c->items = d.items;
    return Value::dict(c);
  }
  std::vector<Value> out;
  for (const auto& kv : d.items) {
    if (name == "keys") {
      out.push_back(kv.first);
    } else if (name == "values") {
      out.push_back(kv.second);
    } else {
      FULCRUM_TRY(Value pair, in.make_list({kv.first, kv.second}, ListFlavor::kTuple));
      out.push_back(std::move(pair));
    }
  }
  return in.make_list(std::move(out));
}

Result<Value> list_method(Interpreter& in, const Value& obj, std::string_view name,
                          CallArgs& a) {
  const auto& items = obj.as_list()->items;
  if (name == "copy") return in.make_list(items);
  const Value* x = a.get(0, "value");
  if (!x) return jinja_error("TypeError", std::string(name) + "() takes exactly one argument");
  int64_t count = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!py_equal(items[i], *x)) continue;
    if (name == "index") return Value::integer(static_cast<int64_t>(i));
    ++count;
  }
  if (name == "index") return jinja_error("ValueError", x->repr() + " is not in list");
  return Value::integer(count);
}

Result<Value> global_range(Interpreter& in, CallArgs& a) {
  int64_t args[3] = {0, 0, 1};
  size_t n = a.pos.size();
  if (n == 0 || n > 3) return jinja_error("TypeError", "range expected 1 to 3 arguments");
  for (size_t i = 0; i < n; ++i) {
    if (a.pos[i].is_undefined()) return undefined_error(a.pos[i]);
    if (!a.pos[i].is_int()) {
      return jinja_error("TypeError", "'" + std::string(a.pos[i].type_name()) +
                                          "' object cannot be interpreted as an integer");
    }
  }
  if (n == 1) {
    args[1] = a.pos[0].as_int();
  } else {
    args[0] = a.pos[0].as_int();
    args[1] = a.pos[1].as_int();
    if (n == 3) args[2] = a.pos[2].as_int();
  }
  if (args[2] == 0) return jinja_error("ValueError", "range() arg 3 must not be zero");
  std::vector<Value> items;
  for (int64_t i = args[0]; args[2] > 0 ? i < args[1] : i > args[1];) {
    if (static_cast<int64_t>(items.size()) >= kMaxRange) {
      return jinja_error("OverflowError",
                         "Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
    }
    items.push_back(Value::integer(i));
    if (__builtin_add_overflow(i, args[2], &i)) break;
  }
  FULCRUM_TRY_STATUS(in.charge(static_cast<int64_t>(items.size() / 64)));
  return in.make_list(std::move(items));
}

Result<Value> global_dict_like(Interpreter& in, CallArgs& a, DictFlavor flavor) {
  FULCRUM_TRY(DictData * d, in.heap().new_dict(flavor));
  for (const auto& p : a.pos) {
    if (p.is_dict() && p.as_dict()->flavor == DictFlavor::kDict) {
      for (const auto& kv : p.as_dict()->items) d->set(kv.first, kv.second);
    } else {
      return jinja_error("TypeError", "'" + std::string(p.type_name()) +
                                          "' object is not a mapping");
    }
  }
  for (const auto& [k, v] : a.kw) d->set(Value::string(k), v);
  return Value::dict(d);
}

Result<Value> global_strftime(Interpreter& in, CallArgs& a) {
  FULCRUM_TRY(std::string fmt, str_arg(a, 0, "format"));
  if (fmt.empty()) return Value::string("");
  if (fmt.size() > 256) return jinja_error("ValueError", "strftime format too long");
  char buf[4096];
  size_t n = std::strftime(buf, sizeof buf, fmt.c_str(), &in.now());
  return Value::string(std::string(buf, n));
}

}  // namespace

bool has_method(const Value& obj, std::string_view name) {
  switch (obj.kind()) {
    case ValueKind::kString:
      return in_table(kStrMethods, name);
    case ValueKind::kDict:
      if (obj.as_dict()->flavor == DictFlavor::kLoop) return name == "cycle";
      if (obj.as_dict()->flavor != DictFlavor::kDict) return false;
      return in_table(kDictMethods, name) || in_table(kDictUnsafe, name);
    case ValueKind::kList:
      if (obj.as_list()->flavor == ListFlavor::kGenerator) return false;
      return in_table(kListMethods, name) ||
             (obj.as_list()->flavor == ListFlavor::kList && in_table(kListUnsafe, name));
    default:
      return false;
  }
}

Result<Value> call_method(Interpreter& in, const Value& obj, std::string_view name,
                          CallArgs& args) {
  if (!has_method(obj, name)) {
    return jinja_error("TypeError", "'" + std::string(obj.type_name()) + "' object has no method '" +
                                        std::string(name) + "'");
  }
  switch (obj.kind()) {
    case ValueKind::kString:
      return string_method(in, obj.as_string(), name, args);
    case ValueKind::kDict:
      if (obj.as_dict()->flavor == DictFlavor::kLoop) {
        if (args.pos.empty()) return jinja_error("TypeError", "no items for cycling given");
        const Value* idx = obj.as_dict()->find(std::string_view("index0"));
        int64_t i = idx ? idx->as_int() : 0;
        return args.pos[static_cast<size_t>(i) % args.pos.size()];
      }
      if (in_table(kDictUnsafe, name)) return security_error(obj, name);
      return dict_method(in, obj, name, args);
    case ValueKind::kList:
      if (in_table(kListUnsafe, name)) return security_error(obj, name);
      return list_method(in, obj, name, args);
    default:
      return jinja_error("TypeError", "no method");
  }
}

bool is_global_function(std::string_view name) { return in_table(kGlobals, name); }

Result<Value> call_global(Interpreter& in, std::string_view name, CallArgs& args) {
  if (name == "range") return global_range(in, args);
  if (name == "namespace") return global_dict_like(in, args, DictFlavor::kNamespace);
  if (name == "dict") return global_dict_like(in, args, DictFlavor::kDict);
  if (name == "strftime_now") return global_strftime(in, args);
  if (name == "raise_exception") {
    const Value* msg = args.get(0, "message");
    return jinja_error("TemplateError", msg ? msg->str() : std::string());
  }
  return jinja_error("TemplateError", "the global function '" + std::string(name) +
                                          "' is not supported");
}

}  // namespace fulcrum::engine::chat
