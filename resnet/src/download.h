// `resnet download`: the official CIFAR-10 binary archive
// (https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz, 162 MB), checked
// against its published MD5 and unpacked into DIR/cifar-10-batches-bin/.
// Uses the system's curl, md5sum and tar.
#pragma once
#include <filesystem>
#include <string>

namespace resnet {

constexpr const char* kCifarUrl = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
constexpr const char* kCifarMd5 = "c32a1d4ab5d03f1284b67883e8d87530";

// Throws with what to do by hand when the download or the check fails.
void download_cifar10(const std::filesystem::path& data_dir, const std::string& url = kCifarUrl,
                      const std::string& md5 = kCifarMd5);

}  // namespace resnet
