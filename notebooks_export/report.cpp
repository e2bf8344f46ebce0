#include "notebooks_export/report.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/core/error.h"
#include "notebooks_export/metrics_file.h"
#include "notebooks_export/python_embed.h"

namespace gl::notebook {

using nlohmann::json;

namespace {

// ---- markdown written from C++ (what a reader sees without running anything) ----

std::string fraction_percent(const json& value) {
  return value.is_number() ? fmt::format("{:.2f}%", 100.0 * value.get<double>()) : "-";
}

std::string summary_markdown(const TrainingRun& run) {
  const json& last = run.epochs.back();
  const std::string split = last.value("eval_split", std::string("validation"));
  const std::string eval_acc = split + "_accuracy";
  const json* best = nullptr;
  double throughput = 0;
  for (const json& r : run.epochs) {
    if (r.contains(eval_acc) && (!best || r[eval_acc].get<double>() > (*best)[eval_acc].get<double>())) best = &r;
    throughput += r.value("images_per_second", 0.0);
  }
  std::string md = fmt::format("## Training report: {}\n\n", run.name);
  md += "| | |\n| --- | ---: |\n";
  md += fmt::format("| epochs recorded | {} (epochs {} to {}) |\n", run.epochs.size(),
                    run.epochs.front()["epoch"].get<std::int64_t>(), last["epoch"].get<std::int64_t>());
  md += fmt::format("| final training accuracy | {} |\n", fraction_percent(last.value("train_accuracy", json())));
  md += fmt::format("| final {} accuracy | {} |\n", split, fraction_percent(last.value(eval_acc, json())));
  if (best)
    md += fmt::format("| best {} accuracy | {} (epoch {}) |\n", split, fraction_percent((*best)[eval_acc]),
                      (*best)["epoch"].get<std::int64_t>());
  md += fmt::format("| mean throughput | {:.1f} images/s |\n", throughput / run.epochs.size());
  if (!run.evaluation.is_null())
    md += fmt::format("| {} accuracy of `{}` | {} on {} images |\n", run.evaluation.value("split", std::string("test")),
                      run.evaluation.value("checkpoint", std::string("?")),
                      fraction_percent(run.evaluation.value("accuracy", json())),
                      run.evaluation.value("count", json(0)).dump());
  md += "\nRun all cells to draw the curves; every cell checks the numbers it plots.";
  return md;
}

std::string config_markdown(const json& config) {
  if (!config.is_object() || config.empty())
    return "### Configuration\n\nNo configuration was given (pass `--checkpoint` to read the training flags "
           "stored in a checkpoint, or `--config FILE`).";
  std::string md = "### Configuration\n\n| flag | value |\n| --- | --- |\n";
  for (const auto& [key, value] : config.items()) {
    std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    std::replace(text.begin(), text.end(), '|', '/');
    md += fmt::format("| `{}` | {} |\n", key, text);
  }
  return md;
}

// ---- Python cells ----

constexpr const char* kImports = R"py(import json
import math
import numpy as np
import matplotlib.pyplot as plt
%matplotlib inline)py";

constexpr const char* kColumns = R"py(# One row per epoch. The evaluation split is "validation" (45k/5k split) or "test".
epochs = run["epochs"]
split = epochs[-1].get("eval_split", "validation")
column = lambda key: np.array([r.get(key, np.nan) for r in epochs], dtype=float)
epoch = column("epoch")
lr = column("lr")
train_loss, train_acc = column("train_loss"), column("train_accuracy")
eval_loss, eval_acc = column(split + "_loss"), column(split + "_accuracy")
seconds, images_per_second = column("seconds"), column("images_per_second")

# Consistency of what the trainer wrote.
assert np.all(np.diff(epoch) > 0), "epochs must be increasing"
assert np.all(np.isfinite(train_loss)) and np.all(train_loss >= 0), "training loss must be finite and >= 0"
for name, acc in (("training", train_acc), (split, eval_acc)):
    finite = acc[np.isfinite(acc)]
    assert np.all((finite >= 0) & (finite <= 1)), f"{name} accuracy must be a fraction in [0, 1]"
assert np.all(lr[np.isfinite(lr)] >= 0), "learning rates must be >= 0"
assert np.all(images_per_second[np.isfinite(images_per_second)] > 0), "throughput must be positive"
print(f"{len(epochs)} epochs; evaluation split: {split}")
for r in epochs:
    print(f"epoch {r['epoch']:4d}  lr {r.get('lr', float('nan')):.4g}  train loss {r.get('train_loss', float('nan')):.4f}  "
          f"acc {100 * r.get('train_accuracy', float('nan')):6.2f}%  {split} loss {r.get(split + '_loss', float('nan')):.4f}  "
          f"acc {100 * r.get(split + '_accuracy', float('nan')):6.2f}%  {r.get('images_per_second', float('nan')):8.1f} img/s"))py";

constexpr const char* kCurves = R"py(fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
ax1.plot(epoch, train_loss, "o-", label="training")
ax1.plot(epoch, eval_loss, "s-", label=split)
ax1.set_xlabel("epoch"); ax1.set_ylabel("cross-entropy loss"); ax1.set_title("Loss"); ax1.legend()
ax2.plot(epoch, 100 * train_acc, "o-", label="training")
ax2.plot(epoch, 100 * eval_acc, "s-", label=split)
ax2.set_xlabel("epoch"); ax2.set_ylabel("accuracy (%)"); ax2.set_title("Accuracy"); ax2.legend()
best = int(np.nanargmax(eval_acc)) if np.any(np.isfinite(eval_acc)) else None
if best is not None:
    ax2.annotate(f"best {100 * eval_acc[best]:.2f}% (epoch {int(epoch[best])})", (epoch[best], 100 * eval_acc[best]),
                 textcoords="offset points", xytext=(0, -18), ha="center", fontsize=8)
plt.tight_layout()
plt.show())py";

constexpr const char* kSchedule = R"py(fig, ax = plt.subplots(figsize=(6, 3.5))
ax.step(epoch, lr, where="post", marker="o")
positive = lr[np.isfinite(lr) & (lr > 0)]
if positive.size and positive.max() / positive.min() >= 10:
    ax.set_yscale("log")   # step decays (0.1 -> 0.01 -> 0.001) read best on a log axis
ax.set_xlabel("epoch"); ax.set_ylabel("learning rate (at the epoch's last step)")
ax.set_title("Learning-rate schedule")
plt.tight_layout()
plt.show())py";

constexpr const char* kThroughput = R"py(fig, ax = plt.subplots(figsize=(7, 3.5))
ax.bar(epoch, images_per_second, color="tab:green")
ax.set_xlabel("epoch"); ax.set_ylabel("training images / s")
ax.set_title("Throughput per epoch")
ax_time = ax.twinx()
ax_time.plot(epoch, seconds, "k.-")
ax_time.set_ylabel("seconds (training part of the epoch)")
plt.tight_layout()
plt.show()
print(f"mean {np.nanmean(images_per_second):.1f} images/s; {np.nansum(seconds):.1f} s of training in all"))py";

constexpr const char* kConfusion = R"py(ev = run["evaluation"]
confusion = np.array(ev["confusion"], dtype=np.int64)   # [K, K]: rows true class, columns predicted
names = ev["class_names"]
K = confusion.shape[0]
assert confusion.shape == (K, K) and np.all(confusion >= 0)
count = confusion.sum()
assert count == ev["count"], "the confusion matrix must count every evaluated image once"
accuracy = np.trace(confusion) / count
assert math.isclose(accuracy, ev["accuracy"], rel_tol=1e-9, abs_tol=1e-12), (accuracy, ev["accuracy"])
per_class = np.diag(confusion) / np.maximum(confusion.sum(axis=1), 1)   # recall of each true class
if "per_class_accuracy" in ev:
    assert np.allclose(per_class, ev["per_class_accuracy"], rtol=1e-9, atol=1e-12)
print(f"{ev['split']} accuracy of {ev.get('checkpoint', 'the checkpoint')}: {100 * accuracy:.2f}% ({np.trace(confusion)} of {count})")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5), gridspec_kw={"width_ratios": [1.2, 1]})
image = ax1.imshow(confusion, cmap="Blues")
ax1.set_xticks(range(K), names, rotation=60, ha="right", fontsize=8)
ax1.set_yticks(range(K), names, fontsize=8)
ax1.set_xlabel("predicted class"); ax1.set_ylabel("true class"); ax1.set_title("Confusion matrix")
if K <= 20:
    for (t, p), n in np.ndenumerate(confusion):
        ax1.text(p, t, str(n), ha="center", va="center", fontsize=7,
                 color="white" if n > confusion.max() / 2 else "black")
fig.colorbar(image, ax=ax1, fraction=0.046)
ax2.barh(range(K), 100 * per_class, color="tab:blue")
ax2.axvline(100 * accuracy, color="k", ls="--", lw=1, label=f"overall {100 * accuracy:.2f}%")
ax2.set_yticks(range(K), names, fontsize=8)
ax2.invert_yaxis()
ax2.set_xlim(0, 100); ax2.set_xlabel("accuracy (%)"); ax2.set_title("Per-class accuracy"); ax2.legend()
plt.tight_layout()
plt.show()
for k in np.argsort(per_class)[:3]:
    row = confusion[k].copy(); row[k] = -1
    print(f"weakest: {names[k]} {100 * per_class[k]:.1f}%, most often taken for {names[int(np.argmax(row))]}"))py";

}  // namespace

void validate_evaluation(const json& ev) {
  if (ev.is_null()) return;
  GL_CHECK(ev.is_object() && ev.contains("confusion") && ev["confusion"].is_array(),
           "report: the evaluation must be a JSON object with a \"confusion\" matrix (got {})",
           ev.dump().substr(0, 120));
  const json& m = ev["confusion"];
  const std::size_t K = m.size();
  GL_CHECK(K >= 1, "report: the confusion matrix is empty");
  std::int64_t total = 0;
  for (std::size_t t = 0; t < K; ++t) {
    GL_CHECK(m[t].is_array() && m[t].size() == K, "report: confusion row {} has {} entries; expected {} (K x K)", t,
             m[t].is_array() ? m[t].size() : 0, K);
    for (const json& n : m[t]) {
      GL_CHECK(n.is_number_integer() && n.get<std::int64_t>() >= 0,
               "report: confusion entries must be counts >= 0, row {} has {}", t, n.dump());
      total += n.get<std::int64_t>();
    }
  }
  GL_CHECK(!ev.contains("class_names") || (ev["class_names"].is_array() && ev["class_names"].size() == K),
           "report: class_names must list {} names, one per confusion row", K);
  GL_CHECK(!ev.contains("count") || ev["count"] == total,
           "report: count {} differs from the {} images the confusion matrix holds", ev.value("count", json()).dump(),
           total);
}

Notebook make_report_notebook(const TrainingRun& run) {
  GL_CHECK(!run.epochs.empty(), "make_report_notebook: the run '{}' has no epoch records", run.name);
  validate_evaluation(run.evaluation);
  // Fill what the cells need but a hand-written evaluation file may omit.
  json evaluation = run.evaluation;
  if (!evaluation.is_null()) {
    const std::size_t K = evaluation["confusion"].size();
    std::int64_t total = 0, correct = 0;
    for (std::size_t t = 0; t < K; ++t)
      for (std::size_t p = 0; p < K; ++p) {
        total += evaluation["confusion"][t][p].get<std::int64_t>();
        if (t == p) correct += evaluation["confusion"][t][p].get<std::int64_t>();
      }
    if (!evaluation.contains("class_names")) {
      evaluation["class_names"] = json::array();
      for (std::size_t k = 0; k < K; ++k) evaluation["class_names"].push_back(fmt::format("class {}", k));
    }
    if (!evaluation.contains("count")) evaluation["count"] = total;
    if (!evaluation.contains("accuracy")) evaluation["accuracy"] = total ? double(correct) / double(total) : 0.0;
    if (!evaluation.contains("split")) evaluation["split"] = "test";
  }

  Notebook nb("Training report: " + run.name);
  TrainingRun shown = run;
  shown.evaluation = evaluation;
  nb.markdown(summary_markdown(shown));
  nb.markdown(config_markdown(run.config));
  nb.code(kImports);
  json data = {{"name", run.name}, {"config", run.config}, {"epochs", run.epochs}, {"evaluation", evaluation}};
  nb.code("# The run's numbers: the metrics file's records, the training flags and the evaluation.\n" +
          python_json_assignment("run", data));
  nb.markdown("### Per epoch");
  nb.code(kColumns);
  nb.markdown("### Loss and accuracy\n\nTraining numbers are averaged over the epoch's (augmented) batches while "
              "the weights change; the evaluation numbers use the weights at the end of the epoch, without "
              "augmentation.");
  nb.code(kCurves);
  nb.markdown("### Learning-rate schedule");
  nb.code(kSchedule);
  nb.markdown("### Throughput");
  nb.code(kThroughput);
  if (evaluation.is_null()) {
    nb.markdown("### Confusion matrix\n\nNo evaluation was given. Export the report with `--checkpoint FILE "
                "--data-dir DIR` (or `--evaluation FILE`) to add the confusion matrix and the per-class accuracy.");
  } else {
    nb.markdown(fmt::format("### Confusion matrix and per-class accuracy ({} split)\n\nRows are true classes, "
                            "columns predicted classes; the per-class accuracy is the diagonal over the row sum.",
                            evaluation["split"].get<std::string>()));
    nb.code(kConfusion);
  }
  return nb;
}

json make_report_notebook(const std::filesystem::path& metrics_path, const json& evaluation, const json& config) {
  TrainingRun run{metrics_path.filename().string(), read_metrics_file(metrics_path), config, evaluation};
  return make_report_notebook(run).to_json();
}

}  // namespace gl::notebook
