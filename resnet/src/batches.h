// Batches built on the device. The whole split lives on the device as raw f32
// pixels (0..255, [M, 3, 32, 32]); each step uploads only a plan, int32 rows
// (image index, dy, dx, flip), and the labels, and Backend::augment_batch
// pads, crops, flips and standardizes there. Plans come from (seed, epoch), so
// an epoch can be replayed exactly from any step (resume).
#pragma once
#include <cstdint>
#include <vector>

#include "checkpoint.h"
#include "cifar_io.h"
#include "engine/core/tensor.h"

namespace resnet {

constexpr std::int64_t kPad = 4;  // zero padding before the random 32 x 32 crop

struct DeviceImages {
  gl::Tensor pixels;                 // f32 [M, 3, 32, 32] raw values, on the device
  std::vector<std::int32_t> labels;  // host copy, [M]
  std::int64_t size() const { return static_cast<std::int64_t>(labels.size()); }
};
DeviceImages upload_images(const ImageSet& images, gl::Device device);

// Per-channel mean and std (population) of a set in raw units, with the mode.
Preprocessing make_preprocessing(const ImageSet& train, Standardize mode);

// One epoch of training batches: `steps` full batches (the last partial batch
// is dropped), a fresh shuffle, and random crops and flips when `augment`.
struct EpochPlan {
  std::int64_t steps = 0, batch = 0;
  std::vector<std::int32_t> rows;    // [steps * batch, 4]
  std::vector<std::int32_t> labels;  // [steps * batch]
};
EpochPlan make_epoch_plan(const std::vector<std::int32_t>& labels, std::int64_t batch,
                          std::uint64_t seed, std::int64_t epoch, bool augment);

// An epoch's plan on the device, uploaded in one copy of the rows and one of
// the labels per epoch: two small copies per step from pageable host memory
// would each let the driver synchronise with the GPU.
struct DevicePlan {
  gl::Tensor rows;    // int32 [steps * batch, 4]
  gl::Tensor labels;  // int32 [steps * batch]
  std::int64_t steps = 0, batch = 0;
};
DevicePlan upload_plan(const EpochPlan& plan, gl::Device device);

// Builds batches on the device from plan rows.
class BatchBuilder {
 public:
  BatchBuilder(const DeviceImages& images, const Preprocessing& prep);
  // Training batch `step` of an uploaded plan: x is written in place when it
  // already has the batch's shape (a fixed input buffer, the same address every
  // step), and y is a view of the plan's labels.
  void build_step(const DevicePlan& plan, std::int64_t step, gl::Tensor& x, gl::Tensor& y) const;
  // x [count, 3, 32, 32] standardized, labels int32 [count], both on the device.
  void build(const std::int32_t* rows, const std::int32_t* labels, std::int64_t count,
             gl::Tensor& x, gl::Tensor& y) const;
  // Images [begin, end) in order, unaugmented (evaluation).
  void build_plain(std::int64_t begin, std::int64_t end, gl::Tensor& x, gl::Tensor& y) const;

 private:
  const DeviceImages& images_;
  bool per_image_;
  gl::Tensor mean_, std_;  // f32 [3] on the device
};

}  // namespace resnet
