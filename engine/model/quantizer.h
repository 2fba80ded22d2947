// quantize_model: writes a copy of a GGUF model with its weights converted by a QuantRecipe
// (gguf/gguf_writer streams it row chunk by row chunk: the source stays mapped, the output never
// sits in memory whole). Metadata is copied; general.file_type and
// general.quantization_version are set.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "engine/model/quant_recipe.h"
#include "kernels/ggml_type.h"

namespace fulcrum::engine {

struct QuantizedTensor {
  std::string name;
  kernels::GgmlType from;
  kernels::GgmlType to;
  uint64_t bytes;
};

struct QuantizeReport {
  uint64_t in_bytes = 0;   // source file size
  uint64_t out_bytes = 0;  // written (or, for a dry run, would-be) file size
  std::vector<QuantizedTensor> tensors;
};

// dry_run: computes the layout and size only, writes nothing.
Result<QuantizeReport> quantize_model(const std::string& in_path, const std::string& out_path,
                                      const QuantRecipe& recipe, int n_threads, bool dry_run);

}  // namespace fulcrum::engine
