// AVX2 + FMA + F16C dot products (this file is compiled with -mavx2 -mfma -mf16c).
#define FULCRUM_DOT_NS avx2
#include "kernels/x86/dot_impl.inc"
