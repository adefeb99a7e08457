/* manifest.c: the run's manifest.json (jansson). */
#include "io/gf_io.h"
#include "gf_version.h"

#include "blas/gf_blas.h"

#include <time.h>

json_t *gf_manifest_new(const char *command, int argc, char **argv)
{
    char when[32];
    const time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *args = json_array();
    for (int i = 0; i < argc; i++)
        json_array_append_new(args, json_string(argv[i]));
    const gf_blas_info *b = gf_blas_info_get();
    json_t *blas = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:b}", "library", b->library,
                             "kernel", b->kernel, "selected_by", b->selected_by, "config",
                             b->config, "cblas_dgemm_from", b->dgemm_from, "threads", b->threads,
                             "product_check_passed", b->check_passed);
    return json_pack("{s:s, s:s, s:s, s:o, s:s, s:o}", "program", "gradflow", "version", GF_VERSION,
                     "command", command, "argv", args, "started_utc", when, "blas", blas);
}

static int dump(FILE *f, const void *manifest)
{
    return json_dumpf(manifest, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
                   fputc('\n', f) == EOF
               ? -1
               : 0;
}

int gf_manifest_write(json_t *manifest, const char *path, double wall_seconds)
{
    char why[256];
    json_object_set_new(manifest, "wall_time_s", json_real(wall_seconds));
    return gf_write_file(path, dump, manifest, why, sizeof why);
}
