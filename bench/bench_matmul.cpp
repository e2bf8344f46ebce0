// matmul [M, K] x [K, N] in float32, through gl::matmul (allocates the
// result each time) and through Backend::gemm into a reused output.
#include <benchmark/benchmark.h>

#include "bench/bench_shapes.h"
#include "engine/core/autograd.h"
#include "engine/core/backend.h"
#include "engine/core/random.h"
#include "engine/ops/ops.h"

namespace gl::bench {

namespace {

void ops_matmul(benchmark::State& state, MatmulShape s) {
  Rng rng(2);
  Tensor a = Tensor::randn({s.M, s.K}, rng), b = Tensor::randn({s.K, s.N}, rng);
  NoGradGuard no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(matmul(a, b));
}

void backend_gemm(benchmark::State& state, MatmulShape s) {
  Rng rng(2);
  Tensor a = Tensor::randn({s.M, s.K}, rng), b = Tensor::randn({s.K, s.N}, rng);
  Tensor c = Tensor::empty({s.M, s.N});
  Backend& be = backend(Device::cpu);
  for (auto _ : state) be.gemm(false, false, s.M, s.N, s.K, 1.0, a, 0, b, 0, 0.0, c, 0, 1);
}

}  // namespace

void register_matmul_benchmarks() {
  for (const MatmulShape& s : kMatmulShapes) {
    benchmark::RegisterBenchmark(("ops/matmul/" + s.name()).c_str(), ops_matmul, s)
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("backend/matmul/" + s.name()).c_str(), backend_gemm, s)
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace gl::bench
