// A deterministic ~1 MB mixed-language text for tokenizer benchmarks: English prose, C++ and
// Python code, Chinese and Japanese, emoji, numbers and dates, interleaved in paragraphs.
#pragma once

#include <cstdint>
#include <string>

namespace fulcrum::bench {

std::string mixed_text(size_t bytes, uint64_t seed = 42);

}  // namespace fulcrum::bench
