#include "router/privacy_patterns.h"

#include "router/validators.h"

namespace fulcrum::router {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_token(char c) {
  return is_alnum(c) || c == '_' || c == '-';
}
bool is_b64(char c) {
  return is_alnum(c) || c == '/' || c == '+';
}

char at(std::string_view t, size_t i) {
  return i < t.size() ? t[i] : '\0';
}
char before(std::string_view t, size_t i) {
  return i > 0 ? t[i - 1] : '\0';
}

bool refine_email(std::string_view t, size_t* s, size_t* e) {
  char n = at(t, *e);
  if (is_alnum(n) || n == '-' || (n == '.' && is_alnum(at(t, *e + 1)))) return false;
  // git@github.com:org/repo (an SSH remote, not a mailbox).
  if (n == ':' && at(t, *e + 1) != ' ' && at(t, *e + 1) != '\0' && at(t, *e + 1) != '\n')
    return false;
  // scheme://user:password@host is URL userinfo (url_password reports the password).
  for (size_t p = *s; p > 0 && p + 64 > *s; --p) {
    char c = t[p - 1];
    if (c == ' ' || c == '\n' || c == '\t' || c == '"' || c == '\'') break;
    if (c == '/' && p >= 3 && t[p - 2] == '/' && t[p - 3] == ':') return false;
  }
  return email_valid(t.substr(*s, *e - *s));
}

bool phone_tail_ok(std::string_view t, size_t e) {
  return !is_digit(at(t, e)) && !(at(t, e) == '.' && is_digit(at(t, e + 1))) &&
         !(at(t, e) == '-' && is_digit(at(t, e + 1)));
}

bool refine_phone_plus(std::string_view t, size_t* s, size_t* e) {
  char b = before(t, *s);
  if (is_alnum(b) || b == '+') return false;
  return phone_tail_ok(t, *e) && phone_valid(t.substr(*s, *e - *s), true);
}

bool refine_phone_national(std::string_view t, size_t* s, size_t* e) {
  char b = before(t, *s);
  if (is_digit(b) || b == '+' || b == '.' || b == '-') return false;
  return phone_tail_ok(t, *e) && phone_valid(t.substr(*s, *e - *s), false);
}

// "phone: ...", "call me at ...": the number starts at the first '+', '(' or digit.
bool refine_phone_context(std::string_view t, size_t* s, size_t* e) {
  size_t p = *s;
  while (p < *e && !is_digit(t[p]) && t[p] != '+' && t[p] != '(') ++p;
  if (p >= *e) return false;
  *s = p;
  bool plus = t[p] == '+';
  return phone_tail_ok(t, *e) && phone_valid(t.substr(p, *e - p), plus);
}

// Leftmost-start reporting can glue a preceding number group onto a card; try every group
// start inside the span.
bool refine_card(std::string_view t, size_t* s, size_t* e) {
  if (is_digit(at(t, *e)) || is_digit(before(t, *s))) return false;
  for (size_t p = *s; p < *e; ++p) {
    if (!is_digit(t[p]) || (p > *s && is_digit(t[p - 1]))) continue;
    if (payment_card_valid(t.substr(p, *e - p))) {
      *s = p;
      return true;
    }
  }
  return false;
}

bool refine_iban(std::string_view t, size_t* s, size_t* e) {
  return !is_alnum(at(t, *e)) && iban_valid(t.substr(*s, *e - *s));
}

bool first_digit(std::string_view t, size_t* s, size_t e) {
  while (*s < e && !is_digit(t[*s])) ++*s;
  return *s < e;
}

bool refine_ssn(std::string_view t, size_t* s, size_t* e) {
  if (!first_digit(t, s, *e) || is_digit(at(t, *e)) || is_digit(before(t, *s))) return false;
  if (at(t, *e) == '-' && is_digit(at(t, *e + 1))) return false;
  if (before(t, *s) == '-' && is_digit(before(t, *s - 1))) return false;
  return us_ssn_valid(t.substr(*s, *e - *s));
}

bool refine_nino(std::string_view t, size_t* s, size_t* e) {
  return uk_nino_valid(t.substr(*s, *e - *s));
}

bool refine_sin(std::string_view t, size_t* s, size_t* e) {
  if (at(t, *e) == '-' && is_digit(at(t, *e + 1))) return false;
  if (before(t, *s) == '-' && is_digit(before(t, *s - 1))) return false;
  return ca_sin_valid(t.substr(*s, *e - *s));
}

bool refine_ipv4(std::string_view t, size_t* s, size_t* e) {
  char b = before(t, *s);
  if (b == '.' || is_digit(b)) return false;
  if (at(t, *e) == '.' && is_digit(at(t, *e + 1))) return false;
  return ipv4_valid(t.substr(*s, *e - *s));
}

bool refine_ipv6(std::string_view t, size_t* s, size_t* e) {
  char n = at(t, *e);
  if (is_hex(n) || n == ':' || (n == '.' && is_digit(at(t, *e + 1)))) return false;
  if (is_hex(before(t, *s))) return false;
  if (ipv6_valid(t.substr(*s, *e - *s))) return true;
  if (t[*s] == ':' && at(t, *s + 1) != ':' && ipv6_valid(t.substr(*s + 1, *e - *s - 1))) {
    ++*s;
    return true;
  }
  return false;
}

bool token_end(std::string_view t, size_t e) {
  return !is_token(at(t, e));
}

bool refine_token(std::string_view t, size_t* s, size_t* e) {
  return token_end(t, *e);
}

bool refine_aws_secret(std::string_view t, size_t* s, size_t* e) {
  if (*e - *s < 40 || is_b64(at(t, *e))) return false;
  *s = *e - 40;
  return aws_secret_valid(t.substr(*s, 40));
}

// "AccountKey=<value>": keep the value after the first '='.
bool refine_after_assignment(std::string_view t, size_t* s, size_t* e) {
  if (is_b64(at(t, *e))) return false;
  size_t eq = t.substr(*s, *e - *s).find('=');
  if (eq == std::string_view::npos || *s + eq + 1 >= *e) return false;
  *s += eq + 1;
  return true;
}

bool refine_hex32_key(std::string_view t, size_t* s, size_t* e) {
  if (is_hex(at(t, *e)) || *e - *s < 32) return false;
  *s = *e - 32;
  return true;
}

bool refine_openai(std::string_view t, size_t* s, size_t* e) {
  if (!token_end(t, *e) || is_token(before(t, *s))) return false;
  std::string_view v = t.substr(*s, *e - *s);
  if (v.starts_with("sk-ant-")) return false;
  bool digit = false, alpha = false;
  for (char c : v.substr(3)) {
    digit |= is_digit(c);
    alpha |= is_alnum(c) && !is_digit(c);
  }
  return digit && alpha;
}

bool refine_jwt(std::string_view t, size_t* s, size_t* e) {
  return token_end(t, *e) && jwt_valid(t.substr(*s, *e - *s));
}

// Extends a "-----BEGIN ... PRIVATE KEY-----" line to its END line when present (64 KB max).
bool refine_pem(std::string_view t, size_t* s, size_t* e) {
  size_t limit = t.size() - *e > 65536 ? *e + 65536 : t.size();
  size_t end_marker = t.substr(0, limit).find("-----END ", *e);
  if (end_marker == std::string_view::npos) return true;
  size_t close = t.substr(0, limit).find("-----", end_marker + 9);
  if (close != std::string_view::npos) *e = close + 5;
  return true;
}

// scheme://user:password@host → the password bytes.
bool refine_url_password(std::string_view t, size_t* s, size_t* e) {
  size_t scheme = t.substr(*s, *e - *s).find("://");
  if (scheme == std::string_view::npos) return false;
  size_t colon = t.substr(0, *e).find(':', *s + scheme + 3);
  if (colon == std::string_view::npos || colon + 1 >= *e - 1) return false;
  *s = colon + 1;
  *e = *e - 1;  // drop the '@'
  return true;
}

// Order matters only for ties between overlapping findings of equal length (earlier wins).
constexpr BuiltinPattern kPatterns[] = {
    {"private_key",
     R"(-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----)", false,
     refine_pem},
    {"aws_access_key",
     R"(\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA)[A-Z0-9]{16}\b)", false,
     nullptr},
    {"aws_secret_key",
     R"((?:aws[_ ]?secret(?:[_ ]?access)?(?:[_ ]?key)?|secret[_ ]?access[_ ]?key)["']?(?:\s*[:=]>?\s*|\s+is\s+)["']?[A-Za-z0-9/+]{40})",
     true, refine_aws_secret},
    {"gcp_api_key", R"(\bAIza[0-9A-Za-z_\-]{35})", false, refine_token},
    {"azure_key", R"(AccountKey=[A-Za-z0-9+/]{86}==)", true, refine_after_assignment},
    {"azure_key", R"(SharedAccessKey=[A-Za-z0-9+/]{43}=)", true, refine_after_assignment},
    {"azure_key", R"(\b[A-Za-z0-9_~.\-]{3}[0-9]Q~[A-Za-z0-9_~.\-]{31,34})", false, refine_token},
    {"azure_key",
     R"((?:azure|ocp-apim-subscription|cognitive|subscription)[-_ ]?key["']?\s*[:=]\s*["']?[0-9a-f]{32})",
     true, refine_hex32_key},
    {"github_token", R"(\bgh[pousr]_[A-Za-z0-9]{36,})", false, refine_token, "A-Za-z0-9_"},
    {"github_token", R"(\bgithub_pat_[A-Za-z0-9_]{82})", false, refine_token},
    {"slack_token", R"(\bxox[abposr]-[0-9A-Za-z\-]{10,})", false, refine_token, "A-Za-z0-9-"},
    {"slack_token", R"(\bxapp-[0-9]-[A-Z0-9]{8,16}-[0-9]{8,16}-[a-f0-9]{32,64})", false,
     refine_token},
    {"slack_token",
     R"(https://hooks\.slack\.com/services/T[A-Z0-9]{6,12}/B[A-Z0-9]{6,12}/[A-Za-z0-9]{20,32})",
     false, refine_token},
    {"anthropic_key", R"(\bsk-ant-(?:api|admin|oat|sid)[0-9]{2}-[A-Za-z0-9_\-]{20,})", false,
     refine_token, "A-Za-z0-9_-"},
    {"openai_key", R"(\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\-]{20,})", false,
     refine_openai, "A-Za-z0-9_-"},
    {"jwt", R"(\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{16,})", false,
     refine_jwt, "A-Za-z0-9_.-"},
    {"url_password", R"(\b[A-Za-z][A-Za-z0-9+.\-]{1,20}://[^\s:/@]*:[^\s/@]+@)", false,
     refine_url_password},
    {"email", R"([A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})", false,
     refine_email, "A-Za-z0-9._%+@-"},
    {"payment_card", R"(\b[0-9](?:[ \-]?[0-9]){12,18}\b)", false, refine_card, "0-9 -", 13},
    {"iban", R"(\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}\b)", false, refine_iban, "A-Z0-9 "},
    {"us_ssn", R"(\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b)", false, refine_ssn, "0-9-", 9},
    {"us_ssn", R"(\b[0-9]{3} [0-9]{2} [0-9]{4}\b)", false, refine_ssn, "0-9 ", 9},
    {"us_ssn", R"(\b(?:ssn|social security(?: number| no\.?| #)?)\b[^0-9\n]{0,12}[0-9]{9}\b)", true,
     refine_ssn},
    {"uk_nino", R"(\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]\b)",
     false, refine_nino, "A-Z0-9 "},
    {"ca_sin", R"(\b[0-9]{3}[ \-][0-9]{3}[ \-][0-9]{3}\b)", false, refine_sin, "0-9 -", 9},
    {"ca_sin", R"(\b(?:sin|social insurance(?: number| no\.?)?)\b[^0-9\n]{0,12}[0-9]{9}\b)", true,
     refine_sin},
    {"phone", R"(\+[0-9](?:[ .\-]?\(?[0-9]\)?){6,16})", false, refine_phone_plus, "0-9 .()+-", 7},
    {"phone", R"((?:\([2-9][0-9]{2}\) ?|\b[2-9][0-9]{2}[ .\-])[2-9][0-9]{2}[ .\-][0-9]{4}\b)",
     false, refine_phone_national, "0-9 .()-", 10},
    {"phone", R"(\b0[1-9][0-9]{1,4}[ \-][0-9]{3,4}[ \-]?[0-9]{3,4}\b)", false,
     refine_phone_national, "0-9 -", 9},
    {"phone", R"(\b0[1-9](?:[ .\-][0-9]{2}){4}\b)", false, refine_phone_national, "0-9 .-", 10},
    {"phone",
     R"(\b(?:phone|tel|telephone|mobile|cell|call me|call|fax|whatsapp|sms|text me|ring)\b[^0-9+(\n]{0,12}[+(]?[0-9][0-9 ().\-]{5,20}[0-9])",
     true, refine_phone_context},
    {"ipv4", R"(\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b)", false, refine_ipv4, "0-9.", 4},
    {"ipv6", R"((?:[0-9A-Fa-f]{1,4}|:)(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.[0-9]{1,3}){0,3})", false,
     refine_ipv6},
};

constexpr std::string_view kKinds[] = {
    "email",          "phone",         "payment_card", "iban",         "us_ssn",
    "uk_nino",        "ca_sin",        "ipv4",         "ipv6",         "aws_access_key",
    "aws_secret_key", "gcp_api_key",   "azure_key",    "github_token", "slack_token",
    "openai_key",     "anthropic_key", "jwt",          "private_key",  "url_password",
};

}  // namespace

std::span<const BuiltinPattern> builtin_patterns() {
  return kPatterns;
}
std::span<const std::string_view> builtin_kind_names() {
  return kKinds;
}

}  // namespace fulcrum::router
