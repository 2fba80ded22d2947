// JSON string escaping for the few places that write JSON without a DOM (log lines, SSE).
#pragma once

#include <string>
#include <string_view>

namespace fulcrum {

// Escapes `s` for use inside a JSON string literal (without the quotes). Invalid UTF-8 bytes
// are replaced by U+FFFD so the output is always valid JSON.
std::string json_escape(std::string_view s);
void json_escape_append(std::string_view s, std::string* out);

// True when every byte of `s` is copied as it is (printable ASCII other than '"' and '\\'), so
// the escaped text is `s` itself. A few vector compares for any length (JsonWriter's fast path
// for the short keys and values of the request path).
bool json_plain_ascii(std::string_view s);

}  // namespace fulcrum
