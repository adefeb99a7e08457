/* manifest.c: the run's manifest.json (jansson). */
#include "io/gf_io.h"
#include "gf_version.h"

#include "blas/gf_blas.h"

#include <errno.h>
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
    json_t *blas = json_pack("{s:s, s:s, s:s, s:s, s:i, s:b}", "library", b->library, "kernel",
                             b->kernel, "selected_by", b->selected_by, "config", b->config,
                             "threads", b->threads, "product_check_passed", b->check_passed);
    return json_pack("{s:s, s:s, s:s, s:o, s:s, s:o}", "program", "gradflow", "version", GF_VERSION,
                     "command", command, "argv", args, "started_utc", when, "blas", blas);
}

int gf_manifest_write(json_t *manifest, const char *path, double wall_seconds)
{
    json_object_set_new(manifest, "wall_time_s", json_real(wall_seconds));
    gf_atomic a;
    FILE *f = gf_atomic_open(&a, path);
    if (!f)
        return -1;
    if (json_dumpf(manifest, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 || fputc('\n', f) == EOF) {
        gf_atomic_abort(&a);
        errno = EIO;
        return -1;
    }
    return gf_atomic_commit(&a);
}
