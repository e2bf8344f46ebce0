// A small, learnable data set written in the CIFAR-10 binary layout, for tests
// and for demonstrations without the real files.
//
// Class c is a periodic pattern, period 5 or 10 pixels (c / 5), of one of five
// kinds (c % 5): vertical stripes, horizontal stripes, plaid (both), diagonal
// crosshatch, rings around a random centre. All five are symmetric under a
// left-right flip, the training augmentation. Every image draws its own phase,
// its own two colours (so no colour and no single pixel tells the class) and
// pixel noise. Classes are balanced, so a constant guess scores 10%. A network
// must see the pattern over a neighbourhood, which is what convolutions learn.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "cifar_io.h"

namespace resnet {

// `count` images, classes in turn (0, 1, ..., 9, 0, ...), from `seed`.
ImageSet make_synthetic_images(std::int64_t count, std::uint64_t seed);
std::vector<std::string> synthetic_class_names();

// Writes data_batch_1.bin ... data_batch_5.bin (train_count images in all, split
// evenly), test_batch.bin (test_count) and batches.meta.txt into `dir`.
void write_synthetic_dataset(const std::filesystem::path& dir, std::int64_t train_count,
                             std::int64_t test_count, std::uint64_t seed);

}  // namespace resnet
