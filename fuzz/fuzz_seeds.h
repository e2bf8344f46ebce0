// The seed corpus of every fuzz target, made by code (no committed data
// files): a real checkpoint of a tiny ResNet, its metadata, the corrupt
// safetensors variants of resnet/tests, CIFAR records, train command lines,
// small PNG and JPEG images and answer files. scripts/fuzz.sh writes them with
// the fuzz_seeds program; the replay test runs them through fuzz_entries.h.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace resnet::fuzz {

// target name ("safetensors", "checkpoint_metadata", "cifar", "train_flags",
// "image", "answer_file") -> its seed inputs.
std::map<std::string, std::vector<std::string>> seed_corpus();

}  // namespace resnet::fuzz
