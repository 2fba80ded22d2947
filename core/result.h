// Result<T>: a value or an Error. Fallible functions return it; no exception crosses a module.
//
//   Result<Model> load(path);
//   FULCRUM_TRY(auto model, load(path));      // declares `model`, or returns the error
//   FULCRUM_TRY_STATUS(validate(model));      // for Result<void> / Status
#pragma once

#include <optional>
#include <utility>
#include <variant>

#include "core/assert.h"
#include "core/error.h"

namespace fulcrum {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit on purpose
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    FULCRUM_ASSERT(ok(), "Result::value() on an error");
    return std::get<0>(v_);
  }
  const T& value() const& {
    FULCRUM_ASSERT(ok(), "Result::value() on an error");
    return std::get<0>(v_);
  }
  T&& value() && {
    FULCRUM_ASSERT(ok(), "Result::value() on an error");
    return std::get<0>(std::move(v_));
  }
  const Error& error() const& {
    FULCRUM_ASSERT(!ok(), "Result::error() on a value");
    return std::get<1>(v_);
  }
  Error&& error() && {
    FULCRUM_ASSERT(!ok(), "Result::error() on a value");
    return std::get<1>(std::move(v_));
  }
  T value_or(T fallback) const& { return ok() ? std::get<0>(v_) : std::move(fallback); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : e_(std::move(error)) {}  // NOLINT

  bool ok() const { return !e_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& {
    FULCRUM_ASSERT(!ok(), "Result::error() on success");
    return *e_;
  }
  Error&& error() && {
    FULCRUM_ASSERT(!ok(), "Result::error() on success");
    return std::move(*e_);
  }

 private:
  std::optional<Error> e_;
};

using Status = Result<void>;

inline Status ok_status() {
  return {};
}

}  // namespace fulcrum

#define FULCRUM_CONCAT_INNER(a, b) a##b
#define FULCRUM_CONCAT(a, b) FULCRUM_CONCAT_INNER(a, b)

#define FULCRUM_TRY_IMPL(tmp, decl, expr)       \
  auto tmp = (expr);                            \
  if (!tmp.ok()) return std::move(tmp).error(); \
  decl = std::move(tmp).value()

// FULCRUM_TRY(auto x, f()): evaluates f(); on error returns it, else binds the value to x.
#define FULCRUM_TRY(decl, expr) FULCRUM_TRY_IMPL(FULCRUM_CONCAT(try_tmp_, __LINE__), decl, expr)

// FULCRUM_TRY_STATUS(f()): evaluates a Status; on error returns it.
#define FULCRUM_TRY_STATUS(expr)                                  \
  do {                                                            \
    auto try_status_ = (expr);                                    \
    if (!try_status_.ok()) return std::move(try_status_).error(); \
  } while (0)
