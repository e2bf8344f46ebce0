// Reverse-mode automatic differentiation, define-by-run.
//
// Rules (tested in tests/test_autograd.cpp):
// - Every op whose inputs include a tensor with requires_grad (while grad mode
//   is on) records a Node: its op name, its inputs and a backward function.
//   The output then has requires_grad and grad_fn set.
// - backward() walks the graph in reverse topological order. Gradients
//   ACCUMULATE (+=) into the .grad of leaf tensors with requires_grad, and of
//   non-leaf tensors that called retain_grad(). Call zero_grad() (or the
//   optimizer's) between steps.
// - After backward() the graph is released (nodes drop their inputs and saved
//   tensors) unless retain_graph = true; a second backward through a released
//   graph throws.
// - backward() with no seed needs a one-element output; otherwise pass a seed
//   of the output's shape.
// - NoGradGuard turns recording off in its scope (evaluation, optimizer steps,
//   and inside backward functions: no higher-order gradients).
#pragma once
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/tensor.h"

namespace gl {

// Returns one gradient per input, in order; an undefined Tensor where an input
// needs none. `grad_output` has the shape of the op's output.
using BackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_output)>;

struct Node {
  std::string op;        // "conv2d", "add", ...
  std::string detail;    // attributes for printing, e.g. "stride=2 pad=1"
  std::vector<Tensor> inputs;
  BackwardFn backward;
  bool released = false;
  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  // Releases the graph below iteratively: a chain of 10^6 ops, dropped
  // without a backward pass, must not recurse once per node (stack overflow).
  ~Node();
};

// A tensor an op keeps for its backward (PyTorch's SavedVariable): the data,
// and the version of its storage when it was saved. get() throws, naming the
// op, when the memory was written in place since (an optimizer step, an item
// assignment, a write through a numpy view), since the gradient would then be
// computed from the wrong values. Copies share one record.
class SavedTensor {
 public:
  SavedTensor() = default;
  SavedTensor(const Tensor& t, const char* op);
  // The saved data, checked. An undefined SavedTensor gives an undefined Tensor.
  const Tensor& get() const;
  // Shape, dtype and device only (no data is read, so nothing to check).
  const Tensor& unchecked() const;

 private:
  struct Record;
  std::shared_ptr<Record> record_;
};

// Grad mode is per thread (like PyTorch's): on by default.
bool grad_enabled();
void set_grad_enabled(bool on);
// Sets grad mode for its scope and restores the previous mode after.
class GradModeGuard {
 public:
  explicit GradModeGuard(bool enabled);
  ~GradModeGuard();
  GradModeGuard(const GradModeGuard&) = delete;
  GradModeGuard& operator=(const GradModeGuard&) = delete;

 private:
  bool previous_;
};
class NoGradGuard : public GradModeGuard {
 public:
  NoGradGuard() : GradModeGuard(false) {}
};

// Called by every op after computing `output` from `inputs`. Records a Node
// when grad mode is on and any input requires grad; returns `output`.
Tensor record(Tensor output, std::string op, std::vector<Tensor> inputs, BackwardFn backward,
              std::string detail = {});

// Runs reverse mode from `root` seeded with `seed` (same shape as root).
void run_backward(const Tensor& root, const Tensor& seed, bool retain_graph);

// Full Jacobian d vec(y) / d vec(x) as a [y.numel(), x.numel()] tensor, by one
// backward pass per output element with a one-hot seed (row i = d y_i / d x).
// y must have been computed from x with recording on; the graph is kept.
// x's own .grad is left as it was.
Tensor jacobian(const Tensor& y, const Tensor& x);

// Graphviz DOT of the graph that backward() would walk from `root`:
// one box per op (name, detail), one ellipse per leaf (name, shape).
void write_dot(const Tensor& root, std::ostream& out);
std::string to_dot(const Tensor& root);

}  // namespace gl
