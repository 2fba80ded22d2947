// Run-time selected SIMD dot products. The same kernel source (dot_impl.inc) is compiled twice:
// once for AVX2+FMA+F16C and once for AVX-512 (BW/VL/VNNI), each file with its own flags; the
// dispatcher asks the CPU (cpuid) which one it may call. Each returns nullptr for a type it has
// no kernel for (the caller uses the scalar reference then).
#pragma once

#include <cstdint>

#include "kernels/ggml_type.h"

namespace fulcrum::kernels::x86 {

using DotFn = float (*)(int64_t n, const void* w, const void* x);

bool cpu_has_avx2();    // AVX2 + FMA + F16C
bool cpu_has_avx512();  // AVX-512 F/BW/VL/VNNI

namespace avx2 {
DotFn dot_for(GgmlType weight_type);
}
namespace avx512 {
DotFn dot_for(GgmlType weight_type);
}

}  // namespace fulcrum::kernels::x86
