#include "engine/model/quantizer.h"

#include <algorithm>
#include <charconv>
#include <memory>
#include <vector>

#include "core/thread_pool.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "kernels/kernels.h"

namespace fulcrum::engine {
namespace {

using kernels::GgmlType;

constexpr int64_t kChunkRows = 64;

int layer_of(std::string_view name) {
  if (!name.starts_with("blk.")) return -1;
  int v = -1;
  auto r = std::from_chars(name.data() + 4, name.data() + name.size(), v);
  return r.ec == std::errc() ? v : -1;
}

struct ModelShape {
  int n_layer = 0;
  int64_t n_gqa = 1;
  bool has_output = false;
};

ModelShape model_shape(const gguf::GgufFile& f) {
  ModelShape s;
  s.has_output = f.find_tensor("output.weight") != nullptr;
  auto arch = f.get_string("general.architecture");
  if (!arch.ok() || !*arch) return s;
  const std::string p(**arch);
  auto nl = f.get_uint(p + ".block_count");
  if (nl.ok() && *nl) s.n_layer = static_cast<int>(std::min<uint64_t>(**nl, 1 << 20));
  auto nh = f.get_uint(p + ".attention.head_count");
  auto nkv = f.get_uint(p + ".attention.head_count_kv");
  if (nh.ok() && nkv.ok() && *nh && *nkv && **nkv > 0) s.n_gqa = static_cast<int64_t>(**nh / **nkv);
  return s;
}

// Converts rows of a source tensor to the target type, a chunk of rows at a time.
Status convert_tensor(const gguf::TensorInfo& t, GgmlType to, ThreadPool& pool,
                      gguf::TensorSink& out) {
  const int64_t n_cols = static_cast<int64_t>(t.ne[0]);
  const int64_t n_rows = static_cast<int64_t>(t.n_elements / t.ne[0]);
  const uint64_t src_row = *kernels::ggml_row_size(t.type, n_cols);
  const uint64_t dst_row = *kernels::ggml_row_size(to, n_cols);
  const int64_t chunk = std::min(kChunkRows, n_rows);
  std::vector<float> f32(static_cast<size_t>(chunk * n_cols));
  std::vector<uint8_t> dst(static_cast<size_t>(chunk * dst_row));
  for (int64_t r0 = 0; r0 < n_rows; r0 += chunk) {
    const int64_t m = std::min(chunk, n_rows - r0);
    pool.parallel_for(m, [&](int64_t i, int) {
      float* row = f32.data() + i * n_cols;
      kernels::dequantize_row(t.type, t.data + (r0 + i) * src_row, row, n_cols);
      kernels::quantize_row(to, row, dst.data() + i * dst_row, n_cols);
    });
    FULCRUM_TRY_STATUS(out.write(dst.data(), static_cast<size_t>(m * dst_row)));
  }
  return {};
}

}  // namespace

Result<QuantizeReport> quantize_model(const std::string& in_path, const std::string& out_path,
                                      const QuantRecipe& recipe, int n_threads, bool dry_run) {
  FULCRUM_TRY(auto src, gguf::GgufFile::open(in_path));
  auto file = std::make_shared<gguf::GgufFile>(std::move(src));
  const ModelShape shape = model_shape(*file);
  auto pool = std::make_shared<ThreadPool>(std::max(1, n_threads));
  gguf::GgufWriter w;
  w.copy_metadata(*file);
  w.set_u32("general.file_type", recipe.file_type());
  QuantizeReport rep;
  rep.in_bytes = file->file_size();
  bool any_quantized = false;
  for (const auto& t : file->tensors()) {
    TensorQuantInfo qi{
        t.name,
        t.n_dims,
        static_cast<int64_t>(t.ne[0]),
        t.name == "output.weight" || (!shape.has_output && t.name == "token_embd.weight"),
        layer_of(t.name),
        shape.n_layer,
        shape.n_gqa};
    GgmlType to = recipe.type_for(qi).value_or(t.type);
    std::span<const uint64_t> ne(t.ne.data(), t.n_dims);
    if (to != t.type && !kernels::is_supported(t.type))
      return file
          ->error(ErrorCode::kUnimplemented, "tensor '" + std::string(t.name) + "' has type " +
                                                 std::string(kernels::ggml_type_name(t.type)) +
                                                 ", which cannot be converted")
          .with_field(std::string(t.name));
    if (to == t.type) {
      FULCRUM_TRY_STATUS(w.add_tensor(t.name, t.type, ne, static_cast<const void*>(t.data)));
    } else {
      const gguf::TensorInfo* tp = &t;
      FULCRUM_TRY_STATUS(w.add_tensor(t.name, to, ne, [file, pool, tp, to](gguf::TensorSink& out) {
        return convert_tensor(*tp, to, *pool, out);
      }));
    }
    any_quantized |= to != GgmlType::kF32 && to != GgmlType::kF16 && to != GgmlType::kBF16;
    rep.tensors.push_back(
        {std::string(t.name), t.type, to, *kernels::ggml_row_size(to, t.n_elements)});
  }
  if (any_quantized) w.set_u32("general.quantization_version", 2);
  FULCRUM_TRY(auto layout, w.layout());
  rep.out_bytes = layout.file_size;
  if (!dry_run) FULCRUM_TRY_STATUS(w.write(out_path));
  return rep;
}

}  // namespace fulcrum::engine
