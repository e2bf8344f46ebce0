// gradlab.optim: SGD (momentum, Nesterov, weight decay per parameter group)
// and the learning-rate schedules. step() runs without the GIL.
#include <cmath>
#include <string>

#include "bindings.h"
#include "engine/optim/adaptive.h"

namespace gradlab_py {
namespace {

using gl::optim::ParamGroup;

// SGD's first argument: a list of tensors (one group with `weight_decay`),
// a list of ParamGroup, or PyTorch-style dicts {"params": [...], "weight_decay": x}.
std::vector<ParamGroup> groups_from(const py::object& spec, double weight_decay) {
  if (py::isinstance<gl::Tensor>(spec)) return {ParamGroup{{spec.cast<gl::Tensor>()}, weight_decay}};
  std::vector<ParamGroup> groups;
  ParamGroup loose{{}, weight_decay};
  for (auto item : spec) {
    if (py::isinstance<gl::Tensor>(item)) {
      loose.params.push_back(item.cast<gl::Tensor>());
    } else if (py::isinstance<ParamGroup>(item)) {
      groups.push_back(item.cast<ParamGroup>());
    } else if (py::isinstance<py::dict>(item)) {
      auto d = item.cast<py::dict>();
      if (!d.contains("params")) throw py::value_error("SGD: a parameter group dict needs a 'params' entry");
      ParamGroup g{d["params"].cast<std::vector<gl::Tensor>>(), weight_decay};
      if (d.contains("weight_decay")) g.weight_decay = d["weight_decay"].cast<double>();
      groups.push_back(std::move(g));
    } else {
      throw py::type_error("SGD: expected tensors, ParamGroups or {'params': [...], 'weight_decay': x} dicts, got " +
                           std::string(py::repr(item)));
    }
  }
  if (!loose.params.empty()) groups.insert(groups.begin(), std::move(loose));
  return groups;
}

// One C++ type per Python class (pybind11 binds a type once): Adam and AdamW share gl::optim::Adam.
struct AdamPy : gl::optim::Adam {
  using Adam::Adam;
  AdamPy() : Adam({}) {}
};
struct AdamWPy : gl::optim::Adam {
  using Adam::Adam;
  AdamWPy() : Adam({}) {}
};

// Optimizer state lists <-> Python: numpy copies (None before a parameter's first step).
py::list state_list(const std::vector<gl::Tensor>& ts) {
  py::list out;
  for (const auto& t : ts) out.append(t.defined() ? py::object(py::array(tensor_to_numpy(t).attr("copy")())) : py::object(py::none()));
  return out;
}

std::vector<gl::Tensor> all_params(const std::vector<ParamGroup>& groups) {
  std::vector<gl::Tensor> params;
  for (const auto& g : groups) params.insert(params.end(), g.params.begin(), g.params.end());
  return params;
}

// A state list checked against the parameters (count and shapes); nothing is changed on error.
std::vector<gl::Tensor> load_list(const char* who, const py::dict& d, const char* key,
                                  const std::vector<gl::Tensor>& params) {
  if (!d.contains(key))
    throw py::value_error(std::string(who) + ".load_state_dict: the state has no '" + key + "' (as state_dict() gives)");
  auto items = d[key].cast<py::list>();
  if (items.size() != params.size())
    throw py::value_error(std::string(who) + ".load_state_dict: " + std::to_string(items.size()) + " entries in '" +
                          key + "' for " + std::to_string(params.size()) + " parameters");
  std::vector<gl::Tensor> out(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (items[i].is_none()) continue;
    gl::Tensor t = tensor_from_python(items[i], py::cast(params[i].dtype()), false, py::cast(params[i].device()));
    if (t.shape() != params[i].shape())
      throw py::value_error(std::string(who) + ".load_state_dict: '" + key + "' entry " + std::to_string(i) +
                            " has shape " + gl::shape_str(t.shape()) + ", its parameter " +
                            gl::shape_str(params[i].shape()) + " (nothing was loaded)");
    out[i] = t;
  }
  return out;
}

}  // namespace

void bind_optim(py::module_& m) {
  py::module_ optim = m.def_submodule("optim", "SGD and learning-rate schedules.");
  py::module_::import("sys").attr("modules")["gradlab.optim"] = optim;

  py::class_<ParamGroup>(optim, "ParamGroup", "ParamGroup(params, weight_decay=0.0): tensors that share a weight decay.")
      .def(py::init([](std::vector<gl::Tensor> params, double wd) { return ParamGroup{std::move(params), wd}; }),
           py::arg("params"), py::arg("weight_decay") = 0.0)
      .def_readonly("params", &ParamGroup::params,
        "The group's tensors.")
      .def_readonly("weight_decay", &ParamGroup::weight_decay,
        "The group's L2 weight decay (added to the gradient as wd * p).")
      .def("__repr__", [](const ParamGroup& g) {
        return "ParamGroup(" + std::to_string(g.params.size()) + " tensors, weight_decay=" +
               py::str(py::float_(g.weight_decay)).cast<std::string>() + ")";
      });
  optim.def("decay_groups", &gl::optim::decay_groups, py::arg("model"), py::arg("weight_decay"),
            "Two groups: conv/linear kernels with weight_decay, biases and batch-norm parameters without.");

  using gl::optim::SGD;
  py::class_<SGD>(optim, "SGD",
      "g = grad + wd * p;  v = momentum * v + g;  p -= lr * (nesterov ? g + momentum * v : v)")
      .def(py::init([](const py::object& params, double lr, double momentum, bool nesterov, double weight_decay) {
        return std::make_unique<SGD>(groups_from(params, weight_decay), lr, momentum, nesterov);
      }), py::arg("params"), py::arg("lr"), py::arg("momentum") = 0.0, py::arg("nesterov") = false,
         py::arg("weight_decay") = 0.0)
      .def("step", &SGD::step, py::call_guard<ReleaseGil>(),
        "One update of every parameter that has a gradient (parameters without one are skipped).")
      .def("zero_grad", [](SGD& self, bool keep_buffers) { self.zero_grad(keep_buffers); },
           py::arg("keep_buffers") = false,
        "Drops every parameter's gradient (or zeroes it in place, as documented per optimizer).")
      .def_property("lr", &SGD::lr, &SGD::set_lr,
        "The learning rate (settable; schedules set it every step).")
      .def_property_readonly("momentum", &SGD::momentum,
        "The momentum factor (0: plain SGD).")
      .def_property_readonly("nesterov", &SGD::nesterov,
        "True for Nesterov momentum.")
      .def_property_readonly("groups", &SGD::groups,
        "The parameter groups, each with its weight decay.")
      .def("state_dict", [](SGD& s) {
        py::list velocities;
        for (const auto& v : s.velocities()) velocities.append(v.defined() ? py::object(py::array(tensor_to_numpy(v).attr("copy")())) : py::object(py::none()));
        py::dict d;
        d["lr"] = s.lr();
        d["velocities"] = velocities;
        return d;
      }, "lr and the momentum buffers (numpy copies; None before the first step)")
      .def("load_state_dict", [](SGD& s, const py::dict& d) {
        if (!d.contains("lr") || !d.contains("velocities"))
          throw py::value_error("SGD.load_state_dict: the state needs 'lr' and 'velocities' (as state_dict() gives)");
        const double lr = d["lr"].cast<double>();
        if (!(lr >= 0) || !std::isfinite(lr))
          throw py::value_error("SGD.load_state_dict: lr must be finite and >= 0, got " + std::to_string(lr));
        auto vs = d["velocities"].cast<py::list>();
        std::vector<gl::Tensor> params;
        for (const auto& g : s.groups()) params.insert(params.end(), g.params.begin(), g.params.end());
        if (vs.size() != params.size())
          throw py::value_error("SGD.load_state_dict: " + std::to_string(vs.size()) + " velocities for " +
                                std::to_string(params.size()) + " parameters");
        // All or nothing: every velocity is converted and checked before any is replaced.
        std::vector<gl::Tensor> loaded(params.size());
        for (std::size_t i = 0; i < params.size(); ++i) {
          if (vs[i].is_none()) continue;
          gl::Tensor v = tensor_from_python(vs[i], py::cast(params[i].dtype()), false, py::cast(params[i].device()));
          if (v.shape() != params[i].shape())
            throw py::value_error("SGD.load_state_dict: velocity " + std::to_string(i) + " has shape " +
                                  gl::shape_str(v.shape()) + ", its parameter " + gl::shape_str(params[i].shape()) +
                                  " (nothing was loaded)");
          loaded[i] = v;
        }
        s.set_lr(lr);
        s.velocities() = std::move(loaded);
      }, py::arg("state"),
        "Restores what state_dict() gave; every entry is checked first, and a failure changes nothing.");

  using gl::optim::LrSchedule;
  py::class_<LrSchedule>(optim, "LrSchedule", "A learning-rate schedule: schedule(step) is the rate at a 0-based step.")
      .def("at", &LrSchedule::at, py::arg("step"),
        "The learning rate at a step (0-based).")
      .def("__call__", &LrSchedule::at, py::arg("step"),
        "The learning rate at a step, as at(step).")
      .def("describe", &LrSchedule::describe,
        "The schedule in words.")
      .def("__repr__", &LrSchedule::describe);
  py::class_<gl::optim::PiecewiseConstant, LrSchedule>(optim, "PiecewiseConstant",
      "lr = base * multipliers[i] for boundaries[i-1] <= step < boundaries[i]")
      .def(py::init<double, std::vector<std::int64_t>, std::vector<double>>(), py::arg("base_lr"),
           py::arg("boundaries"), py::arg("multipliers"));
  py::class_<gl::optim::CosineWarmup, LrSchedule>(optim, "CosineWarmup",
      "linear warm-up to base_lr, then cosine decay to final_lr at total_steps")
      .def(py::init<double, std::int64_t, std::int64_t, double>(), py::arg("base_lr"), py::arg("warmup_steps"),
           py::arg("total_steps"), py::arg("final_lr") = 0.0);

  // ---- Adam, AdamW, RMSprop (engine/optim/adaptive.h) ----------------------------------------
  using gl::optim::Adam;
  using gl::optim::RMSprop;
  auto bind_adam = [&](auto type_tag, const char* name, bool decoupled, double default_wd, const char* doc) {
    using Opt = decltype(type_tag);
    py::class_<Opt>(optim, name, doc)
        .def(py::init([decoupled](const py::object& params, double lr, std::pair<double, double> betas, double eps,
                                  double weight_decay) {
          return std::make_unique<Opt>(groups_from(params, weight_decay), lr, betas.first, betas.second, eps, decoupled);
        }), py::arg("params"), py::arg("lr") = 1e-3, py::arg("betas") = std::make_pair(0.9, 0.999),
           py::arg("eps") = 1e-8, py::arg("weight_decay") = default_wd)
        .def("step", &Adam::step, py::call_guard<ReleaseGil>(),
        "One update of every parameter that has a gradient (parameters without one are skipped).")
        .def("zero_grad", [](Opt& self, bool) { self.zero_grad(); }, py::arg("set_to_none") = true,
        "Drops every parameter's gradient (or zeroes it in place, as documented per optimizer).")
        .def_property("lr", &Adam::lr, &Adam::set_lr,
        "The learning rate (settable; schedules set it every step).")
        .def_property_readonly("groups", &Adam::groups,
        "The parameter groups, each with its weight decay.")
        .def("state_dict", [](Opt& a) {
          py::dict d;
          d["lr"] = a.lr();
          d["step"] = a.steps();
          d["exp_avg"] = state_list(a.exp_avg());
          d["exp_avg_sq"] = state_list(a.exp_avg_sq());
          return d;
        }, "lr, per-parameter step counts and moments (numpy copies; None before a parameter's first step)")
        .def("load_state_dict", [name](Opt& a, const py::dict& d) {
          const auto params = all_params(a.groups());
          auto m = load_list(name, d, "exp_avg", params), v = load_list(name, d, "exp_avg_sq", params);
          if (!d.contains("step") || !d.contains("lr"))
            throw py::value_error(std::string(name) + ".load_state_dict: the state needs 'lr' and 'step'");
          auto steps = d["step"].cast<std::vector<std::int64_t>>();
          if (steps.size() != params.size())
            throw py::value_error(std::string(name) + ".load_state_dict: " + std::to_string(steps.size()) +
                                  " step counts for " + std::to_string(params.size()) + " parameters");
          a.set_lr(d["lr"].cast<double>());
          a.steps() = std::move(steps);
          a.exp_avg() = std::move(m);
          a.exp_avg_sq() = std::move(v);
        }, py::arg("state"),
        "Restores what state_dict() gave; every entry is checked first, and a failure changes nothing.");
  };
  bind_adam(AdamPy{}, "Adam", false, 0.0,
            "PyTorch's Adam: g = grad + wd p; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; "
            "p -= lr / (1-b1^t) * m / (sqrt(v / (1-b2^t)) + eps). params as SGD's (tensors, ParamGroups or dicts).");
  bind_adam(AdamWPy{}, "AdamW", true, 1e-2,
            "PyTorch's AdamW: p *= 1 - lr wd (decoupled weight decay, default 0.01), then Adam's step.");
  py::class_<RMSprop>(optim, "RMSprop",
      "PyTorch's RMSprop: g = grad + wd p; s = a s + (1-a) g^2 (centered: minus the squared mean of g); "
      "p -= lr g / (sqrt(s) + eps), through a momentum buffer when momentum > 0.")
      .def(py::init([](const py::object& params, double lr, double alpha, double eps, double weight_decay,
                       double momentum, bool centered) {
        return std::make_unique<RMSprop>(groups_from(params, weight_decay), lr, alpha, eps, momentum, centered);
      }), py::arg("params"), py::arg("lr") = 1e-2, py::arg("alpha") = 0.99, py::arg("eps") = 1e-8,
         py::arg("weight_decay") = 0.0, py::arg("momentum") = 0.0, py::arg("centered") = false)
      .def("step", &RMSprop::step, py::call_guard<ReleaseGil>(),
        "One update of every parameter that has a gradient (parameters without one are skipped).")
      .def("zero_grad", [](RMSprop& self, bool) { self.zero_grad(); }, py::arg("set_to_none") = true,
        "Drops every parameter's gradient (or zeroes it in place, as documented per optimizer).")
      .def_property("lr", &RMSprop::lr, &RMSprop::set_lr,
        "The learning rate (settable; schedules set it every step).")
      .def_property_readonly("groups", &RMSprop::groups,
        "The parameter groups, each with its weight decay.")
      .def("state_dict", [](RMSprop& r) {
        py::dict d;
        d["lr"] = r.lr();
        d["square_avg"] = state_list(r.square_avg());
        d["grad_avg"] = state_list(r.grad_avg());
        d["momentum_buffer"] = state_list(r.momentum_buffer());
        return d;
      }, "lr and the per-parameter running averages (numpy copies; None where not used yet)")
      .def("load_state_dict", [](RMSprop& r, const py::dict& d) {
        const auto params = all_params(r.groups());
        auto sq = load_list("RMSprop", d, "square_avg", params), ga = load_list("RMSprop", d, "grad_avg", params),
             buf = load_list("RMSprop", d, "momentum_buffer", params);
        if (!d.contains("lr")) throw py::value_error("RMSprop.load_state_dict: the state needs 'lr'");
        r.set_lr(d["lr"].cast<double>());
        r.square_avg() = std::move(sq);
        r.grad_avg() = std::move(ga);
        r.momentum_buffer() = std::move(buf);
      }, py::arg("state"),
        "Restores what state_dict() gave; every entry is checked first, and a failure changes nothing.");
}

}  // namespace gradlab_py
