/* test_response.c: the layer responses of a conv net (gf_response_*) against
 * the branch computed on its own, and `gradflow responses`. */
#include "cli_util.h"

#include "gradflow.h"

#include <CUnit/CUnit.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double norm2(const double *v, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += v[i] * v[i];
    return sqrt(s);
}

static gf_model *make(gf_arch arch)
{
    gf_stack_config c = gf_stack_config_default();
    c.arch = arch;
    c.depth = 8;
    c.width_mult = 0.25;
    c.in_dim = 64; /* 8 x 8 */
    c.classes = 3;
    char why[256];
    gf_model *m = gf_arch_model_alloc(&c, why, sizeof why);
    gsl_rng *rng = gf_rng_alloc(7);
    if (m && gf_model_init(m, rng) != 0)
        m = (gf_model_free(m), NULL);
    gf_params *p = m ? gf_model_params(m) : NULL;
    for (size_t i = 0; p && i < p->n_slots; i++) /* BN's gamma, beta and statistics away from 1, 0 */
        if (p->slot[i].kind != GF_SLOT_PARAM || p->slot[i].rows == 1)
            for (size_t j = 0; j < p->slot[i].rows * p->slot[i].cols; j++)
                p->slot[i].t.v[j] += 0.5 * gsl_rng_uniform(rng);
    gsl_rng_free(rng);
    return m;
}

/* Every unit's second response is the branch F (gf_model_branch on x_l):
 * its sd over the images and the mean ||F|| / ||x_l|| must be the
 * measurement's, cut into chunks of 2 of 5 images. */
static void test_responses_are_the_branches(void)
{
    gf_model *m = make(GF_ARCH_CNN_RESNET);
    CU_ASSERT_FATAL(m != NULL);
    gf_dataset d = {0};
    CU_ASSERT_FATAL(gf_synthetic_make(&d, 5, 64, 3, 1.5, 3) == 0);
    gf_response_net r = {0};
    char why[256];
    CU_ASSERT_FATAL(gf_response_measure(m, &d, 2, &r, why, sizeof why) == 0);
    CU_ASSERT(r.layers == 7 && r.blocks == 3 && strcmp(r.name, "cnn-resnet-8") == 0);
    CU_ASSERT(r.down[1] && r.down[2] && !r.down[0]);
    gf_tape *t = gf_tape_alloc(0);
    gf_tensor *x = gf_tape_input(t, d.n, d.dim);
    memcpy(x->v, d.x, d.n * d.dim * sizeof(double));
    gf_tensor *h = gf_model_stem(m, t, x);
    for (int l = 0; l < r.blocks; l++) {
        gf_tensor *f = gf_model_branch(m, t, l, h);
        double s1 = 0, s2 = 0, ratio = 0;
        const size_t n = gf_tensor_size(f);
        for (size_t j = 0; j < n; j++)
            s1 += f->v[j], s2 += f->v[j] * f->v[j];
        for (size_t i = 0; i < f->n; i++)
            ratio += norm2(f->v + i * f->d, f->d) / norm2(h->v + i * h->d, h->d) / f->n;
        const double sd = sqrt(s2 / n - (s1 / n) * (s1 / n));
        CU_ASSERT_DOUBLE_EQUAL(r.sd[2 + 2 * l], sd, 1e-12 * sd);
        CU_ASSERT_DOUBLE_EQUAL(r.ratio[l], ratio, 1e-12 * ratio);
        CU_ASSERT(fabs(r.sd[2 + 2 * l] - 1.0) > 1e-3); /* not the identity BN's trivial 1 */
        h = gf_model_block(m, t, l, h);
    }
    gf_tape_free(t);
    gf_response_net_release(&r);
    gf_model_free(m);
    /* a plain net: responses, no ratio; a pre-activation net: refused */
    m = make(GF_ARCH_CNN_PLAIN);
    CU_ASSERT(gf_response_measure(m, &d, 100, &r, why, sizeof why) == 0 && isnan(r.ratio[0]));
    gf_response_net_release(&r);
    gf_model_free(m);
    m = make(GF_ARCH_CNN_PREACT);
    CU_ASSERT(gf_response_measure(m, &d, 100, &r, why, sizeof why) == -1 &&
              strstr(why, "cnn-preact") != NULL);
    gf_response_net_release(&r);
    gf_model_free(m);
    gf_dataset_release(&d);
}

CU_TestInfo response_tests[] = {
    {"responses: second response of a unit = its branch, chunked", test_responses_are_the_branches},
    CU_TEST_INFO_NULL,
};

/* ---- the command ---- */

static void test_cli_responses(void)
{
    char run_dir[4200], out[4200];
    path_in(run_dir, sizeof run_dir, "responses-degrade");
    path_in(out, sizeof out, "responses-out");
    result r;
    run_ok(&r, "degrade cnn", ARGS("degrade", "--arch", "cnn-plain,cnn-resnet", "--data",
                                   "synthetic", "--ntrain", "64", "--ntest", "32", "--batch",
                                   "32", "--depth", "8", "--epochs", "1", "--width-mult",
                                   "0.125", "--seeds", "2", "--no-plot", "--quiet", "--out",
                                   run_dir));
    result_free(&r);
    run_ok(&r, "responses", ARGS("responses", "--from", run_dir, "--ntest", "16", "--no-plot",
                                 "--out", out));
    CU_ASSERT(r.out && strstr(r.out, "cnn-plain-8") && strstr(r.out, "cnn-resnet-8") &&
              strstr(r.out, "residual smaller than plain at depth 8"));
    result_free(&r);
    static const char *const files[] = {"responses.tsv", "responses_mean.tsv",
                                        "responses_sorted.tsv", "ratio.tsv", "ratio_mean.tsv",
                                        "manifest.json", "responses.gp", "ratio.gp"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        CU_ASSERT(exists_in(out, files[i]));
    char *t = read_in(out, "responses.tsv"); /* 2 nets x 2 seeds x 7 layers + header */
    int lines = 0;
    for (const char *p = t; p && *p; p++)
        lines += *p == '\n';
    CU_ASSERT(lines == 1 + 2 * 2 * 7);
    free(t);
    static const char *const bad[][4] = {{"--ntest", "0"}, {"--from", ""}, {"--from", "a,,b"},
                                         {"--ntest", "99999"}};
    expect_usage_errors("responses", NULL, bad, sizeof bad / sizeof *bad);
    static const char *const no_from[][4] = {{"--no-plot"}};
    expect_usage_errors("responses", NULL, no_from, 1);
    CU_ASSERT(run(&r, ARGS("responses", "--from", "/nonexistent/dir", "--out", out)) == 0 &&
              r.status == 1);
    result_free(&r);
    /* a net is one name and seed: the same folder twice is a usage error, a second run
     * holding the same nets a runtime one (its seeds would be pooled, its errors mixed) */
    char twice[8500], other[4200], both[8500], out2[4200];
    snprintf(twice, sizeof twice, "%s,%s", run_dir, run_dir);
    path_in(other, sizeof other, "responses-degrade-2");
    path_in(out2, sizeof out2, "responses-out-2");
    CU_ASSERT(run(&r, ARGS("responses", "--from", twice, "--out", out2)) == 0 &&
              r.status == 2 && r.err_lines == 1 && strstr(r.err, "listed twice"));
    result_free(&r);
    run_ok(&r, "degrade cnn, the same seeds", ARGS("degrade", "--arch", "cnn-resnet", "--data",
                                                   "synthetic", "--ntrain", "64", "--ntest",
                                                   "32", "--batch", "32", "--depth", "8",
                                                   "--epochs", "1", "--width-mult", "0.25",
                                                   "--no-plot", "--quiet", "--out", other));
    result_free(&r);
    snprintf(both, sizeof both, "%s,%s", run_dir, other);
    CU_ASSERT(run(&r, ARGS("responses", "--from", both, "--out", out2)) == 0 &&
              r.status == 1 && r.err_lines == 1 && strstr(r.err, "one net, two runs"));
    CU_ASSERT(!exists_in(out2, "."));
    result_free(&r);
    expect_help("responses", "--from", "He et al.", "before the addition and the ReLU");
}

CU_TestInfo cli_responses_tests[] = {
    {"responses: a degrade run's cnn nets, files, usage errors, help", test_cli_responses},
    CU_TEST_INFO_NULL,
};
