#include <fmt/format.h>

#include <memory>

#include "bench.h"
#include "commands.h"
#include "download.h"
#include "synthetic.h"
#include "train_flags.h"

namespace resnet {

void add_data_commands(CLI::App& app, int& exit_code) {
  struct Synth {
    std::string out;
    std::int64_t train = 5000, test = 1000;
    std::uint64_t seed = 0;
  };
  auto s = std::make_shared<Synth>();
  CLI::App* synth = app.add_subcommand(
      "make-synthetic", "write a small learnable data set (10 classes of periodic patterns) in the CIFAR-10 "
                        "binary layout");
  synth->add_option("--out", s->out, "output folder")->required();
  synth->add_option("--train", s->train, "training images (a multiple of 5: five files)");
  synth->add_option("--test", s->test, "test images");
  synth->add_option("--seed", s->seed, "generator seed");
  refuse_empty_values(*synth, {"--seed", "--train", "--test"});
  synth->callback([s, &exit_code] {
    write_synthetic_dataset(s->out, s->train, s->test, s->seed);
    fmt::print("wrote {} training and {} test images (10 classes) to {}\n", s->train, s->test, s->out);
    exit_code = 0;
  });

  struct Download {
    std::string dir, url = kCifarUrl, md5 = kCifarMd5;
  };
  auto d = std::make_shared<Download>();
  CLI::App* dl = app.add_subcommand(
      "download", "fetch the official CIFAR-10 binary archive, check its MD5 and unpack it");
  dl->add_option("--data-dir", d->dir, "where to unpack (creates cifar-10-batches-bin/)")->required();
  dl->add_option("--url", d->url, "archive URL (a mirror)");
  dl->add_option("--md5", d->md5, "expected MD5 of the archive");
  refuse_empty_values(*dl);
  dl->callback([d, &exit_code] {
    download_cifar10(d->dir, d->url, d->md5);
    exit_code = 0;
  });
}

void add_bench_command(CLI::App& app, int& exit_code) {
  auto c = std::make_shared<BenchConfig>();
  CLI::App* cmd = app.add_subcommand("bench", "training images per second for one model and batch");
  cmd->add_option("--device", c->device, "cpu or cuda");
  cmd->add_option("--resnet-version", c->model.version, "1 or 2");
  cmd->add_option("--resnet-size", c->model.size, "blocks per stack");
  cmd->add_option("--first-num-filters", c->model.first_filters, "filters of stack 1");
  cmd->add_option("--projection-first-block", c->model.projection_first_block,
                  "1x1 projection on stack 1's first block (default false here: the PyTorch "
                  "reference's ResNet-20)");
  cmd->add_option("--batch-size", c->batch_size, "images per step");
  cmd->add_option("--steps", c->steps, "timed steps (the median is reported)");
  cmd->add_option("--warmup", c->warmup, "untimed steps first");
  cmd->add_option("--threads", c->threads, "CPU threads (0: all)");
  c->model.projection_first_block = false;
  refuse_empty_values(*cmd, {"--seed"});
  cmd->callback([c, &exit_code] {
    run_bench(*c);
    exit_code = 0;
  });
}

}  // namespace resnet
