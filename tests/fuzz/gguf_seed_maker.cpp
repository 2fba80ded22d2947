// gguf_seed_maker OUT_DIR FILE...: writes a miniature of each GGUF file into OUT_DIR as a fuzz
// seed: the same keys (arrays cut to their first elements) and the same tensors (names, types,
// dims) with shapes shrunk to a block or two, so the fuzzer starts from small inputs that reach
// every part of the reader instead of multi-megabyte models.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"

namespace {

using fulcrum::gguf::GgufFile;
using fulcrum::gguf::GgufWriter;
using fulcrum::gguf::Value;
using fulcrum::gguf::ValueType;
using fulcrum::gguf::WriteValue;

constexpr uint64_t kMaxElems = 16;
constexpr size_t kMaxTensors = 24;

// The value, with arrays cut to their first kMaxElems elements.
WriteValue shrink(const Value& v) {
  if (!v.is_array() || v.size() <= kMaxElems) return WriteValue::from(v);
  if (v.elem_type() == ValueType::kString)
    return WriteValue::string_array(v.strings().subspan(0, kMaxElems));
  if (v.elem_type() == ValueType::kArray) {
    std::vector<WriteValue> elems;
    for (uint64_t i = 0; i < kMaxElems; ++i) elems.push_back(shrink(v.elements()[i]));
    return *WriteValue::array_of_arrays(elems);
  }
  return WriteValue::fixed_array(v.elem_type(), v.raw_data(), kMaxElems);
}

bool make_seed(const std::string& path, const std::string& out) {
  auto f = GgufFile::open(path);
  if (!f.ok()) {
    std::fprintf(stderr, "%s\n", f.error().to_string().c_str());
    return false;
  }
  GgufWriter w;
  for (const auto& kv : f->metadata()) w.set_value(kv.key, shrink(kv.value));
  size_t n = std::min(f->tensors().size(), kMaxTensors);
  for (size_t i = 0; i < n; ++i) {
    const auto& t = f->tensors()[i];
    uint32_t block = fulcrum::kernels::ggml_traits(t.type).block_size;
    std::vector<uint64_t> ne(t.ne.begin(), t.ne.begin() + t.n_dims);
    ne[0] = block > 1 ? block : std::min<uint64_t>(ne[0], 8);
    for (size_t d = 1; d < ne.size(); ++d) ne[d] = std::min<uint64_t>(ne[d], 2);
    // The first bytes of the real tensor: the shrunk tensor is never larger than the original.
    auto s = w.add_tensor(t.name, t.type, ne, t.data);
    if (!s.ok()) {
      std::fprintf(stderr, "%s: %s\n", path.c_str(), s.error().to_string().c_str());
      return false;
    }
  }
  auto s = w.write(out);
  if (!s.ok()) std::fprintf(stderr, "%s\n", s.error().to_string().c_str());
  return s.ok();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: gguf_seed_maker OUT_DIR FILE...\n");
    return 2;
  }
  std::filesystem::path dir = argv[1];
  int failed = 0;
  for (int i = 2; i < argc; ++i) {
    auto out = dir / (std::filesystem::path(argv[i]).stem().string() + "-mini.gguf");
    if (!make_seed(argv[i], out.string())) ++failed;
  }
  return failed == 0 ? 0 : 1;
}
