// The convolution algorithm setting (conv_algorithm.h).
#include "engine/cpu/conv_algorithm.h"

#include <atomic>
#include <cstdlib>
#include <string>
#include <utility>

#include "engine/core/error.h"

namespace gl::cpu {

namespace {
constexpr ConvAlgorithm kAll[] = {ConvAlgorithm::kAuto, ConvAlgorithm::kIm2col, ConvAlgorithm::kDirect,
                                  ConvAlgorithm::kWinograd2, ConvAlgorithm::kWinograd4};
constexpr int kUnset = -1;
std::atomic<int> chosen{kUnset};  // set_conv_algorithm's value, or kUnset
}  // namespace

const char* conv_algorithm_name(ConvAlgorithm algorithm) {
  switch (algorithm) {
    case ConvAlgorithm::kAuto: return "auto";
    case ConvAlgorithm::kIm2col: return "im2col";
    case ConvAlgorithm::kDirect: return "direct";
    case ConvAlgorithm::kWinograd2: return "winograd2";
    case ConvAlgorithm::kWinograd4: return "winograd4";
  }
  return "?";
}

ConvAlgorithm parse_conv_algorithm(const std::string& name, const std::string& what) {
  for (ConvAlgorithm a : kAll)
    if (name == conv_algorithm_name(a)) return a;
  throw Error(fmt::format("{} is \"{}\": expected one of auto, im2col, direct, winograd2, winograd4",
                          what, name));
}

ConvAlgorithm conv_algorithm() {
  const int set = chosen.load(std::memory_order_relaxed);
  if (set != kUnset) return static_cast<ConvAlgorithm>(set);
  // The environment, read once: its algorithm, or the error a bad value gives (raised at every call).
  static const std::pair<ConvAlgorithm, std::string> from_env = []() -> std::pair<ConvAlgorithm, std::string> {
    const char* env = std::getenv("GRADLAB_CONV_ALGORITHM");
    if (env == nullptr || *env == '\0') return {ConvAlgorithm::kAuto, ""};
    try {
      return {parse_conv_algorithm(env, "GRADLAB_CONV_ALGORITHM"), ""};
    } catch (const Error& e) {
      return {ConvAlgorithm::kAuto, e.what()};
    }
  }();
  if (!from_env.second.empty()) throw Error(from_env.second);
  return from_env.first;
}

void set_conv_algorithm(ConvAlgorithm algorithm) {
  chosen.store(static_cast<int>(algorithm), std::memory_order_relaxed);
}

}  // namespace gl::cpu
