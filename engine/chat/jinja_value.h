// Value: the dynamic value of the Jinja interpreter, with Python semantics (None, bool, int,
// float, str, list/tuple, dict with insertion order, callables). Lists and dicts live in a
// per-render Heap and values point into it, so a template can build cycles (ns.x = ns) without
// leaking, and everything is freed when the render ends.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/result.h"

namespace fulcrum::engine::chat {

enum class ValueKind : uint8_t {
  kUndefined,
  kNone,
  kBool,
  kInt,
  kFloat,
  kString,
  kList,
  kDict,
  kCallable,
};

enum class ListFlavor : uint8_t { kList, kTuple, kGenerator };
enum class DictFlavor : uint8_t { kDict, kNamespace, kLoop };

struct ListData;
struct DictData;
struct CallableData;

class Value {
 public:
  Value() = default;  // undefined
  static Value undefined(std::string hint = {});
  static Value none();
  static Value boolean(bool b);
  static Value integer(int64_t i);
  static Value number(double f);
  static Value string(std::string s);
  // A markupsafe.Markup string (from |safe or |escape): concatenating it with `+` HTML-escapes
  // the plain operand, as Python's Markup.__add__ does (real templates depend on it).
  static Value markup(std::string s);
  static Value list(ListData* l);
  static Value dict(DictData* d);
  static Value callable(CallableData* c);

  ValueKind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == ValueKind::kUndefined; }
  bool is_none() const { return kind_ == ValueKind::kNone; }
  bool is_bool() const { return kind_ == ValueKind::kBool; }
  bool is_int() const { return kind_ == ValueKind::kInt || kind_ == ValueKind::kBool; }
  bool is_float() const { return kind_ == ValueKind::kFloat; }
  bool is_number() const { return is_int() || is_float(); }
  bool is_string() const { return kind_ == ValueKind::kString; }
  bool is_list() const { return kind_ == ValueKind::kList; }
  bool is_dict() const { return kind_ == ValueKind::kDict; }
  bool is_callable() const { return kind_ == ValueKind::kCallable; }

  bool as_bool() const { return b_; }
  int64_t as_int() const { return kind_ == ValueKind::kBool ? (b_ ? 1 : 0) : i_; }
  double as_float() const { return is_float() ? f_ : static_cast<double>(as_int()); }
  const std::string& as_string() const { return s_ ? *s_ : empty_string(); }
  bool is_markup() const { return kind_ == ValueKind::kString && b_; }
  // For undefined: the message an error about it should carry ("'x' is undefined").
  const std::string& undefined_hint() const { return s_ ? *s_ : empty_string(); }
  ListData* as_list() const { return list_; }
  DictData* as_dict() const { return dict_; }
  CallableData* as_callable() const { return fn_; }

  // Python truthiness.
  bool truthy() const;
  // Python str() and repr(); nesting deeper than a bound prints "...".
  std::string str() const;
  std::string repr() const;
  // Python type name, as used in error messages ("str", "dict", "NoneType").
  std::string_view type_name() const;

 private:
  static const std::string& empty_string();

  ValueKind kind_ = ValueKind::kUndefined;
  bool b_ = false;
  int64_t i_ = 0;
  double f_ = 0;
  // Strings are immutable and shared: copying a value (into a list, a variable, a call) never
  // copies its text, so memory grows only with the strings a template makes.
  std::shared_ptr<const std::string> s_;
  ListData* list_ = nullptr;
  DictData* dict_ = nullptr;
  CallableData* fn_ = nullptr;
};

struct ListData {
  ListFlavor flavor = ListFlavor::kList;
  std::vector<Value> items;
};

// A macro (node + the scope it was defined in) or a built-in global function (by name).
struct CallableData {
  std::string name;
  const void* macro = nullptr;  // const MacroStmt*, when a macro
  void* closure = nullptr;      // Scope* the macro was defined in
  Value self;                   // bound method: the object (name is the method)
  bool is_method = false;
};

struct DictData {
  DictFlavor flavor = DictFlavor::kDict;
  std::vector<std::pair<Value, Value>> items;

  const Value* find(const Value& key) const;
  const Value* find(std::string_view key) const;
  void set(const Value& key, Value v);
};

// Bytes of string values made on this thread so far (Value::string / Value::markup). A render
// bounds the difference between its end and its start (RenderLimits::max_string_bytes).
uint64_t string_bytes_made();

// Python ==, and the ordering used by < > and sort (error for unorderable types).
bool py_equal(const Value& a, const Value& b);
Result<int> py_compare(const Value& a, const Value& b);

// markupsafe.escape of a plain string: & < > " ' become entities.
std::string html_escape(std::string_view s);

// Python float repr (shortest round-trip, "1.0", "1e+16", "inf", "nan").
std::string float_repr(double f);
// Python repr of a str (quotes chosen as Python does, non-printables escaped).
std::string string_repr(std::string_view s);

// json.dumps(v, ensure_ascii=False, indent=indent, separators=..., sort_keys=...) as Hugging
// Face's tojson filter calls it. indent < 0 means None.
struct JsonStyle {
  int indent = -1;
  std::string indent_str;  // used when indent is given as a string
  bool indent_is_string = false;
  std::string item_sep = ", ";
  std::string key_sep = ": ";
  bool sort_keys = false;
  bool ensure_ascii = false;
};
Status to_json(const Value& v, const JsonStyle& style, std::string* out);

// Owns every list, dict and callable made during one render, and bounds how many.
class Heap {
 public:
  explicit Heap(size_t max_objects) : max_objects_(max_objects) {}
  Result<ListData*> new_list(ListFlavor flavor = ListFlavor::kList);
  Result<DictData*> new_dict(DictFlavor flavor = DictFlavor::kDict);
  Result<CallableData*> new_callable();
  // Converts parsed JSON (input messages, tools) into values on this heap.
  Result<Value> from_json(const nlohmann::ordered_json& j, int depth = 0);

 private:
  Status count_one();
  size_t max_objects_;
  size_t n_objects_ = 0;
  std::deque<ListData> lists_;
  std::deque<DictData> dicts_;
  std::deque<CallableData> callables_;
};

}  // namespace fulcrum::engine::chat
