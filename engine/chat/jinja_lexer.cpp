#include "engine/chat/jinja_lexer.h"

#include <algorithm>
#include <cstring>

#include "core/utf8.h"

namespace fulcrum::engine::chat {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }

Error syntax_error(size_t line, const std::string& msg) {
  return Error(ErrorCode::kParse,
               "TemplateSyntaxError: " + msg + " (line " + std::to_string(line) + ")");
}

std::string normalize_newlines(std::string_view src, bool keep_trailing_newline) {
  std::string out;
  out.reserve(src.size());
  for (size_t i = 0; i < src.size(); ++i) {
    if (src[i] == '\r') {
      out += '\n';
      if (i + 1 < src.size() && src[i + 1] == '\n') ++i;
    } else {
      out += src[i];
    }
  }
  if (!keep_trailing_newline && !out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Python's unicode-escape decoding of a string literal's body.
Result<std::string> unescape(std::string_view s, size_t line) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    switch (c) {
      case '\n': break;
      case '\\': out += '\\'; break;
      case '\'': out += '\''; break;
      case '"': out += '"'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case 'x':
      case 'u':
      case 'U': {
        size_t n = c == 'x' ? 2 : (c == 'u' ? 4 : 8);
        uint32_t cp = 0;
        for (size_t k = 0; k < n; ++k) {
          int h = i + 1 + k < s.size() ? hex_value(s[i + 1 + k]) : -1;
          if (h < 0) return syntax_error(line, "truncated \\" + std::string(1, c) + " escape");
          cp = cp * 16 + static_cast<uint32_t>(h);
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
          return syntax_error(line, "illegal Unicode character in string escape");
        }
        i += n;
        utf8::append(cp, &out);
        break;
      }
      default:
        if (c >= '0' && c <= '7') {
          uint32_t cp = 0;
          size_t k = 0;
          while (k < 3 && i + k < s.size() && s[i + k] >= '0' && s[i + k] <= '7') {
            cp = cp * 8 + static_cast<uint32_t>(s[i + k] - '0');
            ++k;
          }
          i += k - 1;
          utf8::append(cp, &out);
        } else {
          out += '\\';
          out += c;
        }
    }
  }
  return out;
}

class Lexer {
 public:
  Lexer(std::string src, const LexOptions& opt) : src_(std::move(src)), opt_(opt) {}

  Result<std::vector<Token>> run() {
    while (pos_ < src_.size()) {
      size_t start = find_tag(pos_);
      if (start == std::string::npos) {
        emit_text(src_.substr(pos_));
        pos_ = src_.size();
        break;
      }
      FULCRUM_TRY_STATUS(tag(start));
    }
    tokens_.push_back(Token{TokenType::kEof, "", line_});
    return std::move(tokens_);
  }

 private:
  size_t find_tag(size_t from) const {
    for (size_t i = from; i + 1 < src_.size(); ++i) {
      if (src_[i] == '{' && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) {
        return i;
      }
    }
    return std::string::npos;
  }

  void emit_text(std::string text) {
    if (text.empty()) return;
    line_ += static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
    tokens_.push_back(Token{TokenType::kText, std::move(text), line_});
  }

  // Text before a tag, with `-` stripping or lstrip_blocks applied.
  void emit_text_before(std::string text, char sign, bool is_variable) {
    if (sign == '-') {
      size_t end = text.size();
      while (end > 0 && is_space(text[end - 1])) --end;
      line_ += static_cast<size_t>(std::count(text.begin() + end, text.end(), '\n'));
      text.resize(end);
    } else if (sign != '+' && opt_.lstrip_blocks && !is_variable) {
      size_t nl = text.rfind('\n');
      size_t l_pos = nl == std::string::npos ? 0 : nl + 1;
      if ((l_pos > 0 || line_starting_) && l_pos < text.size()) {
        bool all_space = true;
        for (size_t i = l_pos; i < text.size(); ++i) all_space = all_space && is_space(text[i]);
        if (all_space) text.resize(l_pos);
      }
    }
    emit_text(std::move(text));
  }

  // After a block/comment end: `-` strips all following whitespace, trim_blocks one newline.
  void after_block_end(char sign) {
    if (sign == '-') {
      while (pos_ < src_.size() && is_space(src_[pos_])) {
        if (src_[pos_] == '\n') ++line_;
        ++pos_;
      }
    } else if (sign != '+' && opt_.trim_blocks && pos_ < src_.size() && src_[pos_] == '\n') {
      ++pos_;
      ++line_;
    }
    line_starting_ = pos_ > 0 && src_[pos_ - 1] == '\n';
  }

  Status tag(size_t start) {
    char kind = src_[start + 1];
    char sign = start + 2 < src_.size() ? src_[start + 2] : '\0';
    if (sign != '-' && sign != '+') sign = '\0';
    std::string text = src_.substr(pos_, start - pos_);
    size_t inner = start + 2 + (sign ? 1 : 0);
    if (kind == '%' && is_raw_begin(inner)) {
      emit_text_before(std::move(text), sign, false);
      return raw_block();
    }
    emit_text_before(std::move(text), sign, kind == '{');
    pos_ = inner;
    if (kind == '#') return comment();
    tokens_.push_back(
        Token{kind == '{' ? TokenType::kVarBegin : TokenType::kBlockBegin, "", line_});
    return tag_body(kind == '{');
  }

  bool is_raw_begin(size_t p) const {
    while (p < src_.size() && is_space(src_[p])) ++p;
    if (src_.compare(p, 3, "raw") != 0) return false;
    p += 3;
    if (p < src_.size() && is_name_char(src_[p])) return false;
    while (p < src_.size() && is_space(src_[p])) ++p;
    return src_.compare(p, 2, "%}") == 0 || src_.compare(p, 3, "-%}") == 0;
  }

  Status raw_block() {
    size_t p = src_.find("raw", pos_) + 3;
    while (is_space(src_[p])) ++p;
    bool strip = src_[p] == '-';
    pos_ = p + (strip ? 3 : 2);
    if (strip) after_block_end('-');  // the raw begin tag has no trim_blocks
    for (size_t i = pos_; i + 1 < src_.size(); ++i) {
      if (src_[i] != '{' || src_[i + 1] != '%') continue;
      size_t q = i + 2;
      char sign = (q < src_.size() && (src_[q] == '-' || src_[q] == '+')) ? src_[q] : '\0';
      if (sign) ++q;
      while (q < src_.size() && is_space(src_[q])) ++q;
      if (src_.compare(q, 6, "endraw") != 0) continue;
      q += 6;
      while (q < src_.size() && is_space(src_[q])) ++q;
      char end_sign = '\0';
      if (q < src_.size() && (src_[q] == '-' || src_[q] == '+')) end_sign = src_[q++];
      if (src_.compare(q, 2, "%}") != 0) continue;
      line_starting_ = false;
      emit_text_before(src_.substr(pos_, i - pos_), sign, false);
      pos_ = q + 2;
      after_block_end(end_sign);
      return {};
    }
    return syntax_error(line_, "Missing end of raw directive");
  }

  Status comment() {
    size_t e = src_.find("#}", pos_);
    if (e == std::string::npos) return syntax_error(line_, "Missing end of comment tag");
    char sign = e > pos_ && (src_[e - 1] == '-' || src_[e - 1] == '+') ? src_[e - 1] : '\0';
    line_ += static_cast<size_t>(std::count(src_.begin() + pos_, src_.begin() + e, '\n'));
    pos_ = e + 2;
    after_block_end(sign);
    return {};
  }

  // Tokens inside {{ }} or {% %}, up to the end tag (ignored while brackets are open).
  Status tag_body(bool is_var) {
    std::vector<char> brackets;
    while (true) {
      while (pos_ < src_.size() && is_space(src_[pos_])) {
        if (src_[pos_] == '\n') ++line_;
        ++pos_;
      }
      if (pos_ >= src_.size()) {
        return syntax_error(line_, is_var ? "unexpected end of template, expected '}}'"
                                          : "unexpected end of template, expected '%}'");
      }
      if (brackets.empty() && at_end_tag(is_var)) return {};
      FULCRUM_TRY_STATUS(one_token(&brackets));
    }
  }

  bool at_end_tag(bool is_var) {
    const char* end = is_var ? "}}" : "%}";
    char sign = '\0';
    size_t p = pos_;
    if ((src_[p] == '-' || (src_[p] == '+' && !is_var)) && src_.compare(p + 1, 2, end) == 0) {
      sign = src_[p];
      ++p;
    } else if (src_.compare(p, 2, end) != 0) {
      return false;
    }
    pos_ = p + 2;
    tokens_.push_back(
        Token{is_var ? TokenType::kVarEnd : TokenType::kBlockEnd, "", line_});
    if (is_var) {
      if (sign == '-') after_block_end('-');
      line_starting_ = src_[pos_ - 1] == '\n';
    } else {
      after_block_end(sign);
    }
    return true;
  }

  Status one_token(std::vector<char>* brackets) {
    char c = src_[pos_];
    if (is_name_start(c)) {
      size_t s = pos_;
      while (pos_ < src_.size() && is_name_char(src_[pos_])) ++pos_;
      tokens_.push_back(Token{TokenType::kName, src_.substr(s, pos_ - s), line_});
      return {};
    }
    if (is_digit(c)) return number();
    if (c == '\'' || c == '"') return string_literal(c);
    static const char* kOps[] = {"//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%",
                                 "~",  "[",  "]",  "(",  ")",  "{",  "}", ">", "<", "=", ".",
                                 ":",  "|",  ",",  ";"};
    for (const char* op : kOps) {
      size_t n = std::strlen(op);
      if (src_.compare(pos_, n, op) != 0) continue;
      pos_ += n;
      if (n == 1) FULCRUM_TRY_STATUS(balance(op[0], brackets));
      tokens_.push_back(Token{TokenType::kOp, op, line_});
      return {};
    }
    return syntax_error(line_, std::string("unexpected char '") + c + "'");
  }

  Status balance(char c, std::vector<char>* brackets) {
    if (c == '(' || c == '[' || c == '{') {
      brackets->push_back(c == '(' ? ')' : (c == '[' ? ']' : '}'));
      if (brackets->size() > 256) return syntax_error(line_, "brackets nested too deep");
    } else if (c == ')' || c == ']' || c == '}') {
      if (brackets->empty()) return syntax_error(line_, std::string("unexpected '") + c + "'");
      if (brackets->back() != c) {
        return syntax_error(line_, std::string("unexpected '") + c + "', expected '" +
                                       brackets->back() + "'");
      }
      brackets->pop_back();
    }
    return {};
  }

  Status number() {
    size_t s = pos_;
    auto digits = [&] {
      while (pos_ < src_.size() && (is_digit(src_[pos_]) || src_[pos_] == '_')) ++pos_;
    };
    digits();
    bool is_float = false;
    if (pos_ + 1 < src_.size() && src_[pos_] == '.' && is_digit(src_[pos_ + 1])) {
      is_float = true;
      ++pos_;
      digits();
    }
    if (pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
      size_t p = pos_ + 1;
      if (p < src_.size() && (src_[p] == '+' || src_[p] == '-')) ++p;
      if (p < src_.size() && is_digit(src_[p])) {
        is_float = true;
        pos_ = p;
        digits();
      }
    }
    std::string text;
    for (size_t i = s; i < pos_; ++i)
      if (src_[i] != '_') text += src_[i];
    tokens_.push_back(Token{is_float ? TokenType::kFloat : TokenType::kInt, text, line_});
    return {};
  }

  Status string_literal(char quote) {
    size_t s = ++pos_;
    size_t start_line = line_;
    while (pos_ < src_.size() && src_[pos_] != quote) {
      if (src_[pos_] == '\\' && pos_ + 1 < src_.size()) ++pos_;
      if (src_[pos_] == '\n') ++line_;
      ++pos_;
    }
    if (pos_ >= src_.size()) return syntax_error(start_line, "unterminated string");
    FULCRUM_TRY(std::string body, unescape(std::string_view(src_).substr(s, pos_ - s), line_));
    ++pos_;
    tokens_.push_back(Token{TokenType::kString, std::move(body), start_line});
    return {};
  }

  std::string src_;
  LexOptions opt_;
  size_t pos_ = 0;
  size_t line_ = 1;
  bool line_starting_ = true;
  std::vector<Token> tokens_;
};

}  // namespace

Result<std::vector<Token>> lex_template(std::string_view source, const LexOptions& options) {
  Lexer lexer(normalize_newlines(source, options.keep_trailing_newline), options);
  return lexer.run();
}

}  // namespace fulcrum::engine::chat
