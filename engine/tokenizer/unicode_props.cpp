#include "engine/tokenizer/unicode_props.h"

#include <utf8proc.h>

#include <memory>

namespace fulcrum::engine {
namespace {

// White_Space property (PropList.txt): what Python's and Rust's regex \s match.
constexpr uint32_t kWhitespace[] = {0x09,   0x0A,   0x0B,   0x0C,   0x0D,   0x20,   0x85,
                                    0xA0,   0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004,
                                    0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028,
                                    0x2029, 0x202F, 0x205F, 0x3000};

uint8_t category_flags(utf8proc_category_t c) {
  switch (c) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
      return cpflag::kLetter;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
      return cpflag::kMark;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return cpflag::kNumber;
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
      return cpflag::kPunctuation;
    case UTF8PROC_CATEGORY_SM:
    case UTF8PROC_CATEGORY_SC:
    case UTF8PROC_CATEGORY_SK:
    case UTF8PROC_CATEGORY_SO:
      return cpflag::kSymbol;
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
      return cpflag::kSeparator;
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO:
      return cpflag::kControl;
    default:
      return 0;
  }
}

std::unique_ptr<uint8_t[]> build_table() {
  auto t = std::make_unique<uint8_t[]>(kMaxCodepoint + 1);
  for (uint32_t cp = 0; cp <= kMaxCodepoint; ++cp)
    t[cp] = category_flags(utf8proc_category(static_cast<utf8proc_int32_t>(cp)));
  for (uint32_t cp : kWhitespace) t[cp] |= cpflag::kWhitespace;
  return t;
}

}  // namespace

const uint8_t* codepoint_flag_table() {
  static const std::unique_ptr<uint8_t[]> table = build_table();  // thread-safe static init
  return table.get();
}

uint8_t codepoint_flags(uint32_t cp) {
  return cp <= kMaxCodepoint ? codepoint_flag_table()[cp] : 0;
}

uint32_t codepoint_to_lower(uint32_t cp) {
  if (cp > kMaxCodepoint) return cp;
  return static_cast<uint32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp)));
}

uint32_t codepoint_nfd_base(uint32_t cp) {
  if (cp < 0xC0 || cp > kMaxCodepoint) return cp;
  utf8proc_int32_t buf[8];
  int last_boundclass = 0;
  utf8proc_ssize_t n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), buf, 8,
                                               UTF8PROC_DECOMPOSE, &last_boundclass);
  if (n <= 0) return cp;
  return static_cast<uint32_t>(buf[0]);
}

}  // namespace fulcrum::engine
