// Jinja filters and tests, as data tables of small functions (Jinja2 3.1 behaviour, with Hugging
// Face's tojson).
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "engine/chat/jinja_builtins.h"
#include "engine/chat/jinja_strings.h"

namespace fulcrum::engine::chat {

namespace {

using FilterFn = Result<Value> (*)(Interpreter&, const Value&, CallArgs&);
using TestFn = Result<bool> (*)(Interpreter&, const Value&, CallArgs&);

const Value* arg(const CallArgs& a, size_t i, std::string_view name) { return a.get(i, name); }

bool flag(const CallArgs& a, size_t i, std::string_view name, bool dflt = false) {
  const Value* v = a.get(i, name);
  return v ? v->truthy() : dflt;
}

Result<Value> str_value(std::string s) { return Value::string(std::move(s)); }

// Jinja's attribute getter: "a.b.0" walks getitem for each part (digits index).
Result<Value> get_path(Interpreter& in, const Value& item, const std::string& path) {
  Value cur = item;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    Value key = Value::string(part);
    if (!part.empty() && std::all_of(part.begin(), part.end(), ::isdigit) && part.size() < 18) {
      key = Value::integer(std::strtoll(part.c_str(), nullptr, 10));
    }
    FULCRUM_TRY(cur, in.get_item(cur, key));
    if (dot == std::string::npos) return cur;
    start = dot + 1;
  }
}

Result<std::string> attribute_arg(const CallArgs& a, size_t i, std::string_view name,
                                  bool* present) {
  const Value* v = a.get(i, name);
  *present = v && !v->is_none();
  if (!*present) return std::string();
  if (v->is_int()) return std::to_string(v->as_int());
  if (!v->is_string()) return jinja_error("TypeError", "attribute must be a string");
  return v->as_string();
}

Result<Value> generator(Interpreter& in, std::vector<Value> items) {
  return in.make_list(std::move(items), ListFlavor::kGenerator);
}

// ---- string filters ----
Result<Value> f_trim(Interpreter&, const Value& v, CallArgs& a) {
  const Value* chars = arg(a, 0, "chars");
  std::string c = chars && !chars->is_none() ? chars->str() : std::string();
  return str_value(py_strip(v.str(), chars && !chars->is_none() ? &c : nullptr, true, true));
}
Result<Value> f_upper(Interpreter&, const Value& v, CallArgs&) { return str_value(py_upper(v.str())); }
Result<Value> f_lower(Interpreter&, const Value& v, CallArgs&) { return str_value(py_lower(v.str())); }
Result<Value> f_capitalize(Interpreter&, const Value& v, CallArgs&) {
  return str_value(py_capitalize(v.str()));
}
Result<Value> f_title(Interpreter&, const Value& v, CallArgs&) {
  // Jinja: split before runs of [-\s({[<], then upper-case each piece's first char.
  std::string s = v.str(), out;
  auto pieces = utf8_chars(s);
  bool at_start = true;
  for (auto c : pieces) {
    bool sep = c.size() == 1 && (c[0] == '-' || c[0] == '(' || c[0] == '{' || c[0] == '[' ||
                                 c[0] == '<' || isspace(static_cast<unsigned char>(c[0])));
    if (sep) {
      out.append(c);
      at_start = true;
    } else {
      out += at_start ? py_upper(c) : py_lower(c);
      at_start = false;
    }
  }
  return str_value(std::move(out));
}
Result<Value> f_string(Interpreter&, const Value& v, CallArgs&) { return str_value(v.str()); }
Result<Value> f_safe(Interpreter&, const Value& v, CallArgs&) {
  return v.is_markup() ? v : Value::markup(v.str());
}
Result<Value> f_escape(Interpreter&, const Value& v, CallArgs&) {
  return v.is_markup() ? v : Value::markup(html_escape(v.str()));
}
Result<Value> f_forceescape(Interpreter&, const Value& v, CallArgs&) {
  return Value::markup(html_escape(v.str()));
}
Result<Value> f_replace(Interpreter& in, const Value& v, CallArgs& a) {
  const Value* old = arg(a, 0, "old");
  const Value* repl = arg(a, 1, "new");
  if (!old || !repl) return jinja_error("TypeError", "replace() needs old and new");
  const Value* count = arg(a, 2, "count");
  int64_t n = count && count->is_int() ? count->as_int() : -1;
  std::string r = py_replace(v.str(), old->str(), repl->str(), n);
  FULCRUM_TRY_STATUS(in.check_size(r.size()));
  return str_value(std::move(r));
}
Result<Value> f_indent(Interpreter& in, const Value& v, CallArgs& a) {
  const Value* w = arg(a, 0, "width");
  std::string indention = w ? (w->is_string() ? w->as_string() : std::string()) : "    ";
  if (w && !w->is_string()) {
    if (!w->is_int()) return jinja_error("TypeError", "indent width must be int or str");
    int64_t n = std::max<int64_t>(0, w->as_int());
    FULCRUM_TRY_STATUS(in.check_size(static_cast<size_t>(std::min<int64_t>(n, INT32_MAX))));
    indention.assign(static_cast<size_t>(n), ' ');
  }
  bool first = flag(a, 1, "first"), blank = flag(a, 2, "blank");
  std::string s = v.str() + "\n";
  auto lines = py_splitlines(s, false);
  std::string rv;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) {
      rv += "\n";
      if (blank || !lines[i].empty()) rv += indention;
    }
    rv += lines[i];
    FULCRUM_TRY_STATUS(in.check_size(rv.size()));
  }
  if (first) rv = indention + rv;
  return str_value(std::move(rv));
}
Result<Value> f_center(Interpreter& in, const Value& v, CallArgs& a) {
  CallArgs args;
  const Value* w = arg(a, 0, "width");
  args.pos.push_back(w ? *w : Value::integer(80));
  return string_method(in, v.str(), "center", args);
}
Result<Value> f_format(Interpreter&, const Value& v, CallArgs& a) {
  FULCRUM_TRY(std::string r, percent_format(v.str(), a.pos));
  return str_value(std::move(r));
}
Result<Value> f_wordcount(Interpreter&, const Value& v, CallArgs&) {
  int64_t n = 0;
  bool in_word = false;
  for (char c : v.str()) {
    bool w = isalnum(static_cast<unsigned char>(c)) || c == '_' || (c & 0x80);
    if (w && !in_word) ++n;
    in_word = w;
  }
  return Value::integer(n);
}
Result<Value> f_tojson(Interpreter& in, const Value& v, CallArgs& a) {
  JsonStyle st;
  st.ensure_ascii = flag(a, 0, "ensure_ascii");
  if (const Value* ind = arg(a, 1, "indent"); ind && !ind->is_none()) {
    if (ind->is_string()) {
      st.indent_is_string = true;
      st.indent_str = ind->as_string();
    } else if (ind->is_int()) {
      st.indent = static_cast<int>(std::clamp<int64_t>(ind->as_int(), 0, 64));
    } else {
      return jinja_error("TypeError", "indent must be int, str or None");
    }
    st.item_sep = ",";
  }
  if (const Value* sep = arg(a, 2, "separators"); sep && !sep->is_none()) {
    if (!sep->is_list() || sep->as_list()->items.size() != 2 ||
        !sep->as_list()->items[0].is_string() || !sep->as_list()->items[1].is_string()) {
      return jinja_error("TypeError", "separators must be a pair of strings");
    }
    st.item_sep = sep->as_list()->items[0].as_string();
    st.key_sep = sep->as_list()->items[1].as_string();
  }
  st.sort_keys = flag(a, 3, "sort_keys");
  std::string out;
  FULCRUM_TRY_STATUS(to_json(v, st, &out));
  FULCRUM_TRY_STATUS(in.check_size(out.size()));
  return str_value(std::move(out));
}

// ---- sequence filters ----
Result<Value> f_length(Interpreter&, const Value& v, CallArgs&) {
  switch (v.kind()) {
    case ValueKind::kUndefined: return Value::integer(0);
    case ValueKind::kString: return Value::integer(static_cast<int64_t>(utf8_length(v.as_string())));
    case ValueKind::kList:
      if (v.as_list()->flavor == ListFlavor::kGenerator) break;
      return Value::integer(static_cast<int64_t>(v.as_list()->items.size()));
    case ValueKind::kDict:
      if (v.as_dict()->flavor != DictFlavor::kDict) break;
      return Value::integer(static_cast<int64_t>(v.as_dict()->items.size()));
    default: break;
  }
  return jinja_error("TypeError", "object of type '" + std::string(v.type_name()) + "' has no len()");
}
Result<Value> f_list(Interpreter& in, const Value& v, CallArgs&) {
  FULCRUM_TRY(std::vector<Value> items, in.iterate(v));
  return in.make_list(std::move(items));
}
Result<Value> f_first(Interpreter& in, const Value& v, CallArgs&) {
  FULCRUM_TRY(std::vector<Value> items, in.iterate(v));
  if (items.empty()) return Value::undefined("No first item, sequence was empty.");
  return items.front();
}
Result<Value> f_last(Interpreter& in, const Value& v, CallArgs&) {
  if (v.is_list() && v.as_list()->flavor == ListFlavor::kGenerator) {
    return jinja_error("TypeError", "'generator' object is not reversible");
  }
  FULCRUM_TRY(std::vector<Value> items, in.iterate(v));
  if (items.empty()) return Value::undefined("No last item, sequence was empty.");
  return items.back();
}
Result<Value> f_reverse(Interpreter& in, const Value& v, CallArgs&) {
  if (v.is_string()) {
    auto chars = utf8_chars(v.as_string());
    std::string out;
    for (size_t i = chars.size(); i-- > 0;) out.append(chars[i]);
    return str_value(std::move(out));
  }
  FULCRUM_TRY(std::vector<Value> items, in.iterate(v));
  std::reverse(items.begin(), items.end());
  return generator(in, std::move(items));
}
Result<Value> f_join(Interpreter& in, const Value& v, CallArgs& a) {
  FULCRUM_TRY(std::vector<Value> items, in.iterate(v));
  const Value* d = arg(a, 0, "d");
  std::string sep = d ? d->str() : std::string();
  bool has_attr = false;
  FULCRUM_TRY(std::string attr, attribute_arg(a, 1, "attribute", &has_attr));
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    if (has_attr) {
      FULCRUM_TRY(Value x, get_path(in, items[i], attr));
      out += x.str();
    } else {
      out += items[i].str();
    }
    FULCRUM_TRY_STATUS(in.check_size(out.size()));
  }
  return str_value(std::move(out));
}
Result<Value> f_items(Interpreter& in, const Value& v, CallArgs&) {
  if (v.is_undefined()) return in.make_list({});
  if (!v.is_dict() || v.as_dict()->flavor != DictFlavor::kDict) {
    return jinja_error("TypeError", "Can only get item pairs from a mapping.");
  }
  std::vector<Value> out;
  for (const auto& kv : v.as_dict()->items) {
    FULCRUM_TRY(Value pair, in.make_list({kv.first, kv.second}, ListFlavor::kTuple));
    out.push_back(std::move(pair));
  }
  return in.make_list(std::move(out));
}
Result<Value> f_default(Interpreter&, const Value& v, CallArgs& a) {
  const Value* d = arg(a, 0, "default_value");
  bool boolean = flag(a, 1, "boolean");
  if (v.is_undefined() || (boolean && !v.truthy())) return d ? *d : Value::string("");
  return v;
}
Result<Value> f_map(Interpreter& in, const Value& v, CallArgs& a) {
  if (!v.truthy()) return generator(in, {});  // Jinja: `if value:` before iterating
  FULCRUM_TRY(std::vector<Value> items, in.iterate(v));
  std::vector<Value> out;
  bool has_attr = false;
  FULCRUM_TRY(std::string attr, attribute_arg(CallArgs{{}, a.kw}, 0, "attribute", &has_attr));
  if (has_attr) {
    const Value* dflt = nullptr;
    for (const auto& kv : a.kw)
      if (kv.first == "default") dflt = &kv.second;
    for (const auto& item : items) {
      FULCRUM_TRY(Value x, get_path(in, item, attr));
      out.push_back(x.is_undefined() && dflt ? *dflt : x);
    }
    return generator(in, std::move(out));
  }
  if (a.pos.empty() || !a.pos[0].is_string()) {
    return jinja_error("FilterArgumentError", "map requires a filter argument");
  }
  std::string name = a.pos[0].as_string();
  CallArgs rest;
  rest.pos.assign(a.pos.begin() + 1, a.pos.end());
  rest.kw = a.kw;
  for (const auto& item : items) {
    FULCRUM_TRY(Value x, in.apply_filter(name, item, rest));
    out.push_back(std::move(x));
  }
  return generator(in, std::move(out));
}

// select / reject / selectattr / rejectattr share one body.
Result<Value> select_impl(Interpreter& in, const Value& v, CallArgs& a, bool by_attr, bool keep) {
  if (!v.truthy()) return generator(in, {});  // Jinja: `if value:` before iterating
  FULCRUM_TRY(std::vector<Value> items, in.iterate(v));
  size_t next = 0;
  std::string attr;
  if (by_attr) {
    if (a.pos.empty()) return jinja_error("TypeError", "selectattr needs an attribute");
    attr = a.pos[0].str();
    next = 1;
  }
  std::string test;
  if (next < a.pos.size()) test = a.pos[next++].str();
  CallArgs test_args;
  test_args.pos.assign(a.pos.begin() + static_cast<ptrdiff_t>(std::min(next, a.pos.size())),
                       a.pos.end());
  std::vector<Value> out;
  for (const auto& item : items) {
    Value x = item;
    if (by_attr) {
      FULCRUM_TRY(x, get_path(in, item, attr));
    }
    bool r = false;
    if (test.empty()) {
      r = x.truthy();
    } else {
      FULCRUM_TRY(r, in.apply_test(test, x, test_args));
    }
    if (r == keep) out.push_back(item);
  }
  return generator(in, std::move(out));
}
Result<Value> f_select(Interpreter& in, const Value& v, CallArgs& a) { return select_impl(in, v, a, false, true); }
Result<Value> f_reject(Interpreter& in, const Value& v, CallArgs& a) { return select_impl(in, v, a, false, false); }
Result<Value> f_selectattr(Interpreter& in, const Value& v, CallArgs& a) { return select_impl(in, v, a, true, true); }
Result<Value> f_rejectattr(Interpreter& in, const Value& v, CallArgs& a) { return select_impl(in, v, a, true, false); }

// Sort key: the item (or its attribute), lower-cased when comparing case-insensitively.
Result<std::vector<std::pair<Value, Value>>> keyed(Interpreter& in, const std::vector<Value>& items,
                                                   CallArgs& a, size_t attr_pos, size_t cs_pos) {
  bool has_attr = false;
  FULCRUM_TRY(std::string attr, attribute_arg(a, attr_pos, "attribute", &has_attr));
  bool case_sensitive = flag(a, cs_pos, "case_sensitive");
  std::vector<std::pair<Value, Value>> out;
  for (const auto& item : items) {
    Value k = item;
    if (has_attr) {
      FULCRUM_TRY(k, get_path(in, item, attr));
    }
    if (!case_sensitive && k.is_string()) k = Value::string(py_lower(k.as_string()));
    out.emplace_back(std::move(k), item);
  }
  return out;
}

Result<Value> f_sort(Interpreter& in, const Value& v, CallArgs& a) {
  FULCRUM_TRY(std::vector<Value> items, in.iterate(v));
  bool reverse = flag(a, 0, "reverse");
  FULCRUM_TRY(auto keys, keyed(in, items, a, 2, 1));
  Status err;
  std::stable_sort(keys.begin(), keys.end(), [&](const auto& x, const auto& y) {
    auto c = py_compare(reverse ? y.first : x.first, reverse ? x.first : y.first);
    if (!c.ok()) {
      if (err.ok()) err = c.error();
      return false;
    }
    return c.value() < 0;
  });
  if (!err.ok()) return jinja_error("TypeError", err.error().message());
  std::vector<Value> out;
  for (auto& kv : keys) out.push_back(std::move(kv.second));
  return in.make_list(std::move(out));
}
Result<Value> f_dictsort(Interpreter& in, const Value& v, CallArgs& a) {
  FULCRUM_TRY(Value pairs, f_items(in, v, a));
  bool case_sensitive = flag(a, 0, "case_sensitive");
  const Value* by = arg(a, 1, "by");
  size_t pos = by && by->str() == "value" ? 1 : 0;
  bool reverse = flag(a, 2, "reverse");
  auto items = pairs.as_list()->items;
  Status err;
  auto key = [&](const Value& p) {
    Value k = p.as_list()->items[pos];
    if (!case_sensitive && k.is_string()) k = Value::string(py_lower(k.as_string()));
    return k;
  };
  std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
    auto c = py_compare(reverse ? key(y) : key(x), reverse ? key(x) : key(y));
    if (!c.ok()) {
      if (err.ok()) err = c.error();
      return false;
    }
    return c.value() < 0;
  });
  if (!err.ok()) return jinja_error("TypeError", err.error().message());
  return in.make_list(std::move(items));
}
Result<Value> f_unique(Interpreter& in, const Value& v, CallArgs& a) {
  FULCRUM_TRY(std::vector<Value> items, in.iterate(v));
  FULCRUM_TRY(auto keys, keyed(in, items, a, 1, 0));
  std::vector<Value> seen, out;
  for (auto& kv : keys) {
    bool dup = false;
    for (const auto& s : seen) dup = dup || py_equal(s, kv.first);
    if (dup) continue;
    FULCRUM_TRY_STATUS(in.charge(static_cast<int64_t>(seen.size() / 64)));
    seen.push_back(kv.first);
    out.push_back(kv.second);
  }
  return generator(in, std::move(out));
}
Result<Value> min_max(Interpreter& in, const Value& v, CallArgs& a, bool want_max) {
  FULCRUM_TRY(std::vector<Value> items, in.iterate(v));
  if (items.empty()) return Value::undefined("No aggregated item, sequence was empty.");
  FULCRUM_TRY(auto keys, keyed(in, items, a, 1, 0));
  size_t best = 0;
  for (size_t i = 1; i < keys.size(); ++i) {
    FULCRUM_TRY(int c, py_compare(keys[i].first, keys[best].first));
    if (want_max ? c > 0 : c < 0) best = i;
  }
  return keys[best].second;
}
Result<Value> f_min(Interpreter& in, const Value& v, CallArgs& a) { return min_max(in, v, a, false); }
Result<Value> f_max(Interpreter& in, const Value& v, CallArgs& a) { return min_max(in, v, a, true); }
Result<Value> f_sum(Interpreter& in, const Value& v, CallArgs& a) {
  FULCRUM_TRY(std::vector<Value> items, in.iterate(v));
  bool has_attr = false;
  FULCRUM_TRY(std::string attr, attribute_arg(a, 0, "attribute", &has_attr));
  const Value* start = arg(a, 1, "start");
  Value total = start ? *start : Value::integer(0);
  CallArgs none;
  for (const auto& item : items) {
    Value x = item;
    if (has_attr) {
      FULCRUM_TRY(x, get_path(in, item, attr));
    }
    if (!x.is_number() || !total.is_number()) {
      return jinja_error("TypeError", "unsupported operand type(s) for +: '" +
                                          std::string(total.type_name()) + "' and '" +
                                          std::string(x.type_name()) + "'");
    }
    if (total.is_float() || x.is_float()) {
      total = Value::number(total.as_float() + x.as_float());
    } else {
      int64_t r = 0;
      if (__builtin_add_overflow(total.as_int(), x.as_int(), &r)) {
        return jinja_error("OverflowError", "integer overflow");
      }
      total = Value::integer(r);
    }
  }
  return total;
}
Result<Value> f_batch(Interpreter& in, const Value& v, CallArgs& a) {
  FULCRUM_TRY(std::vector<Value> items, in.iterate(v));
  const Value* n = arg(a, 0, "linecount");
  if (!n || !n->is_int() || n->as_int() <= 0) return jinja_error("ValueError", "batch needs a positive count");
  const Value* fill = arg(a, 1, "fill_with");
  size_t per = static_cast<size_t>(n->as_int());
  std::vector<Value> out, cur;
  for (const auto& item : items) {
    cur.push_back(item);
    if (cur.size() == per) {
      FULCRUM_TRY(Value l, in.make_list(std::move(cur)));
      out.push_back(l);
      cur.clear();
    }
  }
  if (!cur.empty()) {
    if (fill && !fill->is_none())
      while (cur.size() < per) cur.push_back(*fill);
    FULCRUM_TRY(Value l, in.make_list(std::move(cur)));
    out.push_back(l);
  }
  return generator(in, std::move(out));
}

// ---- numbers ----
Result<Value> f_int(Interpreter&, const Value& v, CallArgs& a) {
  const Value* d = arg(a, 0, "default");
  Value dflt = d ? *d : Value::integer(0);
  if (v.is_int()) return Value::integer(v.as_int());
  if (v.is_float()) {
    double f = v.as_float();
    if (!std::isfinite(f) || std::fabs(f) >= 9.2e18) return dflt;
    return Value::integer(static_cast<int64_t>(f));
  }
  if (v.is_string()) {
    std::string s = py_strip(v.as_string(), nullptr, true, true);
    const Value* base_v = arg(a, 1, "base");
    int base = base_v && base_v->is_int() ? static_cast<int>(base_v->as_int()) : 10;
    if (base < 2 || base > 36) base = 10;
    char* end = nullptr;
    errno = 0;
    long long r = std::strtoll(s.c_str(), &end, base);
    if (!s.empty() && end && *end == '\0' && errno == 0) return Value::integer(r);
    double f = std::strtod(s.c_str(), &end);
    if (!s.empty() && end && *end == '\0' && std::isfinite(f) && std::fabs(f) < 9.2e18) {
      return Value::integer(static_cast<int64_t>(f));
    }
  }
  return dflt;
}
Result<Value> f_float(Interpreter&, const Value& v, CallArgs& a) {
  const Value* d = arg(a, 0, "default");
  Value dflt = d ? *d : Value::number(0.0);
  if (v.is_number()) return Value::number(v.as_float());
  if (v.is_string()) {
    std::string s = py_strip(v.as_string(), nullptr, true, true);
    char* end = nullptr;
    double f = std::strtod(s.c_str(), &end);
    if (!s.empty() && end && *end == '\0') return Value::number(f);
  }
  return dflt;
}
Result<Value> f_abs(Interpreter&, const Value& v, CallArgs&) {
  if (v.is_float()) return Value::number(std::fabs(v.as_float()));
  if (v.is_int() && v.as_int() != INT64_MIN) return Value::integer(std::llabs(v.as_int()));
  return jinja_error("TypeError", "bad operand type for abs(): '" + std::string(v.type_name()) + "'");
}
Result<Value> f_round(Interpreter&, const Value& v, CallArgs& a) {
  if (!v.is_number()) return jinja_error("TypeError", "type " + std::string(v.type_name()) + " doesn't define __round__ method");
  const Value* p = arg(a, 0, "precision");
  int64_t prec = p && p->is_int() ? std::clamp<int64_t>(p->as_int(), -300, 300) : 0;
  const Value* m = arg(a, 1, "method");
  std::string method = m ? m->str() : "common";
  if (method == "common" && v.is_int() && !v.is_bool()) return Value::integer(v.as_int());
  double scale = std::pow(10.0, static_cast<double>(prec));
  double x = v.as_float() * scale;
  double r = method == "floor" ? std::floor(x) : method == "ceil" ? std::ceil(x) : std::nearbyint(x);
  if (method != "common" && method != "floor" && method != "ceil") {
    return jinja_error("FilterArgumentError", "method must be common, ceil or floor");
  }
  return Value::number(r / scale);
}
Result<Value> f_attr(Interpreter& in, const Value& v, CallArgs& a) {
  const Value* name = arg(a, 0, "name");
  if (!name) return jinja_error("TypeError", "attr needs a name");
  return in.get_attr(v, name->str());
}
Result<Value> f_pprint(Interpreter&, const Value& v, CallArgs&) { return str_value(v.repr()); }

struct FilterEntry {
  const char* name;
  FilterFn fn;
};
const FilterEntry kFilters[] = {
    {"trim", f_trim},         {"upper", f_upper},         {"lower", f_lower},
    {"capitalize", f_capitalize}, {"title", f_title},     {"string", f_string},
    {"safe", f_safe},         {"escape", f_escape},       {"e", f_escape},
    {"forceescape", f_forceescape}, {"replace", f_replace},    {"indent", f_indent},
    {"center", f_center},     {"format", f_format},       {"wordcount", f_wordcount},
    {"tojson", f_tojson},     {"length", f_length},       {"count", f_length},
    {"list", f_list},         {"first", f_first},         {"last", f_last},
    {"reverse", f_reverse},   {"join", f_join},           {"items", f_items},
    {"default", f_default},   {"d", f_default},           {"map", f_map},
    {"select", f_select},     {"reject", f_reject},       {"selectattr", f_selectattr},
    {"rejectattr", f_rejectattr}, {"sort", f_sort},       {"dictsort", f_dictsort},
    {"unique", f_unique},     {"min", f_min},             {"max", f_max},
    {"sum", f_sum},           {"batch", f_batch},         {"int", f_int},
    {"float", f_float},       {"abs", f_abs},             {"round", f_round},
    {"attr", f_attr},         {"pprint", f_pprint},
};

// ---- tests ----
Result<bool> cmp_test(const Value& v, CallArgs& a, int want) {
  const Value* other = arg(a, 0, "other");
  if (!other) return jinja_error("TypeError", "comparison test needs an argument");
  if (want == 0) return py_equal(v, *other);
  if (want == 9) return !py_equal(v, *other);
  if (v.is_undefined()) return undefined_error(v);
  auto c = py_compare(v, *other);
  if (!c.ok()) return jinja_error("TypeError", c.error().message());
  switch (want) {
    case -2: return c.value() < 0;
    case -1: return c.value() <= 0;
    case 1: return c.value() >= 0;
    default: return c.value() > 0;
  }
}
Result<bool> t_defined(Interpreter&, const Value& v, CallArgs&) { return !v.is_undefined(); }
Result<bool> t_undefined(Interpreter&, const Value& v, CallArgs&) { return v.is_undefined(); }
Result<bool> t_none(Interpreter&, const Value& v, CallArgs&) { return v.is_none(); }
Result<bool> t_boolean(Interpreter&, const Value& v, CallArgs&) { return v.is_bool(); }
Result<bool> t_true(Interpreter&, const Value& v, CallArgs&) { return v.is_bool() && v.as_bool(); }
Result<bool> t_false(Interpreter&, const Value& v, CallArgs&) { return v.is_bool() && !v.as_bool(); }
Result<bool> t_integer(Interpreter&, const Value& v, CallArgs&) { return v.kind() == ValueKind::kInt; }
Result<bool> t_float(Interpreter&, const Value& v, CallArgs&) { return v.is_float(); }
Result<bool> t_number(Interpreter&, const Value& v, CallArgs&) { return v.is_number(); }
Result<bool> t_string(Interpreter&, const Value& v, CallArgs&) { return v.is_string(); }
Result<bool> t_mapping(Interpreter&, const Value& v, CallArgs&) {
  return v.is_dict() && v.as_dict()->flavor == DictFlavor::kDict;
}
Result<bool> t_iterable(Interpreter&, const Value& v, CallArgs&) {
  return v.is_undefined() || v.is_string() || v.is_list() ||
         (v.is_dict() && v.as_dict()->flavor == DictFlavor::kDict);
}
Result<bool> t_sequence(Interpreter&, const Value& v, CallArgs&) {
  return v.is_undefined() || v.is_string() ||
         (v.is_list() && v.as_list()->flavor != ListFlavor::kGenerator) ||
         (v.is_dict() && v.as_dict()->flavor == DictFlavor::kDict);
}
Result<bool> t_callable(Interpreter&, const Value& v, CallArgs&) { return v.is_callable(); }
Result<bool> t_sameas(Interpreter&, const Value& v, CallArgs& a) {
  const Value* o = arg(a, 0, "other");
  if (!o) return jinja_error("TypeError", "sameas needs an argument");
  if (v.kind() != o->kind()) return false;
  if (v.is_list()) return v.as_list() == o->as_list();
  if (v.is_dict()) return v.as_dict() == o->as_dict();
  return py_equal(v, *o);
}
Result<bool> t_escaped(Interpreter&, const Value&, CallArgs&) { return false; }
Result<bool> t_lower(Interpreter&, const Value& v, CallArgs&) {
  std::string s = v.str();
  return py_lower(s) == s;
}
Result<bool> t_upper(Interpreter&, const Value& v, CallArgs&) {
  std::string s = v.str();
  return py_upper(s) == s;
}
Result<bool> parity(const Value& v, int64_t want) {
  if (!v.is_number()) return jinja_error("TypeError", "not all arguments converted during string formatting");
  if (v.is_float()) return std::fmod(std::fabs(v.as_float()), 2.0) == static_cast<double>(want);
  return (v.as_int() % 2 != 0) == (want == 1);
}
Result<bool> t_even(Interpreter&, const Value& v, CallArgs&) { return parity(v, 0); }
Result<bool> t_odd(Interpreter&, const Value& v, CallArgs&) { return parity(v, 1); }
Result<bool> t_divisibleby(Interpreter&, const Value& v, CallArgs& a) {
  const Value* n = arg(a, 0, "num");
  if (!n || !n->is_int() || !v.is_int()) return jinja_error("TypeError", "divisibleby needs integers");
  if (n->as_int() == 0) return jinja_error("ZeroDivisionError", "integer division or modulo by zero");
  if (n->as_int() == -1) return true;
  return v.as_int() % n->as_int() == 0;
}
Result<bool> t_eq(Interpreter&, const Value& v, CallArgs& a) { return cmp_test(v, a, 0); }
Result<bool> t_ne(Interpreter&, const Value& v, CallArgs& a) { return cmp_test(v, a, 9); }
Result<bool> t_lt(Interpreter&, const Value& v, CallArgs& a) { return cmp_test(v, a, -2); }
Result<bool> t_le(Interpreter&, const Value& v, CallArgs& a) { return cmp_test(v, a, -1); }
Result<bool> t_gt(Interpreter&, const Value& v, CallArgs& a) { return cmp_test(v, a, 2); }
Result<bool> t_ge(Interpreter&, const Value& v, CallArgs& a) { return cmp_test(v, a, 1); }
Result<bool> t_in(Interpreter& in, const Value& v, CallArgs& a) {
  const Value* seq = arg(a, 0, "seq");
  if (!seq) return jinja_error("TypeError", "in test needs a sequence");
  CallArgs none;
  FULCRUM_TRY(std::vector<Value> items, in.iterate(*seq));
  if (seq->is_string()) {
    if (!v.is_string()) return jinja_error("TypeError", "'in <string>' requires string as left operand");
    return seq->as_string().find(v.as_string()) != std::string::npos;
  }
  for (const auto& x : items)
    if (py_equal(x, v)) return true;
  return false;
}
Result<bool> t_filter(Interpreter&, const Value& v, CallArgs&) {
  return v.is_string() && is_filter_name(v.as_string());
}
Result<bool> t_test(Interpreter&, const Value& v, CallArgs&) {
  return v.is_string() && is_test_name(v.as_string());
}

struct TestEntry {
  const char* name;
  TestFn fn;
};
const TestEntry kTests[] = {
    {"defined", t_defined},   {"undefined", t_undefined}, {"none", t_none},
    {"boolean", t_boolean},   {"true", t_true},           {"false", t_false},
    {"integer", t_integer},   {"float", t_float},         {"number", t_number},
    {"string", t_string},     {"mapping", t_mapping},     {"iterable", t_iterable},
    {"sequence", t_sequence}, {"callable", t_callable},   {"sameas", t_sameas},
    {"escaped", t_escaped},   {"lower", t_lower},         {"upper", t_upper},
    {"even", t_even},         {"odd", t_odd},             {"divisibleby", t_divisibleby},
    {"eq", t_eq},             {"equalto", t_eq},          {"==", t_eq},
    {"ne", t_ne},             {"!=", t_ne},               {"lt", t_lt},
    {"lessthan", t_lt},       {"<", t_lt},                {"le", t_le},
    {"<=", t_le},             {"gt", t_gt},               {"greaterthan", t_gt},
    {">", t_gt},              {"ge", t_ge},               {">=", t_ge},
    {"in", t_in},             {"filter", t_filter},       {"test", t_test},
};

}  // namespace

bool is_filter_name(std::string_view name) {
  for (const auto& f : kFilters)
    if (name == f.name) return true;
  return false;
}

bool is_test_name(std::string_view name) {
  for (const auto& t : kTests)
    if (name == t.name) return true;
  return false;
}

Result<Value> run_filter(Interpreter& in, std::string_view name, const Value& input,
                         CallArgs& args) {
  for (const auto& f : kFilters)
    if (name == f.name) return f.fn(in, input, args);
  return jinja_error("TemplateAssertionError", "No filter named '" + std::string(name) + "'.");
}

Result<bool> run_test(Interpreter& in, std::string_view name, const Value& v, CallArgs& args) {
  for (const auto& t : kTests)
    if (name == t.name) return t.fn(in, v, args);
  return jinja_error("TemplateAssertionError", "No test named '" + std::string(name) + "'.");
}

}  // namespace fulcrum::engine::chat
