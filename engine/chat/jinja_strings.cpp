#include "engine/chat/jinja_strings.h"

#include <algorithm>
#include <cstdio>

#include <utf8proc.h>

#include "core/utf8.h"
#include "engine/chat/jinja_builtins.h"

namespace fulcrum::engine::chat {

namespace {

// Decodes s into code points; invalid bytes pass through as U+DC80+byte-like markers (kept as
// their own byte so re-encoding gives the input back).
struct Cp {
  uint32_t cp;
  std::string_view bytes;
  bool valid;
};

std::vector<Cp> decode_all(std::string_view s) {
  std::vector<Cp> out;
  size_t i = 0;
  while (i < s.size()) {
    uint32_t cp = 0;
    size_t n = utf8::decode(s.substr(i), &cp);
    if (n == 0) {
      out.push_back({static_cast<unsigned char>(s[i]), s.substr(i, 1), false});
      ++i;
    } else {
      out.push_back({cp, s.substr(i, n), true});
      i += n;
    }
  }
  return out;
}

template <typename F>
std::string map_cps(std::string_view s, F f) {
  std::string out;
  out.reserve(s.size());
  for (const auto& c : decode_all(s)) {
    if (!c.valid) {
      out.append(c.bytes);
    } else {
      utf8::append(f(c.cp), &out);
    }
  }
  return out;
}

uint32_t to_upper(uint32_t cp) {
  return static_cast<uint32_t>(utf8proc_toupper(static_cast<utf8proc_int32_t>(cp)));
}
uint32_t to_lower(uint32_t cp) {
  return static_cast<uint32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp)));
}
uint32_t to_title(uint32_t cp) {
  return static_cast<uint32_t>(utf8proc_totitle(static_cast<utf8proc_int32_t>(cp)));
}
bool is_cased(uint32_t cp) {
  auto cat = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
  return cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LT;
}
bool has_category(uint32_t cp, std::initializer_list<utf8proc_category_t> cats) {
  auto c = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
  for (auto x : cats)
    if (c == x) return true;
  return false;
}

std::vector<std::string> split_whitespace(std::string_view s, int64_t maxsplit, bool from_right) {
  auto cps = decode_all(s);
  std::vector<std::string> parts;
  std::string cur;
  bool in_word = false;
  if (!from_right) {
    size_t i = 0;
    for (; i < cps.size(); ++i) {
      bool sp = cps[i].valid && is_py_space(cps[i].cp);
      if (sp) {
        if (in_word) {
          parts.push_back(cur);
          cur.clear();
          in_word = false;
        }
        continue;
      }
      if (!in_word && maxsplit >= 0 && static_cast<int64_t>(parts.size()) == maxsplit) {
        std::string rest;
        for (size_t k = i; k < cps.size(); ++k) rest.append(cps[k].bytes);
        parts.push_back(py_strip(rest, nullptr, false, true));
        return parts;
      }
      in_word = true;
      cur.append(cps[i].bytes);
    }
    if (in_word) parts.push_back(cur);
    return parts;
  }
  // rsplit: mirror of the above.
  std::vector<std::string> rev;
  for (size_t j = cps.size(); j-- > 0;) {
    bool sp = cps[j].valid && is_py_space(cps[j].cp);
    if (sp) {
      if (in_word) {
        rev.push_back(cur);
        cur.clear();
        in_word = false;
      }
      continue;
    }
    if (!in_word && maxsplit >= 0 && static_cast<int64_t>(rev.size()) == maxsplit) {
      std::string rest;
      for (size_t k = 0; k <= j; ++k) rest.append(cps[k].bytes);
      rev.push_back(py_strip(rest, nullptr, true, false));
      in_word = false;
      cur.clear();
      break;
    }
    in_word = true;
    cur.insert(0, cps[j].bytes);
  }
  if (in_word) rev.push_back(cur);
  return std::vector<std::string>(rev.rbegin(), rev.rend());
}

std::vector<std::string> split_sep(std::string_view s, std::string_view sep, int64_t maxsplit,
                                   bool from_right) {
  std::vector<std::string> parts;
  if (!from_right) {
    size_t start = 0;
    while (maxsplit < 0 || static_cast<int64_t>(parts.size()) < maxsplit) {
      size_t p = s.find(sep, start);
      if (p == std::string_view::npos) break;
      parts.emplace_back(s.substr(start, p - start));
      start = p + sep.size();
    }
    parts.emplace_back(s.substr(start));
    return parts;
  }
  size_t end = s.size();
  std::vector<std::string> rev;
  while (maxsplit < 0 || static_cast<int64_t>(rev.size()) < maxsplit) {
    if (end < sep.size()) break;
    size_t p = s.rfind(sep, end - sep.size());
    if (p == std::string_view::npos) break;
    rev.emplace_back(s.substr(p + sep.size(), end - p - sep.size()));
    end = p;
  }
  rev.emplace_back(s.substr(0, end));
  return std::vector<std::string>(rev.rbegin(), rev.rend());
}

Result<Value> to_list(Interpreter& in, const std::vector<std::string>& parts) {
  std::vector<Value> items;
  for (const auto& p : parts) items.push_back(Value::string(p));
  return in.make_list(std::move(items));
}

Result<int64_t> int_arg(const CallArgs& a, size_t i, std::string_view name, int64_t dflt) {
  const Value* v = a.get(i, name);
  if (!v || v->is_none()) return dflt;
  if (!v->is_int()) return jinja_error("TypeError", "'" + std::string(v->type_name()) +
                                                        "' object cannot be interpreted as an integer");
  return v->as_int();
}

Result<const std::string*> opt_str_arg(const CallArgs& a, size_t i, std::string_view name) {
  const Value* v = a.get(i, name);
  if (!v || v->is_none()) return static_cast<const std::string*>(nullptr);
  if (v->is_undefined()) return undefined_error(*v);
  if (!v->is_string()) {
    return jinja_error("TypeError", "must be str or None, not " + std::string(v->type_name()));
  }
  return &v->as_string();
}

Result<bool> affix_test(const std::string& s, const Value* arg, bool prefix) {
  if (!arg) return jinja_error("TypeError", "startswith/endswith takes at least 1 argument");
  auto one = [&](const std::string& a) {
    if (a.size() > s.size()) return false;
    return prefix ? s.compare(0, a.size(), a) == 0 : s.compare(s.size() - a.size(), a.size(), a) == 0;
  };
  if (arg->is_string()) return one(arg->as_string());
  if (arg->is_list() && arg->as_list()->flavor == ListFlavor::kTuple) {
    for (const auto& v : arg->as_list()->items) {
      if (!v.is_string()) return jinja_error("TypeError", "tuple for startswith must only contain str");
      if (one(v.as_string())) return true;
    }
    return false;
  }
  return jinja_error("TypeError", "startswith/endswith first arg must be str or a tuple of str, not " +
                                      std::string(arg->type_name()));
}

template <typename Pred>
bool all_cps(const std::string& s, Pred p) {
  if (s.empty()) return false;
  for (const auto& c : decode_all(s))
    if (!c.valid || !p(c.cp)) return false;
  return true;
}

std::string pad(const std::string& s, int64_t width, char align, const std::string& fill) {
  int64_t len = static_cast<int64_t>(utf8_length(s));
  if (width <= len) return s;
  int64_t total = width - len;
  int64_t left = align == '<' ? 0 : (align == '>' ? total : total / 2);
  std::string out;
  for (int64_t i = 0; i < left; ++i) out += fill;
  out += s;
  for (int64_t i = 0; i < total - left; ++i) out += fill;
  return out;
}

// One str.format / format-spec conversion: [[fill]align][width][.precision][type].
Result<std::string> format_spec(const Value& v, const std::string& spec) {
  if (spec.empty()) return v.str();
  size_t i = 0;
  std::string fill = " ";
  char align = v.is_number() ? '>' : '<';
  auto is_align = [](char c) { return c == '<' || c == '>' || c == '^'; };
  if (spec.size() >= 2 && is_align(spec[1])) {
    fill = spec.substr(0, 1);
    align = spec[1];
    i = 2;
  } else if (is_align(spec[0])) {
    align = spec[0];
    i = 1;
  }
  int64_t width = 0;
  while (i < spec.size() && isdigit(static_cast<unsigned char>(spec[i])) && width < 100000)
    width = width * 10 + (spec[i++] - '0');
  int precision = -1;
  if (i < spec.size() && spec[i] == '.') {
    precision = 0;
    ++i;
    while (i < spec.size() && isdigit(static_cast<unsigned char>(spec[i])) && precision < 1000)
      precision = precision * 10 + (spec[i++] - '0');
  }
  char type = i < spec.size() ? spec[i++] : '\0';
  if (i != spec.size()) return jinja_error("ValueError", "Invalid format specifier '" + spec + "'");
  std::string body;
  char buf[1200];
  if (type == 'f' || type == 'F' || type == 'e' || type == 'g' || (type == '\0' && v.is_float() && precision >= 0)) {
    if (!v.is_number()) return jinja_error("ValueError", "Unknown format code for object of type 'str'");
    char t = type ? type : 'g';
    std::snprintf(buf, sizeof buf, (std::string("%.*") + t).c_str(), precision < 0 ? 6 : precision, v.as_float());
    body = buf;
  } else if (type == 'd') {
    if (!v.is_int()) return jinja_error("ValueError", "Unknown format code 'd'");
    body = std::to_string(v.as_int());
  } else if (type == 's' || type == '\0') {
    body = v.str();
    if (precision >= 0) {
      auto chars = utf8_chars(body);
      if (chars.size() > static_cast<size_t>(precision)) {
        std::string cut;
        for (int k = 0; k < precision; ++k) cut.append(chars[static_cast<size_t>(k)]);
        body = cut;
      }
    }
  } else {
    return jinja_error("ValueError", std::string("Unknown format code '") + type + "'");
  }
  return pad(body, width, align, fill);
}

Result<std::string> str_format(const std::string& fmt, const CallArgs& a) {
  std::string out;
  size_t auto_index = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    char c = fmt[i];
    if (c == '}') {
      if (i + 1 < fmt.size() && fmt[i + 1] == '}') {
        out += '}';
        ++i;
        continue;
      }
      return jinja_error("ValueError", "Single '}' encountered in format string");
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    size_t close = fmt.find('}', i);
    if (close == std::string::npos) {
      return jinja_error("ValueError", "Single '{' encountered in format string");
    }
    std::string field = fmt.substr(i + 1, close - i - 1);
    i = close;
    std::string spec;
    size_t colon = field.find(':');
    if (colon != std::string::npos) {
      spec = field.substr(colon + 1);
      field.resize(colon);
    }
    bool repr = false;
    if (field.size() >= 2 && field[field.size() - 2] == '!') {
      repr = field.back() == 'r';
      field.resize(field.size() - 2);
    }
    const Value* v = nullptr;
    if (field.empty()) {
      v = auto_index < a.pos.size() ? &a.pos[auto_index] : nullptr;
      ++auto_index;
    } else if (isdigit(static_cast<unsigned char>(field[0]))) {
      size_t idx = static_cast<size_t>(std::strtoul(field.c_str(), nullptr, 10));
      v = idx < a.pos.size() ? &a.pos[idx] : nullptr;
    } else {
      for (const auto& kv : a.kw)
        if (kv.first == field) v = &kv.second;
    }
    if (!v) return jinja_error("IndexError", "Replacement index out of range for format string");
    if (repr) {
      out += v->repr();
    } else {
      FULCRUM_TRY(std::string s, format_spec(*v, spec));
      out += s;
    }
  }
  return out;
}

}  // namespace

bool is_py_space(uint32_t cp) {
  if ((cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x20)) return true;
  if (cp == 0x85 || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a)) return true;
  return cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

std::string py_strip(std::string_view s, const std::string* chars, bool left, bool right) {
  auto cps = decode_all(s);
  std::vector<uint32_t> set;
  if (chars) {
    for (const auto& c : decode_all(*chars)) set.push_back(c.cp);
  }
  auto strip_it = [&](const Cp& c) {
    if (!chars) return c.valid && is_py_space(c.cp);
    return std::find(set.begin(), set.end(), c.cp) != set.end();
  };
  size_t b = 0, e = cps.size();
  if (left)
    while (b < e && strip_it(cps[b])) ++b;
  if (right)
    while (e > b && strip_it(cps[e - 1])) --e;
  std::string out;
  for (size_t i = b; i < e; ++i) out.append(cps[i].bytes);
  return out;
}

std::string py_upper(std::string_view s) { return map_cps(s, to_upper); }
std::string py_lower(std::string_view s) { return map_cps(s, to_lower); }

std::string py_capitalize(std::string_view s) {
  std::string out;
  bool first = true;
  for (const auto& c : decode_all(s)) {
    if (!c.valid) {
      out.append(c.bytes);
    } else {
      utf8::append(first ? to_title(c.cp) : to_lower(c.cp), &out);
    }
    first = false;
  }
  return out;
}

std::string py_title(std::string_view s) {
  std::string out;
  bool prev_cased = false;
  for (const auto& c : decode_all(s)) {
    if (!c.valid) {
      out.append(c.bytes);
      prev_cased = false;
      continue;
    }
    if (is_cased(c.cp)) {
      utf8::append(prev_cased ? to_lower(c.cp) : to_title(c.cp), &out);
      prev_cased = true;
    } else {
      utf8::append(c.cp, &out);
      prev_cased = false;
    }
  }
  return out;
}

std::string py_replace(std::string_view s, std::string_view old, std::string_view repl,
                       int64_t count) {
  std::string out;
  if (old.empty()) {
    auto chars = utf8_chars(s);
    int64_t done = 0;
    for (size_t i = 0; i <= chars.size(); ++i) {
      if (count < 0 || done < count) {
        out.append(repl);
        ++done;
      }
      if (i < chars.size()) out.append(chars[i]);
    }
    return out;
  }
  size_t start = 0;
  int64_t done = 0;
  while (count < 0 || done < count) {
    size_t p = s.find(old, start);
    if (p == std::string_view::npos) break;
    out.append(s.substr(start, p - start));
    out.append(repl);
    start = p + old.size();
    ++done;
  }
  out.append(s.substr(start));
  return out;
}

std::vector<std::string> py_splitlines(std::string_view s, bool keepends) {
  std::vector<std::string> lines;
  auto cps = decode_all(s);
  std::string cur;
  for (size_t i = 0; i < cps.size(); ++i) {
    uint32_t cp = cps[i].valid ? cps[i].cp : 0xFFFFFFFF;
    bool brk = cp == '\n' || cp == '\r' || cp == 0x0b || cp == 0x0c || cp == 0x1c || cp == 0x1d ||
               cp == 0x1e || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
    if (!brk) {
      cur.append(cps[i].bytes);
      continue;
    }
    std::string ending(cps[i].bytes);
    if (cp == '\r' && i + 1 < cps.size() && cps[i + 1].cp == '\n') {
      ending += '\n';
      ++i;
    }
    if (keepends) cur += ending;
    lines.push_back(std::move(cur));
    cur.clear();
  }
  if (!cur.empty()) lines.push_back(std::move(cur));
  return lines;
}

Result<std::string> percent_format(const std::string& fmt, const std::vector<Value>& args) {
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out += fmt[i];
      continue;
    }
    if (++i >= fmt.size()) return jinja_error("ValueError", "incomplete format");
    if (fmt[i] == '%') {
      out += '%';
      continue;
    }
    char align = '>';
    if (fmt[i] == '-') {
      align = '<';
      ++i;
    }
    std::string spec;
    while (i < fmt.size() && (isdigit(static_cast<unsigned char>(fmt[i])) || fmt[i] == '.'))
      spec += fmt[i++];
    if (i >= fmt.size()) return jinja_error("ValueError", "incomplete format");
    char type = fmt[i];
    if (next >= args.size()) {
      return jinja_error("TypeError", "not enough arguments for format string");
    }
    const Value& v = args[next++];
    std::string full = std::string(1, align) + spec;
    if (type == 's' || type == 'r') {
      Value shown = type == 'r' ? Value::string(v.repr()) : Value::string(v.str());
      FULCRUM_TRY(std::string s, format_spec(shown, full + "s"));
      out += s;
    } else if (type == 'd' || type == 'i') {
      if (!v.is_number()) {
        return jinja_error("TypeError", "%d format: a real number is required, not " +
                                            std::string(v.type_name()));
      }
      Value iv = Value::integer(v.is_float() ? static_cast<int64_t>(v.as_float()) : v.as_int());
      FULCRUM_TRY(std::string s, format_spec(iv, full + "d"));
      out += s;
    } else if (type == 'f' || type == 'e' || type == 'g') {
      if (!v.is_number()) {
        return jinja_error("TypeError", "must be real number, not " + std::string(v.type_name()));
      }
      if (spec.find('.') == std::string::npos) full += ".6";
      FULCRUM_TRY(std::string s, format_spec(Value::number(v.as_float()), full + type));
      out += s;
    } else {
      return jinja_error("ValueError", std::string("unsupported format character '") + type + "'");
    }
  }
  if (next < args.size() && !args.empty()) {
    return jinja_error("TypeError", "not all arguments converted during string formatting");
  }
  return out;
}

Result<Value> string_method(Interpreter& in, const std::string& s, std::string_view name,
                            CallArgs& a) {
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    FULCRUM_TRY(const std::string* chars, opt_str_arg(a, 0, "chars"));
    return Value::string(py_strip(s, chars, name != "rstrip", name != "lstrip"));
  }
  if (name == "split" || name == "rsplit") {
    FULCRUM_TRY(const std::string* sep, opt_str_arg(a, 0, "sep"));
    FULCRUM_TRY(int64_t maxsplit, int_arg(a, 1, "maxsplit", -1));
    if (sep && sep->empty()) return jinja_error("ValueError", "empty separator");
    bool right = name == "rsplit";
    return to_list(in, sep ? split_sep(s, *sep, maxsplit, right) : split_whitespace(s, maxsplit, right));
  }
  if (name == "splitlines") {
    const Value* keep = a.get(0, "keepends");
    return to_list(in, py_splitlines(s, keep && keep->truthy()));
  }
  if (name == "startswith" || name == "endswith") {
    FULCRUM_TRY(bool r, affix_test(s, a.get(0, "prefix"), name == "startswith"));
    return Value::boolean(r);
  }
  if (name == "upper") return Value::string(py_upper(s));
  if (name == "lower" || name == "casefold") return Value::string(py_lower(s));
  if (name == "title") return Value::string(py_title(s));
  if (name == "capitalize") return Value::string(py_capitalize(s));
  if (name == "swapcase") {
    return Value::string(map_cps(s, [](uint32_t cp) {
      uint32_t u = to_upper(cp);
      return u != cp ? u : to_lower(cp);
    }));
  }
  if (name == "replace") {
    FULCRUM_TRY(const std::string* old, opt_str_arg(a, 0, "old"));
    FULCRUM_TRY(const std::string* repl, opt_str_arg(a, 1, "new"));
    if (!old || !repl) return jinja_error("TypeError", "replace expected 2 str arguments");
    FULCRUM_TRY(int64_t count, int_arg(a, 2, "count", -1));
    std::string r = py_replace(s, *old, *repl, count);
    FULCRUM_TRY_STATUS(in.check_size(r.size()));
    return Value::string(std::move(r));
  }
  if (name == "find" || name == "rfind" || name == "index" || name == "rindex" || name == "count") {
    FULCRUM_TRY(const std::string* sub, opt_str_arg(a, 0, "sub"));
    if (!sub) return jinja_error("TypeError", std::string(name) + "() takes a str argument");
    if (name == "count") {
      if (sub->empty()) return Value::integer(static_cast<int64_t>(utf8_length(s)) + 1);
      int64_t n = 0;
      for (size_t p = s.find(*sub); p != std::string::npos; p = s.find(*sub, p + sub->size())) ++n;
      return Value::integer(n);
    }
    size_t p = (name == "find" || name == "index") ? s.find(*sub) : s.rfind(*sub);
    if (p == std::string::npos) {
      if (name == "index" || name == "rindex") return jinja_error("ValueError", "substring not found");
      return Value::integer(-1);
    }
    return Value::integer(static_cast<int64_t>(utf8_length(std::string_view(s).substr(0, p))));
  }
  if (name == "join") {
    const Value* it = a.get(0, "iterable");
    if (!it) return jinja_error("TypeError", "join() takes exactly one argument");
    FULCRUM_TRY(std::vector<Value> items, in.iterate(*it));
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].is_string()) {
        return jinja_error("TypeError", "sequence item " + std::to_string(i) +
                                            ": expected str instance, " +
                                            std::string(items[i].type_name()) + " found");
      }
      if (i) out += s;
      out += items[i].as_string();
      FULCRUM_TRY_STATUS(in.check_size(out.size()));
    }
    return Value::string(std::move(out));
  }
  if (name == "isdigit" || name == "isnumeric" || name == "isdecimal") {
    return Value::boolean(all_cps(s, [](uint32_t cp) { return has_category(cp, {UTF8PROC_CATEGORY_ND}); }));
  }
  if (name == "isalpha") {
    return Value::boolean(all_cps(s, [](uint32_t cp) {
      return has_category(cp, {UTF8PROC_CATEGORY_LU, UTF8PROC_CATEGORY_LL, UTF8PROC_CATEGORY_LT,
                               UTF8PROC_CATEGORY_LM, UTF8PROC_CATEGORY_LO});
    }));
  }
  if (name == "isalnum") {
    return Value::boolean(all_cps(s, [](uint32_t cp) {
      return has_category(cp, {UTF8PROC_CATEGORY_LU, UTF8PROC_CATEGORY_LL, UTF8PROC_CATEGORY_LT,
                               UTF8PROC_CATEGORY_LM, UTF8PROC_CATEGORY_LO, UTF8PROC_CATEGORY_ND,
                               UTF8PROC_CATEGORY_NL, UTF8PROC_CATEGORY_NO});
    }));
  }
  if (name == "isspace") return Value::boolean(all_cps(s, is_py_space));
  if (name == "isupper" || name == "islower") {
    auto want = name == "isupper" ? UTF8PROC_CATEGORY_LU : UTF8PROC_CATEGORY_LL;
    bool any_cased = false, ok = true;
    for (const auto& c : decode_all(s)) {
      if (!c.valid || !is_cased(c.cp)) continue;
      any_cased = true;
      ok = ok && has_category(c.cp, {want});
    }
    return Value::boolean(any_cased && ok);
  }
  if (name == "format") {
    FULCRUM_TRY(std::string r, str_format(s, a));
    FULCRUM_TRY_STATUS(in.check_size(r.size()));
    return Value::string(std::move(r));
  }
  if (name == "removeprefix" || name == "removesuffix") {
    FULCRUM_TRY(const std::string* affix, opt_str_arg(a, 0, "affix"));
    if (!affix) return jinja_error("TypeError", std::string(name) + "() takes a str argument");
    bool pre = name == "removeprefix";
    if (affix->size() <= s.size() &&
        (pre ? s.compare(0, affix->size(), *affix) == 0
             : s.compare(s.size() - affix->size(), affix->size(), *affix) == 0)) {
      return Value::string(pre ? s.substr(affix->size()) : s.substr(0, s.size() - affix->size()));
    }
    return Value::string(s);
  }
  if (name == "zfill" || name == "center" || name == "ljust" || name == "rjust") {
    FULCRUM_TRY(int64_t width, int_arg(a, 0, "width", 0));
    if (width > static_cast<int64_t>(in.limits().max_output_bytes)) {
      FULCRUM_TRY_STATUS(in.check_size(static_cast<size_t>(width)));
    }
    FULCRUM_TRY(const std::string* fill, opt_str_arg(a, 1, "fillchar"));
    std::string f = fill ? *fill : std::string(name == "zfill" ? "0" : " ");
    if (utf8_length(f) != 1) return jinja_error("TypeError", "The fill character must be exactly one character long");
    char align = name == "ljust" ? '<' : (name == "center" ? '^' : '>');
    return Value::string(pad(s, width, align, f));
  }
  if (name == "partition" || name == "rpartition") {
    FULCRUM_TRY(const std::string* sep, opt_str_arg(a, 0, "sep"));
    if (!sep || sep->empty()) return jinja_error("ValueError", "empty separator");
    bool right = name == "rpartition";
    size_t p = right ? s.rfind(*sep) : s.find(*sep);
    std::vector<Value> parts;
    if (p == std::string::npos) {
      parts = right ? std::vector<Value>{Value::string(""), Value::string(""), Value::string(s)}
                    : std::vector<Value>{Value::string(s), Value::string(""), Value::string("")};
    } else {
      parts = {Value::string(s.substr(0, p)), Value::string(*sep),
               Value::string(s.substr(p + sep->size()))};
    }
    return in.make_list(std::move(parts), ListFlavor::kTuple);
  }
  if (name == "istitle") return Value::boolean(!s.empty() && py_title(s) == s && py_lower(s) != s);
  if (name == "isprintable") return Value::boolean(string_repr(s) == "'" + s + "'" || s.empty());
  if (name == "isidentifier") {
    bool ok = !s.empty() && !isdigit(static_cast<unsigned char>(s[0]));
    for (char c : s) ok = ok && (isalnum(static_cast<unsigned char>(c)) || c == '_');
    return Value::boolean(ok);
  }
  return jinja_error("TypeError", "str method '" + std::string(name) + "' is not supported");
}

}  // namespace fulcrum::engine::chat
