#include "core/json_escape.h"

#include "core/utf8.h"

namespace fulcrum {
namespace {

// 1 for bytes that are copied as they are (printable ASCII other than '"' and '\\').
struct PlainTable {
  bool plain[256] = {};
  constexpr PlainTable() {
    for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
  }
};
constexpr PlainTable kPlain;

void escape_byte(unsigned char c, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"':
      out->append("\\\"", 2);
      return;
    case '\\':
      out->append("\\\\", 2);
      return;
    case '\n':
      out->append("\\n", 2);
      return;
    case '\r':
      out->append("\\r", 2);
      return;
    case '\t':
      out->append("\\t", 2);
      return;
    case '\b':
      out->append("\\b", 2);
      return;
    case '\f':
      out->append("\\f", 2);
      return;
    default: {
      char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out->append(u, 6);
    }
  }
}

}  // namespace

void json_escape_append(std::string_view s, std::string* out) {
  // Runs of bytes that need no escaping (printable ASCII and valid UTF-8 sequences) are
  // appended in one call; only the rest is handled byte by byte.
  size_t i = 0, run = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (kPlain.plain[c]) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      size_t n = utf8::sequence_length(s.substr(i));
      if (n != 0) {
        i += n;
        continue;
      }
    }
    out->append(s.data() + run, i - run);
    if (c >= 0x80) {
      out->append("\xEF\xBF\xBD");  // invalid UTF-8 byte: U+FFFD
    } else {
      escape_byte(c, out);
    }
    run = ++i;
  }
  out->append(s.data() + run, i - run);
}

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  json_escape_append(s, &out);
  return out;
}

}  // namespace fulcrum
