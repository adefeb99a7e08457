/* cnn.c: He et al.'s CIFAR nets as the model family "cnn". */
#include "model/gf_model.h"

#include <stdio.h>

static void *cnn_build(const void *config, char *why, size_t size)
{
    (void)config;
    snprintf(why, size, "the cnn family is not built yet");
    return NULL;
}

const gf_model_type gf_model_cnn = {.name = "cnn", .build = cnn_build};
