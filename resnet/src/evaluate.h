// Evaluation with running batch-norm statistics (model.eval()), no gradients.
#pragma once
#include <cstdint>
#include <vector>

#include "batches.h"
#include "model.h"

namespace resnet {

struct EvalResult {
  std::int64_t count = 0;
  double loss = 0;      // mean cross-entropy
  double accuracy = 0;  // fraction correct
  // confusion[true * K + predicted], filled only when asked for.
  std::vector<std::int64_t> confusion;
};

// The model is left in the mode it was in. The loss and the correct count stay
// on the device until the end (one read per evaluation).
EvalResult evaluate(ResNet& model, const BatchBuilder& batches, std::int64_t count,
                    std::int64_t batch_size, bool with_confusion);

// Per-class accuracy from a confusion matrix (K x K).
std::vector<double> per_class_accuracy(const std::vector<std::int64_t>& confusion, int classes);

}  // namespace resnet
