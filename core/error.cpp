#include "core/error.h"

#include <array>

namespace fulcrum {
namespace {

struct Row {
  ErrorCode code;
  ErrorInfo info;
};

// The one table: code → name, HTTP status, log level. Order follows the enum.
constexpr std::array kTable = {
    Row{ErrorCode::kInvalidArgument, {"invalid_argument", 400, 1}},
    Row{ErrorCode::kNotFound, {"not_found", 404, 1}},
    Row{ErrorCode::kAlreadyExists, {"already_exists", 409, 1}},
    Row{ErrorCode::kUnauthenticated, {"unauthenticated", 401, 1}},
    Row{ErrorCode::kPermissionDenied, {"permission_denied", 403, 1}},
    Row{ErrorCode::kPayloadTooLarge, {"payload_too_large", 413, 1}},
    Row{ErrorCode::kRateLimited, {"rate_limited", 429, 1}},
    Row{ErrorCode::kFailedPrecondition, {"failed_precondition", 409, 1}},
    Row{ErrorCode::kUnimplemented, {"unimplemented", 501, 2}},
    Row{ErrorCode::kUnavailable, {"unavailable", 503, 2}},
    Row{ErrorCode::kDeadlineExceeded, {"deadline_exceeded", 504, 2}},
    Row{ErrorCode::kUpstream, {"upstream_error", 502, 2}},
    Row{ErrorCode::kCancelled, {"cancelled", 499, 0}},
    Row{ErrorCode::kIo, {"io_error", 500, 3}},
    Row{ErrorCode::kInternal, {"internal", 500, 3}},
    Row{ErrorCode::kParse, {"parse_error", 400, 1}},
    Row{ErrorCode::kBadMagic, {"bad_magic", 400, 1}},
    Row{ErrorCode::kBadVersion, {"bad_version", 400, 1}},
    Row{ErrorCode::kTruncated, {"truncated", 400, 1}},
    Row{ErrorCode::kOverflow, {"overflow", 400, 1}},
    Row{ErrorCode::kUnknownType, {"unknown_type", 400, 1}},
    Row{ErrorCode::kBadShape, {"bad_shape", 400, 1}},
    Row{ErrorCode::kOutOfBounds, {"out_of_bounds", 400, 1}},
    Row{ErrorCode::kOverlap, {"overlap", 400, 1}},
    Row{ErrorCode::kMisaligned, {"misaligned", 400, 1}},
    Row{ErrorCode::kDuplicate, {"duplicate", 400, 1}},
    Row{ErrorCode::kBadUtf8, {"bad_utf8", 400, 1}},
    Row{ErrorCode::kTypeMismatch, {"type_mismatch", 400, 1}},
};

constexpr bool table_in_enum_order() {
  for (size_t i = 0; i < kTable.size(); ++i)
    if (static_cast<size_t>(kTable[i].code) != i) return false;
  return true;
}
static_assert(table_in_enum_order(), "kTable rows must follow ErrorCode order");

}  // namespace

const ErrorInfo& error_info(ErrorCode code) {
  auto i = static_cast<size_t>(code);
  static constexpr ErrorInfo kUnknown{"unknown", 500, 3};
  return i < kTable.size() ? kTable[i].info : kUnknown;
}

std::string_view error_code_name(ErrorCode code) {
  return error_info(code).name;
}

Error& Error::wrap(std::string_view what) & {
  message_ = std::string(what) + ": " + message_;
  return *this;
}

std::string Error::to_string() const {
  std::string s;
  if (!file_.empty()) s += file_ + ": ";
  if (offset_ >= 0) s += "offset " + std::to_string(offset_) + ": ";
  if (!field_.empty()) s += "field '" + field_ + "': ";
  s += message_;
  s += " [";
  s += error_code_name(code_);
  s += "]";
  return s;
}

}  // namespace fulcrum
