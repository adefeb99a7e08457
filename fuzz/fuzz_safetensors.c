/* fuzz_safetensors.c: libFuzzer target for the safetensors reader
 * (gf_st_read) and the one loader of a saved model (gf_model_open, which
 * builds the network the file's metadata describes and loads its state). */
#include "fuzz_util.h"
#include "gradflow.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(0, data, size);
    gf_st_file st;
    char why[512];
    if (gf_st_read(&st, path, why, sizeof why) == 0) {
        unsigned char sum = 0; /* every tensor's bytes lie in the file image */
        for (size_t i = 0; i < st.n; i++) {
            size_t bytes = 8;
            for (int k = 0; k < st.entry[i].rank; k++)
                bytes *= (size_t)st.entry[i].shape[k];
            const unsigned char *p = st.entry[i].data;
            for (size_t b = 0; b < bytes; b++)
                sum ^= p[b];
        }
        (void)sum;
        gf_st_release(&st);
    }
    gf_checkpoint_info info;
    gf_model *m = gf_model_open(path, NULL, NULL, &info, why, sizeof why);
    if (!m && !strstr(why, path))
        abort(); /* a refusal names the file */
    gf_model_free(m);
    return 0;
}
