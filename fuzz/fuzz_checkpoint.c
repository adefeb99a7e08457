/* fuzz_checkpoint.c: libFuzzer target for the training checkpoint loader
 * (gf_trainer_load), into fresh trainers of the reference run's plain-4 and
 * resnet-4 (template.h), so a mutated seed checkpoint passes the
 * configuration checks and reaches the optimizer state, history and probe
 * tables. A loaded checkpoint must hold values the trainer can use. The two
 * trainers are made once: a load reads everything it keeps from the file. */
#include "fuzz_util.h"
#include "template.h"

#include <string.h>

static void load_into(gf_arch arch, const char *path)
{
    static fuzz_template templates[2];
    static int made[2];
    fuzz_template *tp = &templates[arch == GF_ARCH_RESNET];
    char why[512];
    if (!made[arch == GF_ARCH_RESNET]++ && fuzz_template_make(tp, arch, why, sizeof why) != 0)
        abort();
    if (gf_trainer_load(tp->t, path, why, sizeof why) == 0) {
        size_t n;
        const gf_train_probe *p = gf_trainer_probes(tp->t, &n);
        for (size_t i = 0; i < n; i++)
            if (p[i].kind > GF_PROBE_FC2_IN || p[i].block < 0 ||
                p[i].block > gf_model_blocks(tp->net) || p[i].epoch < 1)
                abort();
        const gf_epoch_stats *h = gf_trainer_history(tp->t);
        for (int e = 0; e < gf_trainer_epochs_done(tp->t); e++)
            if (h[e].epoch != e + 1)
                abort();
    } else if (!strstr(why, path)) {
        abort(); /* a refusal names the file */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(0, data, size);
    load_into(GF_ARCH_PLAIN, path);
    load_into(GF_ARCH_RESNET, path);
    return 0;
}
