// Error: a code, a message a user can act on, and where it happened (file, byte offset, field).
// One table (error.cpp) maps every code to its name, HTTP status and log level.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fulcrum {

enum class ErrorCode : uint16_t {
  kInvalidArgument,     // bad user input (400)
  kNotFound,            // unknown model, file, key (404)
  kAlreadyExists,       // (409)
  kUnauthenticated,     // missing / bad API key (401)
  kPermissionDenied,    // key lacks scope, policy forbids (403)
  kPayloadTooLarge,     // request body over the limit (413)
  kRateLimited,         // rate limit or budget (429)
  kFailedPrecondition,  // state does not allow it (409)
  kUnimplemented,       // not supported (501)
  kUnavailable,         // no healthy target (503)
  kDeadlineExceeded,    // timeout (504)
  kUpstream,            // upstream answered badly (502)
  kCancelled,           // client went away (499)
  kIo,                  // local read/write failure (500)
  kInternal,            // a bug (500)
  kParse,               // malformed text input: JSON, TOML, template (400)
  // Binary-format validation (GGUF and friends); all 400 when they reach an API.
  kBadMagic,
  kBadVersion,
  kTruncated,
  kOverflow,      // a count, length or size that overflows or is out of proportion
  kUnknownType,   // unknown metadata value type or tensor type
  kBadShape,      // n_dims > 4, zero dim, inconsistent shape
  kOutOfBounds,   // data outside the file
  kOverlap,       // overlapping tensor data
  kMisaligned,    // misaligned tensor data or bad alignment value
  kDuplicate,     // duplicate key or tensor name
  kBadUtf8,       // invalid UTF-8 in a string
  kTypeMismatch,  // metadata key of the wrong type for its role
};

struct ErrorInfo {
  std::string_view name;  // stable, snake_case: used in JSON and tests
  int http_status;
  int log_level;  // 0 debug, 1 info, 2 warn, 3 error
};

const ErrorInfo& error_info(ErrorCode code);
std::string_view error_code_name(ErrorCode code);

class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& file() const { return file_; }
  int64_t offset() const { return offset_; }
  const std::string& field() const { return field_; }

  // Context setters return *this so an error can be built in one expression.
  Error& with_file(std::string file) & {
    file_ = std::move(file);
    return *this;
  }
  Error&& with_file(std::string file) && {
    file_ = std::move(file);
    return std::move(*this);
  }
  Error& with_offset(int64_t off) & {
    offset_ = off;
    return *this;
  }
  Error&& with_offset(int64_t off) && {
    offset_ = off;
    return std::move(*this);
  }
  Error& with_field(std::string field) & {
    field_ = std::move(field);
    return *this;
  }
  Error&& with_field(std::string field) && {
    field_ = std::move(field);
    return std::move(*this);
  }
  // Prepends "what: " to the message, for adding context while an error travels up.
  Error& wrap(std::string_view what) &;
  Error&& wrap(std::string_view what) && {
    wrap(what);
    return std::move(*this);
  }

  int http_status() const { return error_info(code_).http_status; }
  // "FILE: offset N: field F: message [code]" with the parts that are set.
  std::string to_string() const;

 private:
  ErrorCode code_;
  std::string message_;
  std::string file_;
  int64_t offset_ = -1;
  std::string field_;
};

}  // namespace fulcrum
