// Checks that turn a regex candidate into a finding: checksums (Luhn, IBAN mod-97), issuing
// rules (US SSN ranges, UK NINO prefixes, card IIN ranges) and address syntax (IPv4, IPv6).
// Pure functions on bytes; no allocation beyond small locals.
#pragma once

#include <string_view>

namespace fulcrum::router {

// Luhn over the digits of `s` (other bytes ignored). False for fewer than 2 digits.
bool luhn_valid(std::string_view s);
// A payment card number: 13-19 digits, Luhn, a known issuer prefix, and consistent grouping
// (separators, if any, all the same ' ' or '-').
bool payment_card_valid(std::string_view s);
// IBAN: country code with its registered length, mod-97 == 1 (spaces ignored, any case).
bool iban_valid(std::string_view s);
// Whether an IBAN may begin with country code `a` `b` (upper case): the registry lists it.
bool iban_country_known(char a, char b);
// US SSN "AAA-GG-SSSS" / "AAA GG SSSS" / 9 digits: area not 000, 666 or 900-999, group not 00,
// serial not 0000, and not one of the SSA's advertising numbers (987-65-4320..4329).
bool us_ssn_valid(std::string_view s);
// UK National Insurance number "QQ 12 34 56 C" (spaces optional): prefix letter rules and
// the excluded prefixes BG, GB, KN, NK, NT, TN, ZZ.
bool uk_nino_valid(std::string_view s);
// Canadian SIN: 9 digits (grouped 3-3-3), Luhn, first digit not 8 (business numbers).
bool ca_sin_valid(std::string_view s);
// Dotted quad, each octet 0-255 without leading zeros, not 0.0.0.0, loopback, broadcast, or
// a netmask (e.g. 255.255.255.0).
bool ipv4_valid(std::string_view s);
// An IPv6 address (inet_pton) with at least one digit and two groups, not :: or ::1.
bool ipv6_valid(std::string_view s);
// A JWT: three base64url parts whose first decodes to a JSON object with "alg".
bool jwt_valid(std::string_view s);
// HTTP Basic credentials: base64 (padded to a multiple of 4) of printable "user:password" with
// a non-empty user and password.
bool basic_auth_valid(std::string_view s);
// A 40-byte AWS secret: base64 alphabet, with upper, lower case and a digit (not a hex hash).
bool aws_secret_valid(std::string_view s);
// Email: local part not starting/ending with '.', no "..", TLD alphabetic 2+.
bool email_valid(std::string_view s);
// Phone: 7-15 digits (E.164), at most 4 separators in a row, not all the same digit.
bool phone_valid(std::string_view s, bool has_plus);

}  // namespace fulcrum::router
