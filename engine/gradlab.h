// The whole engine in one include.
#pragma once
#include "engine/core/autograd.h"
#include "engine/core/backend.h"
#include "engine/core/dtype.h"
#include "engine/core/random.h"
#include "engine/core/shape.h"
#include "engine/core/tensor.h"
#include "engine/nn/layers.h"
#include "engine/nn/module.h"
#include "engine/ops/ops.h"
#include "engine/optim/schedule.h"
#include "engine/optim/sgd.h"
