/* gradflow.h: the whole public interface of libgradflow, one header per module.
 *
 *   core/gf_core.h             tape, tensors, ops (reverse-mode autodiff)
 *   blas/gf_blas.h             which CBLAS kernel runs, and its check
 *   nn/gf_nn.h                 parameters, initialization, stacks, their state
 *   probe/gf_probe.h           probes and the recorder (gradient norms per depth)
 *   model/gf_model.h           the model interface every measurement uses; export, load
 *   data/gf_data.h             data sets: synthetic, Fashion-MNIST, which one to load
 *   theory/gf_theory.h         predicted gradient gains, mean-field theory
 *   io/gf_io.h                 run folders, TSV, JSON manifest, safetensors, clocks
 *   train/gf_train.h           optimizers, schedules, the trainer, stochastic-depth rules
 *   grid/gf_grid.h             the training harness: a grid of nets (`gradflow degrade`)
 *   gradnorm/gf_gradnorm.h     the gradient-norm experiment
 *   stochdepth/gf_stochdepth.h stochastic depth against the whole net
 *   ensemble/gf_ensemble.h     paths and the gradient by path length (`paths`, `pathgrad`)
 *   jacobian/gf_jacobian.h     Jacobians, singular values, the Jacobian experiment
 *   lesion/gf_lesion.h         blocks deleted or reordered in trained nets
 *   hanin/gf_hanin.h           the gradient's fluctuation over initializations
 *   shatter/gf_shatter.h       shattered gradients
 *
 * Figures are not part of libgradflow: libgradflow-plot (plots/gf_plot.h)
 * stands above it.
 */
#ifndef GRADFLOW_H
#define GRADFLOW_H

#include "gf_version.h"
#include "core/gf_core.h"
#include "blas/gf_blas.h"
#include "nn/gf_nn.h"
#include "probe/gf_probe.h"
#include "model/gf_model.h"
#include "data/gf_data.h"
#include "theory/gf_theory.h"
#include "io/gf_io.h"
#include "train/gf_train.h"
#include "grid/gf_grid.h"
#include "gradnorm/gf_gradnorm.h"
#include "stochdepth/gf_stochdepth.h"
#include "ensemble/gf_ensemble.h"
#include "jacobian/gf_jacobian.h"
#include "lesion/gf_lesion.h"
#include "hanin/gf_hanin.h"
#include "shatter/gf_shatter.h"

#endif
