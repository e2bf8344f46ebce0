// conv2d at the ResNet-20 shapes (batch 128, 3x3, pad 1), float32:
//   ops/conv_fwd      gl::conv2d, no graph recorded
//   ops/conv_fwd_bwd  gl::conv2d + backward (dx and dw), as in training
//   backend/conv_fwd, backend/conv_bwd   the Backend calls alone
#include <benchmark/benchmark.h>

#include "bench/bench_shapes.h"
#include "engine/core/autograd.h"
#include "engine/core/backend.h"
#include "engine/core/random.h"
#include "engine/ops/ops.h"

namespace gl::bench {

namespace {

struct ConvData {
  Tensor x, w, dy;
  ConvGeom g;
  explicit ConvData(const ConvShape& s) {
    Rng rng(1);
    x = Tensor::randn({s.N, s.C, s.H, s.H}, rng);              // [N, C, H, W]
    w = Tensor::randn({s.C, s.C, 3, 3}, rng, 0.0, 0.1);         // [K, C, R, S]
    dy = Tensor::randn({s.N, s.C, s.H, s.H}, rng);             // [N, K, Ho, Wo]
    g = {s.N, s.C, s.H, s.H, s.C, 3, 3, 1, 1, 1, 1, s.H, s.H};
  }
};

void ops_fwd(benchmark::State& state, ConvShape s) {
  ConvData d(s);
  NoGradGuard no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(conv2d(d.x, d.w, Tensor(), 1, 1));
}

void ops_fwd_bwd(benchmark::State& state, ConvShape s) {
  ConvData d(s);
  d.x.set_requires_grad();
  d.w.set_requires_grad();
  for (auto _ : state) {
    Tensor y = conv2d(d.x, d.w, Tensor(), 1, 1);
    y.backward(d.dy);
    d.x.zero_grad();
    d.w.zero_grad();
  }
}

void backend_fwd(benchmark::State& state, ConvShape s) {
  ConvData d(s);
  Tensor y = Tensor::empty({s.N, s.C, s.H, s.H});
  Backend& be = backend(Device::cpu);
  for (auto _ : state) be.conv2d_forward(d.x, d.w, Tensor(), d.g, y);
}

void backend_bwd(benchmark::State& state, ConvShape s) {
  ConvData d(s);
  Tensor dx = Tensor::empty(d.x.shape()), dw = Tensor::empty(d.w.shape()), none;
  Backend& be = backend(Device::cpu);
  for (auto _ : state) be.conv2d_backward(d.x, d.w, d.dy, d.g, dx, dw, none);
}

}  // namespace

void register_conv_benchmarks() {
  for (const ConvShape& s : kConvShapes) {
    for (auto [name, fn] : {std::pair{"ops/conv_fwd/", &ops_fwd},
                            std::pair{"ops/conv_fwd_bwd/", &ops_fwd_bwd},
                            std::pair{"backend/conv_fwd/", &backend_fwd},
                            std::pair{"backend/conv_bwd/", &backend_bwd}}) {
      benchmark::RegisterBenchmark((name + s.name()).c_str(), fn, s)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
}

}  // namespace gl::bench
