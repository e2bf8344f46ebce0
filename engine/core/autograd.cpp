#include "engine/core/autograd.h"

#include <ostream>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "engine/core/backend.h"
#include "engine/core/error.h"

namespace gl {

namespace {
thread_local bool g_grad_enabled = true;

// Inputs before outputs: iterative post-order DFS over grad_fn edges from root.
// The order owns its tensors: releasing a node during the walk frees the
// inputs it held, and they must outlive the walk.
std::vector<std::shared_ptr<TensorImpl>> topological_order(const std::shared_ptr<TensorImpl>& root) {
  std::vector<std::shared_ptr<TensorImpl>> order;
  std::unordered_set<TensorImpl*> seen{root.get()};
  std::vector<std::pair<std::shared_ptr<TensorImpl>, std::size_t>> stack{{root, 0}};
  while (!stack.empty()) {
    auto& [impl, next] = stack.back();
    const Node* node = impl->grad_fn.get();
    if (node && next < node->inputs.size()) {
      const auto& child = node->inputs[next++].impl_ptr();
      if (child && child->requires_grad && seen.insert(child.get()).second) stack.push_back({child, 0});
      continue;
    }
    order.push_back(impl);
    stack.pop_back();
  }
  return order;
}

// grad (owned, fresh) += g. First arrival copies so that later in-place
// accumulation never writes into a tensor someone else holds.
void accumulate(std::shared_ptr<TensorImpl>& slot, const Tensor& g) {
  if (!slot) {
    slot = g.clone().impl_ptr();
    return;
  }
  Tensor acc(slot);
  backend(acc.device()).axpy(1.0, g, acc);
  mark_modified(acc);
}

// The engine of backward() and jacobian(): walks the graph from root with
// `seed`; accumulates into leaves' .grad when accumulate_leaves; returns the
// gradient reaching `target` (undefined if target is null or not reached).
Tensor walk(const Tensor& root, const Tensor& seed, bool retain_graph, bool accumulate_leaves,
            TensorImpl* target) {
  GL_CHECK(root.requires_grad(),
           "backward: the output does not require grad: no input had requires_grad set, or it was "
           "computed inside a NoGradGuard. Call set_requires_grad() on the inputs first");
  NoGradGuard no_grad;  // backward functions build no graph (no higher-order gradients)
  std::unordered_map<TensorImpl*, std::shared_ptr<TensorImpl>> grads;
  grads[root.impl()] = seed.clone().impl_ptr();
  const auto order = topological_order(root.impl_ptr());
  Tensor target_grad;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    TensorImpl* impl = it->get();
    auto found = grads.find(impl);
    if (found == grads.end()) continue;  // no gradient flows here
    Tensor g(found->second);
    if (impl == target) target_grad = g;
    const bool leaf = impl->grad_fn == nullptr;
    if (accumulate_leaves && (leaf || impl->retains_grad)) accumulate(impl->grad, g);
    if (leaf) continue;
    Node& node = *impl->grad_fn;
    GL_CHECK(!node.released,
             "backward: the graph through op '{}' was already released by an earlier backward(); "
             "pass retain_graph = true to the first backward() to run backward twice",
             node.op);
    std::vector<Tensor> input_grads = node.backward(g);
    GL_CHECK(input_grads.size() == node.inputs.size(),
             "backward: op '{}' returned {} gradients for {} inputs (engine bug)", node.op, input_grads.size(),
             node.inputs.size());
    for (std::size_t i = 0; i < node.inputs.size(); ++i) {
      const Tensor& in = node.inputs[i];
      const Tensor& gi = input_grads[i];
      if (!in.defined() || !in.requires_grad() || !gi.defined()) continue;
      GL_CHECK(gi.shape() == in.shape(), "backward: op '{}' produced a gradient of shape {} for input {} of shape {} (engine bug)",
               node.op, shape_str(gi.shape()), i, shape_str(in.shape()));
      auto& slot = grads[in.impl()];
      if (!slot) {
        slot = gi.impl_ptr();
      } else if (slot.use_count() == 1 && slot->storage.use_count() == 1) {
        // Nobody else holds this gradient or a view of its memory (a residual
        // join's second arrival, typically): add in place, no copy.
        Tensor acc(slot);
        backend(acc.device()).axpy(1.0, gi, acc);
      } else {
        Tensor sum = Tensor(slot).clone();
        backend(sum.device()).axpy(1.0, gi, sum);
        slot = sum.impl_ptr();
      }
    }
    grads.erase(impl);  // this gradient is consumed; free it early
    if (!retain_graph) {
      node.inputs.clear();
      node.backward = nullptr;
      node.released = true;
    }
  }
  return target_grad;
}
}  // namespace

Node::~Node() {
  // Detach the inputs' grad_fns that only this node keeps alive onto a
  // worklist, and destroy them one at a time with their own inputs already
  // detached, so each destructor runs with nothing left to recurse into.
  std::vector<std::shared_ptr<Node>> pending;
  auto take_inputs = [&pending](std::vector<Tensor>& ins) {
    for (Tensor& t : ins) {
      const auto& impl = t.impl_ptr();
      if (impl && impl.use_count() == 1 && impl->grad_fn && impl->grad_fn.use_count() == 1)
        pending.push_back(std::move(impl->grad_fn));
    }
    ins.clear();
  };
  take_inputs(inputs);
  while (!pending.empty()) {
    std::shared_ptr<Node> node = std::move(pending.back());
    pending.pop_back();
    take_inputs(node->inputs);
    node->backward = nullptr;
  }
}

struct SavedTensor::Record {
  Tensor tensor;
  const char* op = "";
  std::uint64_t version = 0;
  bool has_checksum = false;
  std::uint64_t checksum = 0;
  ~Record() {
    if (tensor.defined()) tensor.impl()->storage->saved_count.fetch_sub(1);
  }
};

namespace {
std::size_t tensor_bytes(const Tensor& t) { return static_cast<std::size_t>(t.numel()) * dtype_size(t.dtype()); }
}  // namespace

SavedTensor::SavedTensor(const Tensor& t, const char* op) {
  if (!t.defined()) return;
  record_ = std::make_shared<Record>();
  record_->tensor = t.detach();
  record_->op = op;
  Storage& s = *t.impl()->storage;
  s.saved_count.fetch_add(1);
  record_->version = s.version.load();
  if (s.exposed.load() && t.device() == Device::cpu && t.numel() > 0) {
    record_->checksum = checksum_bytes(t.raw_data(), tensor_bytes(t));
    record_->has_checksum = true;
  }
}

const Tensor& SavedTensor::unchecked() const {
  static const Tensor undefined;
  return record_ ? record_->tensor : undefined;
}

const Tensor& SavedTensor::get() const {
  if (!record_) return unchecked();
  const Tensor& t = record_->tensor;
  Storage& s = *t.impl()->storage;
  const std::uint64_t now = s.version.load();
  GL_CHECK(now == record_->version,
           "backward of '{}': a tensor it saved for the gradient ({}) was modified in place after the forward pass "
           "(its version is {} now, {} when saved), so the gradient would be computed from the wrong values. "
           "Do not change tensors (optimizer.step(), t[...] = v, copy_from) between forward and backward; "
           "modify a clone() instead, or run the forward again",
           record_->op, describe(t), now, record_->version);
  if (!s.exposed.load() || t.device() != Device::cpu || t.numel() == 0) return t;
  bool modified = false;
  if (record_->has_checksum) {
    modified = checksum_bytes(t.raw_data(), tensor_bytes(t)) != record_->checksum;
  } else {
    std::lock_guard<std::mutex> lock(s.expose_mutex);
    if (s.has_expose_checksum && s.expose_version == record_->version)
      modified = checksum_bytes(s.data, s.bytes) != s.expose_checksum;
  }
  GL_CHECK(!modified,
           "backward of '{}': a tensor it saved for the gradient ({}) was modified through a numpy view "
           "(t.numpy() or np.asarray(t)) after the forward pass, so the gradient would be computed from the wrong "
           "values. Write through numpy before the forward pass, or into a copy (t.numpy().copy())",
           record_->op, describe(t));
  return t;
}

bool grad_enabled() { return g_grad_enabled; }
void set_grad_enabled(bool on) { g_grad_enabled = on; }
GradModeGuard::GradModeGuard(bool enabled) : previous_(g_grad_enabled) { g_grad_enabled = enabled; }
GradModeGuard::~GradModeGuard() { g_grad_enabled = previous_; }

Tensor record(Tensor output, std::string op, std::vector<Tensor> inputs, BackwardFn backward,
              std::string detail) {
  if (!g_grad_enabled) return output;
  bool needed = false;
  for (const auto& t : inputs) needed = needed || (t.defined() && t.requires_grad());
  if (!needed) return output;
  auto node = std::make_shared<Node>();
  node->op = std::move(op);
  node->detail = std::move(detail);
  node->inputs = std::move(inputs);
  node->backward = std::move(backward);
  output.impl()->grad_fn = std::move(node);
  output.impl()->requires_grad = true;
  return output;
}

void run_backward(const Tensor& root, const Tensor& seed, bool retain_graph) {
  walk(root, seed, retain_graph, /*accumulate_leaves=*/true, nullptr);
}

Tensor jacobian(const Tensor& y, const Tensor& x) {
  GL_CHECK(x.requires_grad(), "jacobian: x must have requires_grad set (and y must be computed from it)");
  const std::int64_t m = y.numel(), n = x.numel();
  std::vector<double> rows(static_cast<std::size_t>(m * n), 0.0);
  for (std::int64_t i = 0; i < m; ++i) {
    std::vector<double> onehot(static_cast<std::size_t>(m), 0.0);
    onehot[i] = 1.0;
    Tensor seed = Tensor::from_vector(onehot, y.shape(), y.dtype(), y.device());
    Tensor g = walk(y, seed, /*retain_graph=*/true, /*accumulate_leaves=*/false, x.impl());
    if (!g.defined()) continue;  // y_i does not depend on x
    const auto v = g.to_vector();
    std::copy(v.begin(), v.end(), rows.begin() + i * n);
  }
  return Tensor::from_vector(rows, {m, n}, x.dtype());
}

void write_dot(const Tensor& root, std::ostream& out) {
  out << "digraph gradlab {\n  rankdir=BT;\n  node [fontname=\"Helvetica\", fontsize=10];\n";
  const auto order = topological_order(root.impl_ptr());
  auto id = [](const TensorImpl* p) { return fmt::format("t{}", reinterpret_cast<std::uintptr_t>(p)); };
  for (const auto& owned : order) {
    const TensorImpl* impl = owned.get();
    const std::string what = fmt::format("{}{}", dtype_name(impl->dtype), shape_str(impl->shape));
    if (impl->grad_fn) {
      const Node& node = *impl->grad_fn;
      out << fmt::format("  {} [shape=box, style=filled, fillcolor=\"#dde8f8\", label=\"{}{}\\n{}\"];\n", id(impl),
                         node.op, node.detail.empty() ? "" : " (" + node.detail + ")", what);
      for (const auto& in : node.inputs)
        if (in.defined() && in.requires_grad()) out << fmt::format("  {} -> {};\n", id(in.impl()), id(impl));
    } else {
      out << fmt::format("  {} [shape=ellipse, label=\"{}\\n{}\"];\n", id(impl),
                         impl->name.empty() ? "leaf" : impl->name, what);
    }
  }
  out << "}\n";
}

std::string to_dot(const Tensor& root) {
  std::ostringstream s;
  write_dot(root, s);
  return s.str();
}

}  // namespace gl
