/* test_regress.c: the damaged checkpoints of the reliability review
 * (tests/regress/, see its README.md) loaded through the library paths the
 * review used, and one through `gradflow degrade --resume`. Each must be
 * refused with one line naming the file and the damaged field, before any
 * value is converted or any network allocated; the misaligned one (a header
 * whose length is not a multiple of 8) must load exactly as its aligned twin.
 * Under the sanitizer build the old loader fails these with undefined
 * behaviour or an allocation failure; in any build, with the accepted value. */
#include "../fuzz/template.h"
#include "cli_util.h"
#include "test_util.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void regress_path(char *buf, size_t size, const char *name)
{
    const char *dir = getenv("GRADFLOW_REGRESS_DIR");
    snprintf(buf, size, "%s/%s.safetensors", dir ? dir : "tests/regress", name);
}

/* why names path first and is one line holding needle; a failure shows why. */
static int names(const char *why, const char *path, const char *needle)
{
    const size_t n = strlen(path);
    const int ok = strncmp(why, path, n) == 0 && strncmp(why + n, ": ", 2) == 0 &&
                   strstr(why, needle) && !strchr(why, '\n');
    if (!ok)
        fprintf(stderr, "\n  expected \"%s: ...%s...\", got \"%s\"\n", path, needle, why);
    return ok;
}

static void test_damaged_values_refused(void)
{
    static const char *const cases[][2] = {
        {"history-epoch-1e300", "train.history row 0: epoch is 1e+300"},
        {"history-epoch--7", "train.history row 0: epoch is -7"},
        {"probes-step-1e300", "train.probes row 0: step is 1e+300"},
        {"probes-kind-1e300", "train.probes row 0: kind is 1e+300"},
        {"probes-kind--1", "train.probes row 0: kind is -1"},
        {"probes-kind-7", "train.probes row 0: kind is 7"},
        {"probes-block--5", "train.probes row 0: block is -5"},
        {"probes-block-1e9", "train.probes row 0: block is 1e+09"},
        {"param-norms-step-nan", "train.param_norms row 0: step is nan"},
        {"fuzz-crash-85599d6a", "optim.started row 0: flag is"},
        {"truncated", "header length beyond the end of the file"},
    };
    fuzz_template tp;
    char path[GF_PATH_MAX], why[1024];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        CU_ASSERT_FATAL(fuzz_template_make(&tp, GF_ARCH_RESNET, why, sizeof why) == 0);
        regress_path(path, sizeof path, cases[i][0]);
        CU_ASSERT(gf_trainer_load(tp.t, path, why, sizeof why) == -1 &&
                  names(why, path, cases[i][1]));
        fuzz_template_free(&tp);
    }
}

/* The misaligned file with its extra header byte taken out: the header
 * length back to a multiple of 8 and every tensor 8-byte aligned. */
static int write_aligned(const char *from, const char *to)
{
    size_t len;
    unsigned char *b = (unsigned char *)tu_read_file(from, &len);
    uint64_t n = 0;
    for (int i = 0; b && len >= 8 && i < 8; i++)
        n |= (uint64_t)b[i] << (8 * i);
    int rc = -1;
    if (b && n % 8 == 1 && 8 + n <= len && b[8 + n - 1] == ' ') {
        n--;
        for (int i = 0; i < 8; i++)
            b[i] = (unsigned char)(n >> (8 * i));
        FILE *f = fopen(to, "wb");
        rc = f && fwrite(b, 1, 8 + n, f) == 8 + n &&
                     fwrite(b + 9 + n, 1, len - 9 - n, f) == len - 9 - n
                 ? 0
                 : -1;
        if (f && fclose(f) != 0)
            rc = -1;
    }
    free(b);
    return rc;
}

/* Field by field (the records have padding). */
static int same_records(const fuzz_template *a, const fuzz_template *b)
{
    size_t na, nb, ma, mb;
    const gf_train_probe *pa = gf_trainer_probes(a->t, &na), *pb = gf_trainer_probes(b->t, &nb);
    const gf_train_param_norm *ra = gf_trainer_param_norms(a->t, &ma),
                              *rb = gf_trainer_param_norms(b->t, &mb);
    int same = na == 8 && na == nb && ma == 22 && ma == mb;
    for (size_t i = 0; same && i < na; i++)
        same = pa[i].step == pb[i].step && pa[i].epoch == pb[i].epoch &&
               pa[i].kind == pb[i].kind && pa[i].block == pb[i].block &&
               pa[i].log2_frob == pb[i].log2_frob && pa[i].log2_rms == pb[i].log2_rms;
    for (size_t i = 0; same && i < ma; i++)
        same = ra[i].step == rb[i].step && ra[i].slot == rb[i].slot &&
               ra[i].log2_grad == rb[i].log2_grad && ra[i].log2_value == rb[i].log2_value;
    const gf_epoch_stats *ha = gf_trainer_history(a->t), *hb = gf_trainer_history(b->t);
    return same && ha->epoch == 1 && hb->epoch == 1 && ha->step == hb->step &&
           ha->lr == hb->lr && ha->train_loss == hb->train_loss;
}

static int same_trainers(const fuzz_template *a, const fuzz_template *b)
{
    const gf_params *p = gf_model_params(a->net), *q = gf_model_params(b->net);
    return gf_trainer_epochs_done(a->t) == 1 && gf_trainer_epochs_done(b->t) == 1 &&
           p->size == q->size && memcmp(p->value, q->value, p->size * sizeof *p->value) == 0 &&
           same_records(a, b);
}

static void test_misaligned_loads_as_aligned(void)
{
    char path[GF_PATH_MAX], aligned[GF_PATH_MAX], why[1024];
    regress_path(path, sizeof path, "misaligned");
    path_in(aligned, sizeof aligned, "aligned.safetensors");
    CU_ASSERT_FATAL(write_aligned(path, aligned) == 0);
    fuzz_template a, b;
    CU_ASSERT_FATAL(fuzz_template_make(&a, GF_ARCH_RESNET, why, sizeof why) == 0);
    CU_ASSERT_FATAL(fuzz_template_make(&b, GF_ARCH_RESNET, why, sizeof why) == 0);
    const int ra = gf_trainer_load(a.t, path, why, sizeof why);
    if (ra != 0)
        fprintf(stderr, "\n  %s\n", why);
    const int rb = gf_trainer_load(b.t, aligned, why, sizeof why);
    CU_ASSERT(ra == 0 && rb == 0 && same_trainers(&a, &b));
    fuzz_template_free(&a);
    fuzz_template_free(&b);
}

/* Metadata asking for width 65536 x depth 100000, depth 2e9, or input 2^20 x
 * width 65536 x classes 65536: refused from the file's size, or (depth 2e9,
 * beyond any metadata's whole numbers) as damaged; never allocated. */
static void test_big_metadata_refused(void)
{
    static const char *const files[] = {"big-w", "big-d", "big-in"};
    static const char *const reason[] = {"weights, but the file holds 431 numbers",
                                         "is damaged (depth '2000000000')",
                                         "weights, but the file holds 431 numbers"};
    char path[GF_PATH_MAX], why[1024];
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        regress_path(path, sizeof path, files[i]);
        gf_checkpoint_info info;
        gf_model *m = gf_model_open(path, NULL, NULL, &info, why, sizeof why);
        CU_ASSERT(!m && names(why, path, reason[i]));
        gf_model_free(m);
    }
}

/* The reference run, resumed with a damaged resnet checkpoint: status 1, one
 * line naming the checkpoint and the field, the run's files as they were. */
static void test_resume_refuses_damaged_checkpoint(void)
{
    char out[GF_PATH_MAX], ckpt[GF_PATH_MAX], damaged[GF_PATH_MAX];
    path_in(out, sizeof out, "reference");
#define REFERENCE "degrade", "--ntrain", "500", "--epochs", "1", "-d", "4", "-w", "2", "--data", \
                  "synthetic", "-a", "plain,resnet", "--no-plot", "-q", "-o", out
    result r;
    run_ok(&r, "the reference run", ARGS(REFERENCE));
    result_free(&r);
    char *before = read_in(out, "curves.tsv");
    path_at(ckpt, sizeof ckpt, out, "checkpoints/resnet-4-seed1.safetensors");
    regress_path(damaged, sizeof damaged, "probes-block-1e9");
    size_t len;
    char *bytes = tu_read_file(damaged, &len);
    FILE *f = bytes ? fopen(ckpt, "wb") : NULL;
    const int written = f && fwrite(bytes, 1, len, f) == len;
    free(bytes);
    CU_ASSERT_FATAL(f && fclose(f) == 0 && written);
    CU_ASSERT_FATAL(run(&r, ARGS(REFERENCE, "--resume")) == 0);
#undef REFERENCE
    CU_ASSERT(r.status == 1 && r.err_lines == 1);
    CU_ASSERT(r.err && strstr(r.err, ckpt) && strstr(r.err, "train.probes row 0: block is 1e+09"));
    if (r.status != 1 || r.err_lines != 1)
        show("resume with a damaged checkpoint", &r);
    char *after = read_in(out, "curves.tsv");
    CU_ASSERT(before && after && strcmp(before, after) == 0);
    free(before);
    free(after);
    result_free(&r);
}

CU_TestInfo regress_tests[] = {
    {"damaged checkpoint values: refused, file and field named (F1)",
     test_damaged_values_refused},
    {"a header not a multiple of 8 loads as its aligned twin (F2)",
     test_misaligned_loads_as_aligned},
    {"absurd width, depth or input in the metadata: refused before allocation",
     test_big_metadata_refused},
    {"degrade --resume with a damaged checkpoint: status 1, one line",
     test_resume_refuses_damaged_checkpoint},
    CU_TEST_INFO_NULL,
};
