// gradlab.optim: SGD (momentum, Nesterov, weight decay per parameter group)
// and the learning-rate schedules. step() runs without the GIL.
#include <cmath>
#include <string>

#include "bindings.h"

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

}  // namespace

void bind_optim(py::module_& m) {
  py::module_ optim = m.def_submodule("optim", "SGD and learning-rate schedules.");
  py::module_::import("sys").attr("modules")["gradlab.optim"] = optim;

  py::class_<ParamGroup>(optim, "ParamGroup")
      .def(py::init([](std::vector<gl::Tensor> params, double wd) { return ParamGroup{std::move(params), wd}; }),
           py::arg("params"), py::arg("weight_decay") = 0.0)
      .def_readonly("params", &ParamGroup::params)
      .def_readonly("weight_decay", &ParamGroup::weight_decay)
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
      .def("step", &SGD::step, py::call_guard<ReleaseGil>())
      .def("zero_grad", [](SGD& self, bool keep_buffers) { self.zero_grad(keep_buffers); },
           py::arg("keep_buffers") = false)
      .def_property("lr", &SGD::lr, &SGD::set_lr)
      .def_property_readonly("momentum", &SGD::momentum)
      .def_property_readonly("nesterov", &SGD::nesterov)
      .def_property_readonly("groups", &SGD::groups)
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
      }, py::arg("state"));

  using gl::optim::LrSchedule;
  py::class_<LrSchedule>(optim, "LrSchedule")
      .def("at", &LrSchedule::at, py::arg("step"))
      .def("__call__", &LrSchedule::at, py::arg("step"))
      .def("describe", &LrSchedule::describe)
      .def("__repr__", &LrSchedule::describe);
  py::class_<gl::optim::PiecewiseConstant, LrSchedule>(optim, "PiecewiseConstant",
      "lr = base * multipliers[i] for boundaries[i-1] <= step < boundaries[i]")
      .def(py::init<double, std::vector<std::int64_t>, std::vector<double>>(), py::arg("base_lr"),
           py::arg("boundaries"), py::arg("multipliers"));
  py::class_<gl::optim::CosineWarmup, LrSchedule>(optim, "CosineWarmup",
      "linear warm-up to base_lr, then cosine decay to final_lr at total_steps")
      .def(py::init<double, std::int64_t, std::int64_t, double>(), py::arg("base_lr"), py::arg("warmup_steps"),
           py::arg("total_steps"), py::arg("final_lr") = 0.0);
}

}  // namespace gradlab_py
