/* gradflow.h: the whole public interface of libgradflow, one header per module.
 *
 *   core/gf_core.h             tape, tensors, ops (reverse-mode autodiff)
 *   core/gf_conv.h             image ops: convolution, pooling, BN over channels (NHWC)
 *   blas/gf_blas.h             which CBLAS kernel runs, and its check
 *   nn/gf_nn.h                 parameters, initialization, stacks, their state
 *   probe/gf_probe.h           probes and the recorder (gradient norms per depth)
 *   model/gf_model.h           one interface to every network family (mlp, cnn, densenet) and the
 *                              arch registry (--arch names): what every measurement uses
 *                              to build, run, export and load
 *   model/gf_cnn.h             the family "cnn" (He et al.'s CIFAR nets): its config
 *   model/gf_densenet.h        the family "densenet": its config, plan and measurements
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
 *   response/gf_response.h     3x3 layer responses of trained conv nets (`responses`)
 *   hanin/gf_hanin.h           the gradient's fluctuation over initializations
 *   shatter/gf_shatter.h       shattered gradients
 *   initcmp/gf_initcmp.h       initialization schemes side by side (`init-compare`)
 *   dense/gf_dense.h           ResNet against DenseNet: cost, memory, reuse (`densenet`)
 *   sweep/gf_sweep.h           grids of a measurement, serial or over MPI ranks (`sweep`)
 *   xfmr/gf_xfmr.h             a small transformer, byte-level text, the residual stream
 *   landscape/gf_landscape.h   loss landscapes, curvature, learning the identity
 *
 * Figures are not part of libgradflow: libgradflow-plot, its own library,
 * stands above it.
 *
 * Errors. Library functions never exit and never print. The core returns GSL
 * status codes (GSL_SUCCESS, GSL_EBADLEN for a shape error, GSL_EINVAL,
 * GSL_ENOMEM); op constructors return NULL instead and pass a NULL input on, so
 * a whole forward pass runs without checks and is tested once at the end. The
 * failing tape keeps its first error, the status and a message naming the op
 * and the shapes, until gf_tape_reset: gf_tape_status(tape) and
 * gf_tape_error(tape), e.g. "linear: x is 32 x 64 but W is 128 x 128 (out x in)".
 * Print gf_tape_error() where the failure is reported. The modules above the
 * core return 0 or -1 and write a one-line reason into the caller's `why`
 * buffer (size given beside it); the `gradflow` command maps failures to exit
 * status 1 (runtime) or 2 (usage).
 */
#ifndef GRADFLOW_H
#define GRADFLOW_H

#include "gf_version.h"
#include "core/gf_core.h"
#include "core/gf_conv.h"
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
#include "response/gf_response.h"
#include "hanin/gf_hanin.h"
#include "shatter/gf_shatter.h"
#include "initcmp/gf_initcmp.h"
#include "dense/gf_dense.h"
#include "sweep/gf_sweep.h"
#include "xfmr/gf_xfmr.h"
#include "landscape/gf_landscape.h"

#endif
