#include "trainer.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "batches.h"
#include "device_select.h"
#include "engine/core/backend.h"
#include "engine/core/error.h"
#include "engine/core/random.h"
#include "engine/ops/ops.h"
#include "engine/optim/sgd.h"
#include "evaluate.h"
#include "exit_codes.h"
#include "interrupt.h"
#include "progress.h"
#include "train_outputs.h"

namespace resnet {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::unique_ptr<gl::optim::LrSchedule> make_schedule(const TrainConfig& c,
                                                     std::int64_t steps_per_epoch) {
  GL_CHECK(steps_per_epoch >= 1, "make_schedule: need at least one step per epoch, got {}",
           steps_per_epoch);
  const std::int64_t total = c.epochs * steps_per_epoch;
  // Flags are in epochs, the schedules in steps: rounding can merge two
  // boundaries or swallow the whole run, which is said here in flag terms.
  if (c.schedule == ScheduleKind::cosine) {
    const auto warmup = static_cast<std::int64_t>(std::llround(c.warmup_epochs * steps_per_epoch));
    if (warmup >= total) {
      throw UsageError(fmt::format(
          "--warmup-epochs {} is {} of the {} steps of the run ({} epochs x {} steps per epoch); "
          "the warm-up must leave at least one step of cosine decay: lower --warmup-epochs or "
          "raise --epochs",
          c.warmup_epochs, warmup, total, c.epochs, steps_per_epoch));
    }
    return std::make_unique<gl::optim::CosineWarmup>(c.lr, warmup, total, 0.0);
  }
  const bool defaults = c.boundaries.empty();
  std::vector<double> epochs = c.boundaries;
  if (defaults) epochs = {0.5 * c.epochs, 0.75 * c.epochs};
  std::vector<std::int64_t> steps;
  for (double e : epochs) steps.push_back(std::llround(e * steps_per_epoch));
  for (std::size_t i = 1; i < steps.size(); ++i) {
    if (steps[i] > steps[i - 1]) continue;
    throw UsageError(fmt::format(
        "{} {} epochs fall on steps {} with {} steps per epoch, so two learning-rate phases "
        "would meet at one step; {}",
        defaults ? "the default --lr-boundaries (50% and 75% of --epochs)" : "--lr-boundaries",
        fmt::join(epochs, ", "), fmt::join(steps, ", "), steps_per_epoch,
        defaults ? "raise --epochs, use a smaller --batch-size, or give --lr-boundaries"
                 : "move the boundaries at least one step apart or use a smaller --batch-size"));
  }
  return std::make_unique<gl::optim::PiecewiseConstant>(c.lr, steps, c.multipliers);
}

std::string metrics_json(const EpochRecord& r) {
  nlohmann::json j = {{"epoch", r.epoch},
                      {"lr", r.lr},
                      {"train_loss", r.train_loss},
                      {"train_accuracy", r.train_accuracy},
                      {"eval_split", r.eval_split},
                      {r.eval_split + "_loss", r.eval_loss},
                      {r.eval_split + "_accuracy", r.eval_accuracy},
                      {"seconds", r.seconds},
                      {"images_per_second", r.images_per_second}};
  return j.dump();
}

namespace {

struct Data {
  ImageSet train, eval;
  std::string eval_split;
  std::vector<std::string> class_names;
};

Data load_data(const TrainConfig& c, std::FILE* log) {
  const fs::path dir = locate_batches(c.data_dir);
  Data d;
  d.train = read_training_set(dir, c.model.num_classes);
  if (c.train_limit > 0 && c.train_limit < d.train.size()) {
    d.train = slice_images(d.train, 0, c.train_limit);
  }
  if (c.validation) {
    // The course's split: the last tenth (5,000 of 50,000) validates, no shuffle.
    const std::int64_t n = d.train.size(), cut = n - n / 10;
    GL_CHECK(n / 10 >= 1, "--validation: {} training images are too few to split", n);
    d.eval = slice_images(d.train, cut, n);
    d.train = slice_images(d.train, 0, cut);
    d.eval_split = "validation";
  } else {
    d.eval = read_test_set(dir, c.model.num_classes);
    d.eval_split = "test";
  }
  GL_CHECK(d.train.size() >= c.batch_size,
           "--batch-size {} is larger than the {} training images", c.batch_size, d.train.size());
  d.class_names = read_class_names(dir, c.model.num_classes);
  fmt::print(log, "data: {} ({} training images, {} {} images)\n", dir.string(), d.train.size(),
             d.eval.size(), d.eval_split);
  return d;
}

std::string checkpoint_name(const ModelConfig& m, std::int64_t epoch) {
  return fmt::format("resnet{}-v{}-epoch{:03}.safetensors", m.depth(), m.version, epoch);
}

TrainResult run_training(const TrainConfig& c, gl::Device dev, std::FILE* log,
                         TrainOutputs& outputs) {
  Data data = load_data(c, log);
  const Preprocessing prep = make_preprocessing(data.train, c.standardize);
  const DeviceImages train_images = upload_images(data.train, dev);
  const DeviceImages eval_images = upload_images(data.eval, dev);
  const BatchBuilder train_batches(train_images, prep), eval_batches(eval_images, prep);

  gl::Rng init_rng(c.seed);
  ResNet model(c.model, init_rng);
  model.to(dev);
  model.train();
  TrainResult result;
  result.parameter_count = model.parameter_count();
  fmt::print(log, "model: {}\nparameters: {}\ndevice: {}\n", c.model.describe(),
             result.parameter_count, device_description(dev));

  gl::optim::SGD optimizer(gl::optim::decay_groups(model, c.weight_decay), c.lr, c.momentum,
                           c.nesterov);
  const std::int64_t steps_per_epoch = data.train.size() / c.batch_size;
  const auto schedule = make_schedule(c, steps_per_epoch);
  fmt::print(log, "schedule: {}; {} steps per epoch of {} images (last partial batch dropped)\n",
             schedule->describe(), steps_per_epoch, c.batch_size);

  CheckpointInfo info{c.model, prep, {}, data.class_names, to_json(c)};
  TrainPosition& pos = info.position;
  if (c.resume) {
    if (auto newest = newest_checkpoint(c.model_dir)) {
      const CheckpointInfo saved = read_checkpoint_info(*newest);
      check_resumable(saved, newest->string(), c.model, c.standardize, c.epochs, steps_per_epoch,
                      c.batch_size);
      load_checkpoint(*newest, model, &optimizer);
      pos = saved.position;
      result.last_checkpoint = newest->string();
      fmt::print(log, "resumed from {} (epoch {}, step {} of that epoch)\n", newest->string(),
                 pos.epoch + 1, pos.step_in_epoch);
    } else {
      fmt::print(log, "--resume: no checkpoint in {}; starting from scratch\n", c.model_dir);
    }
  }
  if (!c.resume) outputs.start_metrics_afresh();

  install_interrupt_handler();
  gl::Backend& backend = gl::backend(dev);
  const bool terminal = !c.quiet && stdout_is_terminal() && log == stdout;
  gl::Tensor loss_sum, correct, x, y;
  for (std::int64_t epoch = pos.epoch; epoch < c.epochs; ++epoch) {
    const EpochPlan plan = make_epoch_plan(train_images.labels, c.batch_size, c.seed, epoch, true);
    const DevicePlan device_plan = upload_plan(plan, dev);
    loss_sum = gl::Tensor::full({1}, pos.loss_sum, gl::DType::f32, dev);
    correct = gl::Tensor::full({1}, pos.correct, gl::DType::f32, dev);
    ProgressBar bar(fmt::format("epoch {}/{}", epoch + 1, c.epochs), plan.steps, c.batch_size,
                    terminal, log, c.quiet ? 1e30 : 10.0);
    const std::int64_t first_step = pos.step_in_epoch;
    const auto start = Clock::now();
    double lr = c.lr;
    auto diverged = [&](const std::string& what) {
      bar.finish();
      result.outcome = TrainOutcome::diverged;
      result.message = fmt::format(
          "training stopped: {} in epoch {} (by step {}); the last good checkpoint is {}; try a "
          "lower --lr or a warm-up (--schedule cosine --warmup-epochs 1)",
          what, epoch + 1, pos.step,
          result.last_checkpoint.empty() ? "none (no checkpoint was written yet)"
                                         : result.last_checkpoint);
      fmt::print(log, "{}\n", result.message);
      return false;
    };
    auto check_finite = [&](double sum) {
      if (std::isfinite(sum)) return true;
      return diverged(fmt::format("the loss became {}", std::isnan(sum) ? "NaN" : "infinite"));
    };
    // Before any checkpoint is written: a diverged model is never saved.
    auto model_is_finite = [&] {
      const std::string bad = first_non_finite(model, &optimizer);
      return bad.empty() || diverged(fmt::format("{} holds NaN or infinite values", bad));
    };
    for (std::int64_t s = first_step; s < plan.steps; ++s) {
      if (interrupt_requested() || (c.stop_after_steps > 0 && pos.step >= c.stop_after_steps)) {
        bar.finish();
        pos.step_in_epoch = s;
        pos.loss_sum = loss_sum.item();
        pos.correct = correct.item();
        if (!check_finite(pos.loss_sum) || !model_is_finite()) return result;
        const fs::path path = fs::path(c.model_dir) /
                              fmt::format("resnet{}-v{}-interrupted-step{:07}.safetensors",
                                          c.model.depth(), c.model.version, pos.step);
        save_checkpoint(path, model, &optimizer, info);
        result.outcome = TrainOutcome::interrupted;
        result.last_checkpoint = path.string();
        result.message = fmt::format("interrupted at epoch {} step {}/{}; saved {}; continue with "
                                     "--resume", epoch + 1, s, plan.steps, path.string());
        fmt::print(log, "{}\n", result.message);
        clear_interrupt();
        return result;
      }
      lr = schedule->at(pos.step);
      optimizer.set_lr(lr);
      train_batches.build_step(device_plan, s, x, y);
      gl::Tensor logits = model(x);                          // [B, classes]
      gl::Tensor loss = gl::cross_entropy(logits, y);        // one element
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      backend.axpy(1.0, gl::reshape(loss.detach(), {1}), loss_sum);
      gl::count_correct(logits.detach(), y, correct);
      ++pos.step;
      if (bar.due()) {
        const double sum = loss_sum.item();
        if (!check_finite(sum)) return result;
        const double seen = double(s + 1) * c.batch_size;
        bar.update(s + 1, sum / (s + 1), correct.item() / seen);
      }
    }
    bar.finish();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const double sum = loss_sum.item();
    if (!check_finite(sum)) return result;
    EpochRecord rec;
    rec.epoch = epoch + 1;
    rec.lr = lr;
    rec.train_loss = sum / plan.steps;
    rec.train_accuracy = correct.item() / double(plan.steps * plan.batch);
    rec.seconds = seconds;
    rec.images_per_second = double(plan.steps - first_step) * plan.batch / std::max(seconds, 1e-9);
    const EvalResult ev = evaluate(model, eval_batches, eval_images.size(), 500, false);
    if (!std::isfinite(ev.loss)) {
      diverged(fmt::format("the {} loss became {}", data.eval_split, ev.loss));
      return result;
    }
    rec.eval_split = data.eval_split;
    rec.eval_loss = ev.loss;
    rec.eval_accuracy = ev.accuracy;
    fmt::print(log,
               "epoch {}/{}: lr {:.5f}, train loss {:.4f}, train acc {:.2f}%, {} loss {:.4f}, {} "
               "acc {:.2f}%, {:.1f} s, {:.0f} img/s\n",
               rec.epoch, c.epochs, rec.lr, rec.train_loss, 100 * rec.train_accuracy, rec.eval_split,
               rec.eval_loss, rec.eval_split, 100 * rec.eval_accuracy, rec.seconds,
               rec.images_per_second);
    std::fflush(log);
    outputs.metrics_line(metrics_json(rec));
    result.epochs.push_back(rec);
    pos.epoch = epoch + 1;
    pos.step_in_epoch = 0;
    pos.loss_sum = pos.correct = 0;
    if ((epoch + 1) % c.save_interval == 0 || epoch + 1 == c.epochs) {
      if (!model_is_finite()) return result;
      const fs::path path = fs::path(c.model_dir) / checkpoint_name(c.model, epoch + 1);
      save_checkpoint(path, model, &optimizer, info);
      result.last_checkpoint = path.string();
      fmt::print(log, "saved {}\n", path.string());
    }
  }
  return result;
}

}  // namespace

TrainResult train(const TrainConfig& c, std::FILE* log) {
  as_usage_error([&] { validate(c); });
  const gl::Device dev = select_device(c.device);
  if (c.threads > 0) gl::set_num_threads(c.threads);
  // Before any data is read: the model folder locked and proved writable, the
  // metrics file open. The lock is held until training returns.
  TrainOutputs outputs(c, log);
  TrainResult result = run_training(c, dev, log, outputs);
  outputs.finish();
  return result;
}

}  // namespace resnet
