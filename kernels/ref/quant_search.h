// The scale searches behind the quantizers: given a group of values, find integer levels and a
// scale (and for the asymmetric types a min) that minimise a weighted squared (or absolute) error.
// These follow the algorithms llama.cpp's quantizers use (same search grids and weightings), so
// a file quantized here is as accurate as one quantized there.
#pragma once

#include <cmath>
#include <cstdint>

namespace fulcrum::kernels::ref {

// Round to nearest, ties to even, for |x| < 2^22 (the callers' range).
inline int nearest_int(float x) {
  return static_cast<int>(std::nearbyint(x));
}

// Weighting of the symmetric search when no explicit weights are given.
enum class SymWeight { kSquare = 1, kOne = 2, kAbs = 3, kSqrtAbs = 4 };

// Symmetric levels L[i] in [0, 2*nmax) (value = scale * (L - nmax)). Tries scales around
// -nmax/max and keeps the one with the least weighted error (weights qw, or from `weighting`).
// With search=false, returns the plain max-based scale.
float sym_quant_search(int n, int nmax, const float* x, int8_t* L, bool search, SymWeight weighting,
                       const float* qw);

// Symmetric 3-bit-style levels with coordinate-descent refinement (weights x^2); L in [0, 2*nmax).
float sym_quant_refine(int n, int nmax, const float* x, int8_t* L);

// Asymmetric levels L in [0, nmax] with value = scale * L - min_out; grid search over
// nstep+1 scales (rmin + rdelta*k + nmax)/(max - min), least-squares scale and min for each.
// `weights` may be null: then x^2. use_mad: absolute instead of squared error.
float asym_quant_search(int n, int nmax, const float* x, const float* weights, uint8_t* L,
                        float* min_out, uint8_t* Laux, float rmin, float rdelta, int nstep,
                        bool use_mad);

// Positive-only levels L in [0, nmax] for a group of scales (used to quantize the sub-block scales
// of the K types under an importance matrix), weighted by quant_weights.
float pos_quant_search(int n, int nmax, const float* x, uint8_t* L, const float* quant_weights);

// Best index in a sorted table of n int8 values for x.
int nearest_level(int n, const int8_t* values, float x);

}  // namespace fulcrum::kernels::ref
