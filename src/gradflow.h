/* gradflow.h: the whole public interface of libgradflow.
 *
 *   core/gf_core.h      tape, tensors, ops (reverse-mode autodiff)
 *   blas/gf_blas.h      which CBLAS kernel runs, and its check
 *   nn/gf_nn.h          parameters, initialization, plain / resnet / preact stacks
 *   probe/gf_probe.h    probes and the recorder (gradient norms per depth)
 *   data/gf_data.h      the built-in synthetic classification set
 *   theory/gf_theory.h  predicted gradient gains (product of per-layer gains)
 *   io/gf_io.h          run folders, TSV, JSON manifest, safetensors
 *   measure/gf_measure.h the gradient-norm experiment (per depth, per seed)
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
#include "data/gf_data.h"
#include "theory/gf_theory.h"
#include "io/gf_io.h"
#include "measure/gf_measure.h"
#include "train/gf_train.h"
#include "ensemble/gf_ensemble.h"
#include "jacobian/gf_jacobian.h"



#endif
