#include "router/privacy_patterns.h"

#include <span>

#include "router/ascii.h"
#include "router/validators.h"

namespace fulcrum::router {
namespace {

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

// The word just before `s` (across blanks, ':', '=' and '#') is one of `words`, any case.
bool after_word(std::string_view t, size_t s, std::span<const std::string_view> words) {
  size_t p = s;
  while (p > 0 && (t[p - 1] == ' ' || t[p - 1] == ':' || t[p - 1] == '=' || t[p - 1] == '#' ||
                   t[p - 1] == '\t'))
    --p;
  size_t word_end = p;
  while (p > 0 && is_alpha(t[p - 1]) && word_end - p < 16) --p;
  if (p > 0 && is_word(t[p - 1])) return false;
  std::string_view w = t.substr(p, word_end - p);
  for (std::string_view k : words)
    if (iequals(w, k)) return true;
  return false;
}

// "version 1.2.3.4", "firmware: 10.0.0.1": a dotted quad named as a version is not an address.
constexpr std::string_view kVersionWords[] = {"version",  "versions", "ver",
                                              "firmware", "revision", "v"};
// "Lot 398 581 4669", "order #415-555-2671": a number named as an identifier is not a phone.
constexpr std::string_view kIdentifierWords[] = {"lot",  "batch",    "order",  "invoice",  "ticket",
                                                 "case", "ref",      "serial", "sku",      "part",
                                                 "item", "tracking", "isbn",   "reference"};

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

// The digits after an international prefix start with an assigned country calling code (ITU-T
// E.164: 1 and 7, the two-digit codes, three-digit codes in the other ranges); behind 1 (NANP)
// come exactly 10 digits.
bool country_code_ok(std::string_view digits) {
  if (digits.size() < 3) return false;
  if (digits[0] == '1') return digits.size() == 11;
  if (digits[0] == '7') return true;
  static constexpr std::string_view kTwoDigit[] = {
      "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
      "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
      "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98"};
  static constexpr std::string_view kThreeDigitLeads[] = {
      "21", "22", "23", "24", "25", "26", "29", "35", "37", "38", "42", "50",
      "59", "67", "68", "69", "80", "85", "87", "88", "96", "97", "99"};
  for (std::string_view c : kTwoDigit)
    if (digits.starts_with(c)) return true;
  for (std::string_view c : kThreeDigitLeads)
    if (digits.starts_with(c)) return true;
  return false;
}

// "0044 20 7946 0958": the international prefix 00 written for '+'; validated as "+44 20 ...".
bool refine_phone_00(std::string_view t, size_t* s, size_t* e) {
  char b = before(t, *s);
  if (is_alnum(b) || b == '+' || b == '.' || b == '-') return false;
  // The first digits of their run of number bytes (0x20-0x39): "DE89 3704 0044 0532 ..." holds
  // a "0044" group that is not a phone.
  size_t p = *s;
  while (p > 0 && t[p - 1] >= 0x20 && t[p - 1] < '0') --p;
  if (p > 0 && is_digit(t[p - 1])) return false;
  if (after_word(t, *s, kIdentifierWords)) return false;
  std::string_view number = t.substr(*s + 2, *e - *s - 2);
  if (!phone_tail_ok(t, *e) || !phone_valid(number, true)) return false;
  // The whole run of digit groups, not its first groups.
  if (at(t, *e) == ' ' && is_digit(at(t, *e + 1))) return false;
  // At most 13 digits after 00: longer runs ("0075 3885 9315 5536") are account numbers.
  char digits[24];
  size_t n = 0;
  for (char c : number)
    if (is_digit(c) && n < sizeof(digits)) digits[n++] = c;
  return n <= 13 && country_code_ok({digits, n});
}

bool refine_phone_national(std::string_view t, size_t* s, size_t* e) {
  char b = before(t, *s);
  if (is_digit(b) || b == '+' || b == '.' || b == '-') return false;
  // "tracking 9400 6020 0140 9312 2440 71": the word may stand before other digit groups.
  size_t p = *s;
  while (p > 0 && (is_digit(t[p - 1]) || t[p - 1] == ' ' || t[p - 1] == '-') && *s - p < 64) --p;
  if (after_word(t, p, kIdentifierWords)) return false;
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
  // Part of a longer dotted number ("1.4111.1111.1111.1111", "4111.1111.1111.1111.2").
  if (at(t, *e) == '.' && is_digit(at(t, *e + 1))) return false;
  if (before(t, *s) == '.' && *s >= 2 && is_digit(t[*s - 2])) return false;
  for (size_t p = *s; p < *e; ++p) {
    if (!is_digit(t[p]) || (p > *s && (is_digit(t[p - 1]) || t[p - 1] == '.'))) continue;
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
  if (!first_digit(t, s, *e)) return false;  // "SIN 046454286": the number, not the label
  if (at(t, *e) == '-' && is_digit(at(t, *e + 1))) return false;
  if (before(t, *s) == '-' && is_digit(before(t, *s - 1))) return false;
  return ca_sin_valid(t.substr(*s, *e - *s));
}

bool refine_ipv4(std::string_view t, size_t* s, size_t* e) {
  char b = before(t, *s);
  if (b == '.' || is_digit(b)) return false;
  if (at(t, *e) == '.' && is_digit(at(t, *e + 1))) return false;
  if (after_word(t, *s, kVersionWords)) return false;
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

// A token of mixed case ("hf_" + letters): identifiers in code rarely are.
bool refine_mixed_token(std::string_view t, size_t* s, size_t* e) {
  if (!token_end(t, *e)) return false;
  bool upper = false, lower = false;
  for (char c : t.substr(*s, *e - *s)) {
    upper |= is_upper(c);
    lower |= is_lower(c);
  }
  return upper && lower;
}

// `password = "..."`, `DB_PASSWORD=...`, `"api_key": "..."`: the value after the separator,
// without a closing quote or trailing punctuation. Values that name a secret instead of holding
// one (placeholders, environment lookups) and plain lowercase words under 12 bytes are left out.
bool refine_credential(std::string_view t, size_t* s, size_t* e) {
  // The whole value: Vectorscan also reports every shorter end.
  char n = at(t, *e);
  if (!(n == '\0' || n == ' ' || n == '\t' || n == '\n' || n == '\r' || n == '\v' || n == '\f' ||
        n == '"' || n == '\'' || n == ',' || n == ';'))
    return false;
  std::string_view m = t.substr(*s, *e - *s);
  size_t sep = m.find_first_of(":=");
  if (sep == std::string_view::npos) return false;
  size_t p = sep + 1;
  while (p < m.size() && (m[p] == ' ' || m[p] == '\t')) ++p;
  if (p < m.size() && (m[p] == '"' || m[p] == '\'')) ++p;
  size_t q = m.size();
  while (q > p && (m[q - 1] == '.' || m[q - 1] == ')' || m[q - 1] == ']' || m[q - 1] == '}' ||
                   m[q - 1] == '>' || m[q - 1] == ':'))
    --q;
  std::string_view v = m.substr(p, q - p);
  if (v.size() < 6) return false;
  char c0 = v.front();
  if (c0 == '<' || c0 == '$' || c0 == '{' || c0 == '%' || c0 == '[' || c0 == '(') return false;
  bool same = true, lower_only = true;
  for (char c : v) {
    same &= c == c0;
    lower_only &= is_lower(c);
  }
  if (same || (lower_only && v.size() < 12)) return false;
  std::string lowered;
  ascii::to_lower(v, &lowered);
  static constexpr std::string_view kNotSecrets[] = {
      "your",        "example", "redacted", "placeholder", "xxxx",    "****",
      "process.env", "environ", "getenv",   "secrets.",    "config.", "settings."};
  for (std::string_view n : kNotSecrets)
    if (lowered.find(n) != std::string::npos) return false;
  *s += p;
  *e = *s + v.size();
  return true;
}

// "Basic <base64 of user:password>": the encoded part.
bool refine_basic_auth(std::string_view t, size_t* s, size_t* e) {
  if (is_b64(at(t, *e)) || at(t, *e) == '=') return false;
  size_t sp = t.substr(*s, *e - *s).find(' ');
  if (sp == std::string_view::npos || !basic_auth_valid(t.substr(*s + sp + 1, *e - *s - sp - 1)))
    return false;
  *s += sp + 1;
  return true;
}

// "Bearer <opaque token>": the token, when it mixes letters and digits (placeholders such as
// "Bearer YOUR_TOKEN" do not).
bool refine_bearer(std::string_view t, size_t* s, size_t* e) {
  char n = at(t, *e);
  if (is_alnum(n) || n == '.' || n == '_' || n == '~' || n == '+' || n == '/' || n == '-' ||
      n == '=')
    return false;
  size_t sp = t.substr(*s, *e - *s).find(' ');
  if (sp == std::string_view::npos) return false;
  bool digit = false, alpha = false;
  for (char c : t.substr(*s + sp + 1, *e - *s - sp - 1)) {
    digit |= is_digit(c);
    alpha |= is_alpha(c);
  }
  if (!digit || !alpha) return false;
  *s += sp + 1;
  return true;
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
    {.kind = "private_key",
     .regex =
         R"(-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----)",
     .caseless = false,
     .refine = refine_pem,
     .anchors = "-----BEGIN "},
    {.kind = "aws_access_key",
     .regex = R"(\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA)[A-Z0-9]{16}\b)",
     .caseless = false,
     .refine = nullptr,
     .anchors = "AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA",
     .check = check_word_start},
    {.kind = "aws_secret_key",
     .regex =
         R"((?:aws[_ ]?secret(?:[_ ]?access)?(?:[_ ]?key)?|secret[_ ]?access[_ ]?key)["']?(?:\s*[:=]>?\s*|\s+is\s+)["']?[A-Za-z0-9/+]{40})",
     .caseless = true,
     .refine = refine_aws_secret,
     .span = "A-Za-z0-9_ \t\n\v\f\r\"':=>/+",
     .anchors = "secret"},
    {.kind = "gcp_api_key",
     .regex = R"(\bAIza[0-9A-Za-z_\-]{35})",
     .caseless = false,
     .refine = refine_token,
     .anchors = "AIza",
     .check = check_word_start},
    {.kind = "azure_key",
     .regex = R"(AccountKey=[A-Za-z0-9+/]{86}==)",
     .caseless = true,
     .refine = refine_after_assignment,
     .anchors = "AccountKey="},
    {.kind = "azure_key",
     .regex = R"(SharedAccessKey=[A-Za-z0-9+/]{43}=)",
     .caseless = true,
     .refine = refine_after_assignment,
     .anchors = "SharedAccessKey="},
    {.kind = "azure_key",
     .regex = R"(\b[A-Za-z0-9_~.\-]{3}[0-9]Q~[A-Za-z0-9_~.\-]{31,34})",
     .caseless = false,
     .refine = refine_token,
     .anchors = "Q~",
     .check = check_digit_before},
    {.kind = "azure_key",
     .regex =
         R"((?:azure|ocp-apim-subscription|cognitive|subscription)[-_ ]?key["']?\s*[:=]\s*["']?[0-9a-f]{32})",
     .caseless = true,
     .refine = refine_hex32_key,
     .span = "A-Za-z0-9_ \t\n\v\f\r\"':=-",
     .anchors = "azure|subscription|cognitive"},
    {.kind = "github_token",
     .regex = R"(\bgh[pousr]_[A-Za-z0-9]{36,})",
     .caseless = false,
     .refine = refine_token,
     .span = "A-Za-z0-9_",
     .anchors = "ghp_|gho_|ghu_|ghs_|ghr_",
     .check = check_word_start},
    {.kind = "github_token",
     .regex = R"(\bgithub_pat_[A-Za-z0-9_]{50,})",
     .caseless = false,
     .refine = refine_token,
     .span = "A-Za-z0-9_",
     .anchors = "github_pat_",
     .check = check_word_start},
    {.kind = "slack_token",
     .regex = R"(\bxox[abposr]-[0-9A-Za-z\-]{10,})",
     .caseless = false,
     .refine = refine_token,
     .span = "A-Za-z0-9-",
     .anchors = "xoxa-|xoxb-|xoxp-|xoxo-|xoxs-|xoxr-",
     .check = check_word_start},
    {.kind = "slack_token",
     .regex = R"(\bxapp-[0-9]-[A-Z0-9]{8,16}-[0-9]{8,16}-[a-f0-9]{32,64})",
     .caseless = false,
     .refine = refine_token,
     .anchors = "xapp-",
     .check = check_word_start},
    {.kind = "slack_token",
     .regex =
         R"(https://hooks\.slack\.com/services/T[A-Z0-9]{6,12}/B[A-Z0-9]{6,12}/[A-Za-z0-9]{20,32})",
     .caseless = false,
     .refine = refine_token,
     .anchors = "https://hooks.slack.com/services/"},
    {.kind = "anthropic_key",
     .regex = R"(\bsk-ant-(?:api|admin|oat|sid)[0-9]{2}-[A-Za-z0-9_\-]{20,})",
     .caseless = false,
     .refine = refine_token,
     .span = "A-Za-z0-9_-",
     .anchors = "sk-ant-",
     .check = check_word_start},
    {.kind = "openai_key",
     .regex = R"(\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\-]{20,})",
     .caseless = false,
     .refine = refine_openai,
     .span = "A-Za-z0-9_-",
     .anchors = "sk-",
     .check = check_word_start},
    {.kind = "stripe_key",
     .regex = R"(\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,})",
     .caseless = false,
     .refine = refine_token,
     .span = "A-Za-z0-9_",
     .anchors = "sk_live_|sk_test_|rk_live_|rk_test_",
     .check = check_word_start},
    {.kind = "gitlab_token",
     .regex = R"(\bgl(?:pat|dt|rt|ptt|ft|soat)-[A-Za-z0-9_\-]{20,})",
     .caseless = false,
     .refine = refine_token,
     .span = "A-Za-z0-9_-",
     .anchors = "glpat-|gldt-|glrt-|glptt-|glft-|glsoat-",
     .check = check_word_start},
    {.kind = "npm_token",
     .regex = R"(\bnpm_[A-Za-z0-9]{36})",
     .caseless = false,
     .refine = refine_token,
     .span = "A-Za-z0-9_",
     .anchors = "npm_",
     .check = check_word_start},
    {.kind = "huggingface_token",
     .regex = R"(\bhf_[A-Za-z0-9]{30,})",
     .caseless = false,
     .refine = refine_mixed_token,
     .span = "A-Za-z0-9_",
     .anchors = "hf_",
     .check = check_word_start},
    {.kind = "sendgrid_key",
     .regex = R"(\bSG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})",
     .caseless = false,
     .refine = refine_token,
     .span = "A-Za-z0-9_.-",
     .anchors = "SG.",
     .check = check_word_start},
    {.kind = "jwt",
     .regex = R"(\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{16,})",
     .caseless = false,
     .refine = refine_jwt,
     .span = "A-Za-z0-9_.-",
     .anchors = "eyJ",
     .check = check_word_start},
    {.kind = "url_password",
     .regex = R"(\b[A-Za-z][A-Za-z0-9+.\-]{1,20}://[^\s:/@]*:[^\s/@]+@)",
     .caseless = false,
     .refine = refine_url_password,
     .span = "^ \t\n\f\r",
     .anchors = "://",
     .check = check_url_userinfo},
    {.kind = "email",
     // Bytes 0x80-0xFF: UTF-8 local parts and domain labels (RFC 6531, "zoë@exämple.com").
     .regex =
         R"([A-Za-z0-9._%+\-\x80-\xff]+@[A-Za-z0-9\-\x80-\xff]+(?:\.[A-Za-z0-9\-\x80-\xff]+)*\.[A-Za-z]{2,})",
     .caseless = false,
     .refine = refine_email,
     .span = "A-Za-z0-9._%+\x80-\xff@-",
     .anchors = "@",
     .check = check_email_at},
    {.kind = "payment_card",
     .regex = R"(\b[0-9](?:[ .\-]?[0-9]){12,18}\b)",
     .caseless = false,
     .refine = refine_card,
     .span = "0-9 .-",
     .min_digits = 13,
     .gate = gate_payment_card,
     .gate_contains = true},
    {.kind = "iban",
     .regex = R"(\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}\b)",
     .caseless = false,
     .refine = refine_iban,
     .span = "A-Z0-9 ",
     .gate = gate_iban},
    {.kind = "us_ssn",
     .regex = R"(\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b)",
     .caseless = false,
     .refine = refine_ssn,
     .span = "0-9-",
     .min_digits = 9,
     .gate = gate_ssn_dashed,
     .gate_contains = true},
    {.kind = "us_ssn",
     .regex = R"(\b[0-9]{3} [0-9]{2} [0-9]{4}\b)",
     .caseless = false,
     .refine = refine_ssn,
     .span = "0-9 ",
     .min_digits = 9,
     .gate = gate_ssn_spaced,
     .gate_contains = true},
    {.kind = "us_ssn",
     .regex = R"(\b(?:ssn|social security(?: number| no\.?| #)?)\b[^0-9\n]{0,12}[0-9]{9}\b)",
     .caseless = true,
     .refine = refine_ssn,
     .anchors = "ssn|social security",
     .check = check_nine_digits_after},
    {.kind = "uk_nino",
     .regex = R"(\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]\b)",
     .caseless = false,
     .refine = refine_nino,
     .span = "A-Z0-9 ",
     .gate = gate_uk_nino},
    {.kind = "ca_sin",
     .regex = R"(\b[0-9]{3}[ \-][0-9]{3}[ \-][0-9]{3}\b)",
     .caseless = false,
     .refine = refine_sin,
     .span = "0-9 -",
     .min_digits = 9,
     .gate = gate_ca_sin,
     .gate_contains = true},
    {.kind = "ca_sin",
     .regex = R"(\b(?:sin|social insurance(?: number| no\.?)?)\b[^0-9\n]{0,12}[0-9]{9}\b)",
     .caseless = true,
     .refine = refine_sin,
     .anchors = "sin|social insurance",
     .check = check_nine_digits_after},
    {.kind = "phone",
     .regex = R"(\+[0-9](?:[ .\-]?\(?[0-9]\)?){6,16})",
     .caseless = false,
     .refine = refine_phone_plus,
     .span = "0-9 .()+-",
     .min_digits = 7,
     .gate = gate_phone_plus,
     .gate_contains = true},
    {.kind = "phone",
     .regex = R"(\b00[1-9][0-9]{0,2}[ .\-](?:[ .\-]?\(?[0-9]\)?){6,14})",
     .caseless = false,
     .refine = refine_phone_00,
     .span = "0-9 .()-",
     .min_digits = 10,
     .gate = gate_phone_00,
     .gate_contains = true},
    {.kind = "phone",
     .regex = R"((?:\([2-9][0-9]{2}\) ?|\b[2-9][0-9]{2}[ .\-])[0-9]{3}[ .\-][0-9]{4}\b)",
     .caseless = false,
     .refine = refine_phone_national,
     .span = "0-9 .()-",
     .min_digits = 10,
     .gate = gate_phone_nanp,
     .gate_contains = true},
    {.kind = "phone",
     .regex = R"(\b0[1-9][0-9]{1,4}[ \-][0-9]{3,4}[ \-]?[0-9]{3,4}\b)",
     .caseless = false,
     .refine = refine_phone_national,
     .span = "0-9 -",
     .min_digits = 9,
     .gate = gate_phone_trunk,
     .gate_contains = true},
    {.kind = "phone",
     .regex = R"(\b0[1-9](?:[ .\-][0-9]{2}){4}\b)",
     .caseless = false,
     .refine = refine_phone_national,
     .span = "0-9 .-",
     .min_digits = 10,
     .gate = gate_phone_pairs,
     .gate_contains = true},
    {.kind = "phone",
     .regex =
         R"(\b(?:phone|tel|telephone|mobile|cell|call me|call|fax|whatsapp|sms|text me|ring)\b[^0-9+(\n]{0,12}[+(]?[0-9][0-9 ().\-]{5,20}[0-9])",
     .caseless = true,
     .refine = refine_phone_context,
     .anchors = "phone|tel|mobile|cell|call|fax|whatsapp|sms|text me|ring",
     .check = check_phone_after},
    {.kind = "ipv4",
     .regex = R"(\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b)",
     .caseless = false,
     .refine = refine_ipv4,
     .span = "0-9.",
     .min_digits = 4,
     .gate = gate_ipv4,
     .gate_contains = true},
    {.kind = "ipv6",
     .regex = R"((?:[0-9A-Fa-f]{1,4}|:)(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.[0-9]{1,3}){0,3})",
     .caseless = false,
     .refine = refine_ipv6,
     .anchors = "::",
     .gate = gate_ipv6_colons},
    // Last: where a known key format is also assigned ("api_key = sk-..."), that kind wins the tie.
    {.kind = "credential",
     .regex =
         R"((?:password|passwd|pwd|passphrase|(?:client|app|api|consumer)[_\-]?secret|secret[_\-]?key|api[_\-]?key|apikey|(?:access|auth|refresh|bearer|api|secret|session|private)[_\-]?token)["']?[ \t]{0,4}[:=][ \t]{0,4}["']?[^\s"',;]{6,})",
     .caseless = true,
     .refine = refine_credential,
     .span = "^\n\v\f\r",
     .anchors = "password|passwd|pwd|passphrase|secret|api_key|api-key|apikey|token",
     .check = check_assignment_after},
    {.kind = "credential",
     .regex = R"(\bBasic [A-Za-z0-9+/]{8,}={0,2})",
     .caseless = true,
     .refine = refine_basic_auth,
     .span = "A-Za-z0-9+/= ",
     .anchors = "basic ",
     .check = check_base64_after},
    {.kind = "credential",
     .regex = R"(\bBearer [A-Za-z0-9._~+/\-]{20,}=*)",
     .caseless = true,
     .refine = refine_bearer,
     .span = "A-Za-z0-9._~+/= -",
     .anchors = "bearer ",
     .check = check_word_start},
};

constexpr std::string_view kKinds[] = {
    "email",
    "phone",
    "payment_card",
    "iban",
    "us_ssn",
    "uk_nino",
    "ca_sin",
    "ipv4",
    "ipv6",
    "aws_access_key",
    "aws_secret_key",
    "gcp_api_key",
    "azure_key",
    "github_token",
    "slack_token",
    "openai_key",
    "anthropic_key",
    "stripe_key",
    "gitlab_token",
    "npm_token",
    "huggingface_token",
    "sendgrid_key",
    "jwt",
    "private_key",
    "url_password",
    "credential",
};

}  // namespace

std::span<const BuiltinPattern> builtin_patterns() {
  return kPatterns;
}
std::span<const std::string_view> builtin_kind_names() {
  return kKinds;
}

}  // namespace fulcrum::router
