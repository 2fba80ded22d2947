#include "router/validators.h"

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "router/ascii.h"

namespace fulcrum::router {
namespace {

char to_upper(char c) {
  return is_lower(c) ? static_cast<char>(c - 'a' + 'A') : c;
}

// Digits of `s` into `out` (up to its capacity); returns the count, or -1 if too many.
template <size_t N>
int collect_digits(std::string_view s, std::array<uint8_t, N>* out) {
  int n = 0;
  for (char c : s) {
    if (!is_digit(c)) continue;
    if (n == static_cast<int>(N)) return -1;
    (*out)[n++] = static_cast<uint8_t>(c - '0');
  }
  return n;
}

// IBAN length per country (ISO 13616 registry, as published by SWIFT).
struct IbanCountry {
  char code[3];
  uint8_t length;
};
constexpr IbanCountry kIbanCountries[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24}, {"DE", 22},
    {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18}, {"FO", 18}, {"FR", 27},
    {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27}, {"GT", 28}, {"HR", 21}, {"HU", 28},
    {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20},
    {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"MC", 27}, {"MD", 24},
    {"ME", 22}, {"MK", 19}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NL", 18}, {"NO", 15}, {"PK", 24},
    {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"SA", 24}, {"SC", 31},
    {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"ST", 25}, {"SV", 28}, {"TL", 23}, {"TN", 24},
    {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20},
};

int iban_length(char a, char b) {
  for (const auto& c : kIbanCountries)
    if (c.code[0] == a && c.code[1] == b) return c.length;
  return -1;
}

int base64url_value(char c) {
  if (is_upper(c)) return c - 'A';
  if (is_lower(c)) return c - 'a' + 26;
  if (is_digit(c)) return c - '0' + 52;
  if (c == '-' || c == '+') return 62;
  if (c == '_' || c == '/') return 63;
  return -1;
}

// Decodes base64 (either alphabet) up to the first '=' or the end, handing each byte to
// on_byte; false when a byte is outside the alphabet or on_byte returns false.
template <typename OnByte>
bool decode_base64(std::string_view s, OnByte on_byte) {
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    if (c == '=') break;
    int v = base64url_value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (!on_byte(static_cast<unsigned char>((acc >> bits) & 0xff))) return false;
    }
  }
  return true;
}

}  // namespace

bool luhn_valid(std::string_view s) {
  std::array<uint8_t, 32> d{};
  int n = collect_digits(s, &d);
  if (n < 2) return false;
  int sum = 0;
  for (int i = 0; i < n; ++i) {
    int v = d[n - 1 - i];
    if (i % 2 == 1) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
  }
  return sum % 10 == 0;
}

bool payment_card_valid(std::string_view s) {
  std::array<uint8_t, 32> d{};
  int n = collect_digits(s, &d);
  if (n < 13 || n > 19) return false;
  char sep = 0;
  for (char c : s) {
    if (is_digit(c)) continue;
    if (c != ' ' && c != '-' && c != '.') return false;
    if (sep != 0 && c != sep) return false;
    sep = c;
  }
  // Dots only as a card is printed (groups of 4-6, at least three dots), never a decimal number
  // such as 2.718281828459045.
  if (sep == '.') {
    int dots = 0;
    size_t group = 0;
    for (char c : s) {
      if (c != '.') {
        ++group;
        continue;
      }
      if (group < 4 || group > 6) return false;
      ++dots;
      group = 0;
    }
    if (dots < 3 || group < 1 || group > 6) return false;
  }
  int p2 = d[0] * 10 + d[1];
  int p4 = p2 * 100 + d[2] * 10 + d[3];
  bool issuer = false;
  switch (d[0]) {
    case 4:
      issuer = n == 13 || n == 16 || n == 19;
      break;  // Visa
    case 5:
      issuer = n >= 12;
      break;  // MC, Maestro
    case 2:
      issuer = p4 >= 2221 && p4 <= 2720 && n == 16;
      break;  // MC 2-series
    case 3:
      if (p2 == 34 || p2 == 37)
        issuer = n == 15;  // Amex
      else if (p2 == 35)
        issuer = p4 >= 3528 && p4 <= 3589 && n >= 16;  // JCB
      else
        issuer = (p2 == 30 || p2 == 36 || p2 == 38 || p2 == 39) && n >= 14;  // Diners
      break;
    case 6:
      issuer = n >= 16;
      break;  // Discover, UnionPay, Maestro
    default:
      issuer = false;
  }
  return issuer && luhn_valid(s);
}

bool iban_country_known(char a, char b) {
  return iban_length(a, b) > 0;
}

bool iban_valid(std::string_view s) {
  char buf[40];
  int n = 0;
  for (char c : s) {
    if (c == ' ') continue;
    if (n == static_cast<int>(sizeof(buf))) return false;
    c = to_upper(c);
    if (!is_upper(c) && !is_digit(c)) return false;
    buf[n++] = c;
  }
  if (n < 15 || !is_upper(buf[0]) || !is_upper(buf[1]) || !is_digit(buf[2]) || !is_digit(buf[3]))
    return false;
  if (iban_length(buf[0], buf[1]) != n) return false;
  // Move the first four characters to the end, letters → 10..35, then mod 97, digit by digit.
  int rem = 0;
  for (int k = 0; k < n; ++k) {
    char c = buf[(k + 4) % n];
    if (is_digit(c)) {
      rem = (rem * 10 + (c - '0')) % 97;
    } else {
      int v = c - 'A' + 10;
      rem = (rem * 100 + v) % 97;
    }
  }
  return rem == 1;
}

bool us_ssn_valid(std::string_view s) {
  std::array<uint8_t, 9> d{};
  if (collect_digits(s, &d) != 9) return false;
  int area = d[0] * 100 + d[1] * 10 + d[2];
  int group = d[3] * 10 + d[4];
  int serial = d[5] * 1000 + d[6] * 100 + d[7] * 10 + d[8];
  if (area == 0 || area == 666 || area >= 900) return false;
  if (group == 0 || serial == 0) return false;
  // Numbers the SSA voided after they were published (078-05-1120 on a wallet insert,
  // 219-09-9999 in an advertisement) are still reported: they are the ones people paste as
  // "an SSN", and a prompt carrying one is treated as carrying an SSN.
  return true;
}

bool uk_nino_valid(std::string_view s) {
  char b[9];
  int n = 0;
  for (char c : s) {
    if (c == ' ') continue;
    if (n == 9) return false;
    b[n++] = to_upper(c);
  }
  if (n != 9) return false;
  auto bad_first = [](char c) { return std::strchr("DFIQUV", c) != nullptr; };
  auto bad_second = [](char c) { return std::strchr("DFIOQUV", c) != nullptr; };
  if (!is_upper(b[0]) || !is_upper(b[1]) || bad_first(b[0]) || bad_second(b[1])) return false;
  for (int i = 2; i < 8; ++i)
    if (!is_digit(b[i])) return false;
  if (b[8] < 'A' || b[8] > 'D') return false;
  static constexpr const char* kExcluded[] = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"};
  for (const char* x : kExcluded)
    if (b[0] == x[0] && b[1] == x[1]) return false;
  return true;
}

bool ca_sin_valid(std::string_view s) {
  std::array<uint8_t, 9> d{};
  if (collect_digits(s, &d) != 9) return false;
  // 8 starts business numbers. 0 is not assigned, but "046 454 286" is the number every
  // government example uses, so it is reported like an assigned one.
  if (d[0] == 8) return false;
  return luhn_valid(s);
}

bool ipv4_valid(std::string_view s) {
  int octets[4];
  size_t i = 0;
  for (int n = 0; n < 4; ++n) {
    if (n > 0) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
    size_t j = i;
    int v = 0;
    while (j < s.size() && j - i < 4 && is_digit(s[j])) v = v * 10 + (s[j++] - '0');
    size_t len = j - i;
    if (len == 0 || len > 3 || v > 255 || (len > 1 && s[i] == '0')) return false;
    octets[n] = v;
    i = j;
  }
  if (i != s.size()) return false;
  if (octets[0] == 0 || octets[0] == 127) return false;  // unspecified, loopback
  if (octets[0] == 255) return false;                    // broadcast and netmasks
  return true;
}

bool ipv6_valid(std::string_view s) {
  if (s.size() < 3 || s.size() > 45) return false;
  char buf[46];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = 0;
  unsigned char addr[16];
  if (inet_pton(AF_INET6, buf, addr) != 1) return false;
  bool digit = false;
  int colons = 0;
  for (char c : s) {
    digit |= is_digit(c);
    colons += c == ':';
  }
  if (!digit || colons < 2) return false;
  static const unsigned char kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  static const unsigned char kAny[16] = {};
  return std::memcmp(addr, kLoopback, 16) != 0 && std::memcmp(addr, kAny, 16) != 0;
}

bool jwt_valid(std::string_view s) {
  size_t dot = s.find('.');
  if (dot == std::string_view::npos || dot < 4) return false;
  size_t dot2 = s.find('.', dot + 1);
  if (dot2 == std::string_view::npos || dot2 == dot + 1 || dot2 + 1 >= s.size()) return false;
  // Decode at most the first 96 bytes of the header and look for "alg".
  std::string_view head = s.substr(0, dot < 128 ? dot : 128);
  char out[96];
  size_t n = 0;
  bool ok = decode_base64(head, [&](unsigned char b) {
    if (n < sizeof(out)) out[n++] = static_cast<char>(b);
    return true;
  });
  if (!ok) return false;
  std::string_view decoded(out, n);
  return !decoded.empty() && decoded[0] == '{' && decoded.find("\"alg\"") != std::string_view::npos;
}

bool basic_auth_valid(std::string_view s) {
  if (s.empty() || s.size() % 4 != 0 || s.size() > 1024) return false;
  size_t n = 0, colon = 0;
  bool have_colon = false;
  bool ok = decode_base64(s, [&](unsigned char b) {
    if (b < 0x20 || b == 0x7f) return false;
    if (b == ':' && !have_colon) {
      have_colon = true;
      colon = n;
    }
    ++n;
    return true;
  });
  return ok && have_colon && colon > 0 && colon + 1 < n;
}

bool aws_secret_valid(std::string_view s) {
  if (s.size() != 40) return false;
  bool up = false, low = false, dig = false;
  for (char c : s) {
    if (is_upper(c))
      up = true;
    else if (is_lower(c))
      low = true;
    else if (is_digit(c))
      dig = true;
    else if (c != '/' && c != '+')
      return false;
  }
  return up && low && dig;
}

bool email_valid(std::string_view s) {
  size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= s.size()) return false;
  std::string_view local = s.substr(0, at), domain = s.substr(at + 1);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    return false;
  if (domain.find("..") != std::string_view::npos || domain.front() == '-' || domain.front() == '.')
    return false;
  size_t dot = domain.rfind('.');
  if (dot == std::string_view::npos) return false;
  std::string_view tld = domain.substr(dot + 1);
  if (tld.size() < 2) return false;
  for (char c : tld)
    if (!is_alpha(c)) return false;
  return true;
}

bool phone_valid(std::string_view s, bool has_plus) {
  std::array<uint8_t, 16> d{};
  int n = collect_digits(s, &d);
  if (n < 0) return false;
  if (n < (has_plus ? 8 : 7) || n > 15) return false;
  bool same = true;
  for (int i = 1; i < n; ++i) same &= d[i] == d[0];
  if (same) return false;
  int run = 0;
  for (char c : s) {
    run = is_digit(c) ? 0 : run + 1;
    if (run > 2) return false;
    if (is_alpha(c)) return false;
  }
  // A date such as 2024-05-06 or 2024.05.06 is not a phone number.
  if (s.size() == 10 && is_digit(s[0]) && is_digit(s[3]) && !is_digit(s[4]) && s[4] == s[7] &&
      is_digit(s[5]) && is_digit(s[9]))
    return false;
  return true;
}

}  // namespace fulcrum::router
