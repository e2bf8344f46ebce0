// bench_ops entry point. Threads follow OMP_NUM_THREADS (gl::set_num_threads(0)).
// Times are wall-clock (UseRealTime): the work runs on several threads.
#include <benchmark/benchmark.h>

#include <cstdio>

#include "bench/bench_shapes.h"
#include "engine/core/backend.h"

int main(int argc, char** argv) {
  gl::set_num_threads(0);
  std::printf("gradlab bench_ops: %d thread(s)\n", gl::num_threads());
  gl::bench::register_conv_benchmarks();
  gl::bench::register_matmul_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
