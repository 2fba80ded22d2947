// The dot products with AVX-512 VL/BW/VNNI available (this file is compiled with
// -mavx512f -mavx512bw -mavx512vl -mavx512vnni): byte products use vpdpbusd.
#define FULCRUM_DOT_NS avx512
#define FULCRUM_DOT_VNNI 1
#include "kernels/x86/dot_impl.inc"
