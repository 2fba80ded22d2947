#include "router/privacy_gates.h"

#include <algorithm>
#include <array>
#include <bit>
#include <initializer_list>

#include "router/ascii.h"
#include "router/validators.h"

namespace fulcrum::router {
namespace {

bool digit_at(std::string_view t, size_t i) {
  return i < t.size() && is_digit(t[i]);
}

struct GroupShape {
  uint8_t min_len, max_len;
};

// True when shape.size() consecutive digit groups have lengths within the shape, are separated by
// 1..max_gap bytes all from `seps`, and (lead_zero) the first begins with '0' then 1-9.
bool has_shape(std::string_view t, std::span<const DigitGroup> g, std::span<const GroupShape> shape,
               std::string_view seps, size_t max_gap, bool lead_zero) {
  const size_t n = shape.size();
  for (size_t k = 0; k + n <= g.size(); ++k) {
    if (lead_zero && (t[g[k].start] != '0' || g[k].len < 2 || t[g[k].start + 1] == '0')) continue;
    size_t i = 0;
    for (; i < n; ++i) {
      const DigitGroup& x = g[k + i];
      if (x.len < shape[i].min_len || x.len > shape[i].max_len) break;
      if (i + 1 == n) continue;
      const size_t gap_start = x.start + x.len, gap = g[k + i + 1].start - gap_start;
      if (gap > max_gap) break;
      bool ok = true;
      for (size_t b = gap_start; b < gap_start + gap; ++b)
        ok = ok && seps.find(t[b]) != std::string_view::npos;
      if (!ok) break;
    }
    if (i == n) return true;
  }
  return false;
}

// Appends each run with at least `min_digits` digits whose groups satisfy `test`.
template <typename Test>
void gate_runs(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out, Test test) {
  for (const NumberRun& r : in.runs) {
    if (r.digits < min_digits) continue;
    if (test(r, in.groups_of(r))) out->push_back({r.start, r.end});
  }
}

template <size_t N>
void gate_shape(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out,
                const std::array<GroupShape, N>& shape, std::string_view seps, size_t max_gap,
                bool lead_zero) {
  gate_runs(in, min_digits, out, [&](const NumberRun&, std::span<const DigitGroup> g) {
    return has_shape(in.text, g, shape, seps, max_gap, lead_zero);
  });
}

}  // namespace

void GateInput::collect(std::string_view t, const TextMasks& m) {
  text = t;
  masks = &m;
  runs.clear();
  groups.clear();
  capital_pairs.clear();
  const size_t words = (t.size() + 63) / 64;
  const uint64_t* num = m.words(TextMasks::kNumeric);
  const uint64_t* digit = m.words(TextMasks::kDigit);
  const uint64_t* upper = m.words(TextMasks::kUpper);
  // Shifted views across word edges: bit i of shr(x, w, k) is bit i + k of the text.
  auto shr = [](const uint64_t* x, size_t w, int k) {
    return (x[w] >> k) | (x[w + 1] << (64 - k));
  };
  size_t next = 0;  // runs end before this
  for (size_t w = 0; w < words; ++w) {
    // Starts of four number bytes in a row: every run with four digits has one.
    uint64_t four = num[w] & shr(num, w, 1) & shr(num, w, 2) & shr(num, w, 3);
    if (64 * w < next) four &= next - 64 * w >= 64 ? 0 : ~uint64_t{0} << (next - 64 * w);
    while (four) {
      size_t p = 64 * w + static_cast<size_t>(std::countr_zero(four));
      size_t s = m.run_start(TextMasks::kNumeric, p), e = m.next_clear(TextMasks::kNumeric, p);
      // Its digit groups, from the digit mask (a run is bounded by non-numeric bytes, so the
      // groups found inside it are maximal).
      const auto begin = static_cast<uint32_t>(groups.size());
      size_t d = 0;
      for (size_t i = m.next_set(TextMasks::kDigit, s); i < e;) {
        size_t j = std::min(m.next_clear(TextMasks::kDigit, i), e);
        groups.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(j - i)});
        d += j - i;
        i = j < e ? m.next_set(TextMasks::kDigit, j) : e;
      }
      if (d >= 4) {
        runs.push_back({static_cast<uint32_t>(s), static_cast<uint32_t>(e),
                        static_cast<uint32_t>(d), begin, static_cast<uint32_t>(groups.size())});
      } else {
        groups.resize(begin);
      }
      next = e;
      four &= e - 64 * w >= 64 ? 0 : ~uint64_t{0} << (e - 64 * w);
    }
    uint64_t pairs = upper[w] & shr(upper, w, 1) & shr(digit, w, 3);
    while (pairs) {
      capital_pairs.push_back(static_cast<uint32_t>(64 * w + std::countr_zero(pairs)));
      pairs &= pairs - 1;
    }
  }
}

// refine_card accepts a span only from a group whose first digit is 2-6 (a known issuer) with
// 13-19 digits from there on.
void gate_payment_card(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out) {
  gate_runs(in, min_digits, out, [&](const NumberRun& r, std::span<const DigitGroup> g) {
    uint32_t before = 0;
    for (const DigitGroup& x : g) {
      if (r.digits - before < 13) return false;
      char c = in.text[x.start];
      if (c >= '2' && c <= '6') return true;
      before += x.len;
    }
    return false;
  });
}

void gate_ssn_dashed(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out) {
  static constexpr std::array<GroupShape, 3> kShape{{{3, 3}, {2, 2}, {4, 4}}};
  gate_shape(in, min_digits, out, kShape, "-", 1, false);
}

void gate_ssn_spaced(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out) {
  static constexpr std::array<GroupShape, 3> kShape{{{3, 3}, {2, 2}, {4, 4}}};
  gate_shape(in, min_digits, out, kShape, " ", 1, false);
}

void gate_ca_sin(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out) {
  static constexpr std::array<GroupShape, 3> kShape{{{3, 3}, {3, 3}, {3, 3}}};
  gate_shape(in, min_digits, out, kShape, " -", 1, false);
}

// "(415) 555-2671", "415.555.2671".
void gate_phone_nanp(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out) {
  static constexpr std::array<GroupShape, 3> kShape{{{3, 3}, {3, 3}, {4, 4}}};
  gate_shape(in, min_digits, out, kShape, " .-()", 2, false);
}

// "020 7946 0958", "030-1234 5678": 0[1-9] and 1-4 digits, then 3-4 and 3-4 digits (the last
// separator optional, so the second group may hold 6-8).
void gate_phone_trunk(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out) {
  static constexpr std::array<GroupShape, 2> kShape{{{3, 6}, {3, 8}}};
  gate_shape(in, min_digits, out, kShape, " -", 1, true);
}

// "01 23 45 67 89".
void gate_phone_pairs(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out) {
  static constexpr std::array<GroupShape, 5> kShape{{{2, 2}, {2, 2}, {2, 2}, {2, 2}, {2, 2}}};
  gate_shape(in, min_digits, out, kShape, " .-", 1, true);
}

// refine_phone_plus: '+' right before a digit, not after a letter, digit or '+', and phone_valid
// wants at least 8 digits.
void gate_phone_plus(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out) {
  const std::string_view t = in.text;
  for (const NumberRun& r : in.runs) {
    if (r.digits < min_digits || r.digits < 8) continue;
    uint32_t seen = 0;  // digits before i
    for (size_t i = r.start; i < r.end && r.digits - seen >= 8; ++i) {
      if (is_digit(t[i])) {
        ++seen;
      } else if (t[i] == '+' && digit_at(t, i + 1) && (i == 0 || !is_alnum(t[i - 1])) &&
                 (i == 0 || t[i - 1] != '+')) {
        out->push_back({r.start, r.end});
        break;
      }
    }
  }
}

// refine_phone_00: the run's first digit group is "00" + 1-3 digits (the first not 0), with no
// letter or digit right before it, followed by a separator; at least 10 digits in the run.
void gate_phone_00(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out) {
  const std::string_view t = in.text;
  for (const NumberRun& r : in.runs) {
    if (r.digits < min_digits || r.digits < 10 || r.groups_begin == r.groups_end) continue;
    const DigitGroup& g = in.groups[r.groups_begin];
    if (g.len < 3 || g.len > 5 || t[g.start] != '0' || t[g.start + 1] != '0' ||
        t[g.start + 2] == '0' || (g.start > 0 && is_alnum(t[g.start - 1])))
      continue;
    const size_t after = g.start + g.len;
    if (after < t.size() && (t[after] == ' ' || t[after] == '.' || t[after] == '-'))
      out->push_back({r.start, r.end});
  }
}

void gate_ipv4(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out) {
  static constexpr std::array<GroupShape, 4> kShape{{{1, 3}, {1, 3}, {1, 3}, {1, 3}}};
  gate_shape(in, min_digits, out, kShape, ".", 1, false);
}

// `\b[A-Z]{2}[0-9]{2}`: a registered country code (iban_valid checks it) before two digits.
void gate_iban(const GateInput& in, uint8_t, std::vector<GateRegion>* out) {
  const std::string_view t = in.text;
  for (uint32_t p : in.capital_pairs) {
    if ((p > 0 && is_word(t[p - 1])) || !digit_at(t, p + 2)) continue;
    if (iban_country_known(t[p], t[p + 1])) out->push_back({p, p + 4});
  }
}

// `\b[A-Z][A-Z] ?[0-9]{2}`.
void gate_uk_nino(const GateInput& in, uint8_t, std::vector<GateRegion>* out) {
  const std::string_view t = in.text;
  for (uint32_t p : in.capital_pairs) {
    if (p > 0 && is_word(t[p - 1])) continue;
    if (digit_at(t, p + 2) || (t[p + 2] == ' ' && digit_at(t, p + 4))) out->push_back({p, p + 2});
  }
}

// An address without "::" (the literal anchor covers those) has at least six colons (eight
// groups, or six and an IPv4 tail) within its at most 45 bytes of hex digits, colons and dots.
void gate_ipv6_colons(const GateInput& in, uint8_t, std::vector<GateRegion>* out) {
  const std::string_view t = in.text;
  const TextMasks& m = *in.masks;
  std::array<size_t, 6> last{};
  size_t seen = 0;
  for (size_t c = m.next_set(TextMasks::kColon, 0); c < t.size();
       c = m.next_set(TextMasks::kColon, c + 1)) {
    last[seen++ % 6] = c;
    if (seen < 6) continue;
    size_t first = last[seen % 6];  // the sixth colon back
    if (c - first > 44) continue;
    bool hex = true;
    for (size_t i = first + 1; i < c && hex; ++i) {
      char b = t[i];
      hex = is_hex(b) || b == ':' || b == '.';
    }
    if (hex) out->push_back({static_cast<uint32_t>(first), static_cast<uint32_t>(c + 1)});
  }
}

bool check_word_start(std::string_view t, size_t s, size_t) {
  return s == 0 || !is_word(t[s - 1]);
}

// `[A-Za-z0-9._%+\-\x80-\xff]+@[A-Za-z0-9\-\x80-\xff]+`.
bool check_email_at(std::string_view t, size_t s, size_t e) {
  if (s == 0 || e >= t.size()) return false;
  char b = t[s - 1], a = t[e];
  auto high = [](char c) { return static_cast<unsigned char>(c) >= 0x80; };
  bool local = is_alnum(b) || high(b) || b == '.' || b == '_' || b == '%' || b == '+' || b == '-';
  return local && (is_alnum(a) || high(a) || a == '-');
}

// `[A-Za-z0-9+.\-]://[^\s:/@]*:[^\s/@]+@`: a scheme byte before, and an '@' ahead before any
// whitespace, '/' or '@' (\v is let through: whether \s holds it, passing it only widens this).
bool check_url_userinfo(std::string_view t, size_t s, size_t e) {
  if (s == 0) return false;
  char b = t[s - 1];
  if (!(is_alnum(b) || b == '+' || b == '.' || b == '-')) return false;
  for (size_t i = e; i < t.size(); ++i) {
    char c = t[i];
    if (c == '@') return true;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == '/') return false;
  }
  return false;
}

// "Q~" in `\b[A-Za-z0-9_~.\-]{3}[0-9]Q~`.
bool check_digit_before(std::string_view t, size_t s, size_t) {
  return s > 0 && is_digit(t[s - 1]);
}

// `\b(?:ssn|social security(?: number| no\.?| #)?)\b[^0-9\n]{0,12}[0-9]{9}\b` (and the SIN one):
// the first digit after the keyword, at most 7 + 12 bytes on and no newline before it, starts nine
// digits.
bool check_nine_digits_after(std::string_view t, size_t s, size_t e) {
  if (!check_word_start(t, s, e)) return false;
  for (size_t i = e; i < t.size() && i <= e + 24; ++i) {
    if (t[i] == '\n') return false;
    if (!is_digit(t[i])) continue;
    for (size_t k = 0; k < 9; ++k)
      if (!digit_at(t, i + k)) return false;
    return true;
  }
  return false;
}

// `\b(?:phone|tel|telephone|...)\b[^0-9+(\n]{0,12}[+(]?[0-9][0-9 ().\-]{5,20}[0-9]`, where the
// anchor may be the start of a longer keyword ("tel" in "telephone") and phone_valid wants 7
// digits: the first digit within 24 bytes, no newline before it, and 7 digits in the number bytes
// from there.
bool check_phone_after(std::string_view t, size_t s, size_t e) {
  if (!check_word_start(t, s, e)) return false;
  for (size_t i = e; i < t.size() && i <= e + 24; ++i) {
    if (t[i] == '\n') return false;
    if (!is_digit(t[i])) continue;
    int digits = 0;
    for (size_t k = i; k < t.size() && k < i + 64; ++k) {
      char c = t[k];
      if (is_digit(c)) {
        ++digits;
      } else if (c != ' ' && c != '(' && c != ')' && c != '.' && c != '-' && c != '+') {
        break;
      }
    }
    return digits >= 7;
  }
  return false;
}

// The credential keyword around an anchor occurrence [s, e), as the expression spells it:
// "token" after (access|auth|refresh|bearer|api|secret|session|private)[_-]?, "secret" after
// (client|app|api|consumer)[_-]? or before [_-]?key, the other anchors whole keywords; then
// `["']?[ \t]{0,4}[:=]`.
namespace {

bool ends_with_word(std::string_view t, size_t end, std::initializer_list<std::string_view> words) {
  for (std::string_view w : words)
    if (end >= w.size() && ascii::iequals(t.substr(end - w.size(), w.size()), w)) return true;
  return false;
}

size_t skip_separator_back(std::string_view t, size_t p) {
  return p > 0 && (t[p - 1] == '_' || t[p - 1] == '-') ? p - 1 : p;
}

bool assignment_follows(std::string_view t, size_t e) {
  if (e < t.size() && (t[e] == '"' || t[e] == '\'')) ++e;
  for (size_t n = 0; e < t.size() && n <= 4; ++e, ++n) {
    if (t[e] == ':' || t[e] == '=') return true;
    if (t[e] != ' ' && t[e] != '\t') return false;
  }
  return false;
}

}  // namespace

bool check_assignment_after(std::string_view t, size_t s, size_t e) {
  std::string_view anchor = t.substr(s, e - s);
  if (ascii::iequals(anchor, "token")) {
    if (!ends_with_word(
            t, skip_separator_back(t, s),
            {"access", "auth", "refresh", "bearer", "api", "secret", "session", "private"}))
      return false;
  } else if (ascii::iequals(anchor, "secret")) {
    bool key_after = false;
    size_t k = e < t.size() && (t[e] == '_' || t[e] == '-') ? e + 1 : e;
    if (k + 3 <= t.size() && ascii::iequals(t.substr(k, 3), "key")) {
      key_after = true;
      e = k + 3;
    }
    if (!key_after &&
        !ends_with_word(t, skip_separator_back(t, s), {"client", "app", "api", "consumer"}))
      return false;
  }
  return assignment_follows(t, e);
}

// `\bBasic [A-Za-z0-9+/]{8,}={0,2}`: a word start, then at least 8 base64 bytes after the anchor.
bool check_base64_after(std::string_view t, size_t s, size_t e) {
  if (!check_word_start(t, s, e)) return false;
  size_t n = 0;
  while (e + n < t.size() && n < 8 &&
         (ascii::is_alnum(t[e + n]) || t[e + n] == '+' || t[e + n] == '/'))
    ++n;
  return n == 8;
}

}  // namespace fulcrum::router
