// fuzz_seeds OUT: writes the seed corpus, OUT/<target>/seed-NNN, for scripts/fuzz.sh.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "fuzz_seeds.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seeds OUT_DIR\n");
    return 2;
  }
  for (const auto& [target, inputs] : resnet::fuzz::seed_corpus()) {
    const std::filesystem::path dir = std::filesystem::path(argv[1]) / target;
    std::filesystem::create_directories(dir);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "seed-%03zu", i);
      std::ofstream(dir / name, std::ios::binary) << inputs[i];
    }
    std::printf("%s: %zu seeds\n", target.c_str(), inputs.size());
  }
  return 0;
}
