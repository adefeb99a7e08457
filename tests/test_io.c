/* test_io.c: number formatting, atomic files, safetensors, manifests. */
#include "test_util.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[4096];

static int io_init(void) { return tu_make_temp_dir(dir, sizeof dir, "io"); }
static int io_cleanup(void)
{
    tu_remove_tree(dir);
    return 0;
}

static void path_in(char *buf, size_t size, const char *name)
{
    if (snprintf(buf, size, "%s/%s", dir, name) >= (int)size)
        buf[0] = '\0';
}

/* ---- numbers ------------------------------------------------------------ */

static void test_format_pow2_known_values(void)
{
    char b[64];
    gf_format_pow2(b, sizeof b, -390.0 * log2(10.0));
    CU_ASSERT_STRING_EQUAL(b, "1.000000e-390");
    gf_format_pow2(b, sizeof b, log2(3.141593) - 390.0 * log2(10.0));
    CU_ASSERT_STRING_EQUAL(b, "3.141593e-390");
    gf_format_pow2(b, sizeof b, 0.0);
    CU_ASSERT_STRING_EQUAL(b, "1.000000e+00");
    gf_format_pow2(b, sizeof b, 10.0);
    CU_ASSERT_STRING_EQUAL(b, "1.024000e+03");
    gf_format_pow2(b, sizeof b, -1.0);
    CU_ASSERT_STRING_EQUAL(b, "5.000000e-01");
    gf_format_pow2(b, sizeof b, log2(9.99999999e5)); /* rounds up to the next decade */
    CU_ASSERT_STRING_EQUAL(b, "1.000000e+06");
    gf_format_pow2(b, sizeof b, 500.0 * log2(10.0) + log2(2.5));
    CU_ASSERT_STRING_EQUAL(b, "2.500000e+500");
    gf_format_pow2(b, sizeof b, -INFINITY);
    CU_ASSERT_STRING_EQUAL(b, "0");
    gf_format_pow2(b, sizeof b, NAN);
    CU_ASSERT_STRING_EQUAL(b, "nan");
    gf_format_pow2(b, sizeof b, INFINITY);
    CU_ASSERT_STRING_EQUAL(b, "inf");
}

/* Inside the double range it agrees with printf's %.6e (value within half a
 * unit of the 7th digit) and parses back. */
static void test_format_pow2_agrees_with_printf(void)
{
    gsl_rng *r = tu_rng(91);
    int mismatched = 0;
    for (int i = 0; i < 2000; i++) {
        const double l2 = gsl_rng_uniform(r) * 2000.0 - 1000.0;
        char b[64], ref[64];
        gf_format_pow2(b, sizeof b, l2);
        snprintf(ref, sizeof ref, "%.6e", exp2(l2));
        const double back = strtod(b, NULL);
        if (fabs(back / exp2(l2) - 1.0) > 5.000001e-7 || strchr(b, 'e') == NULL ||
            strlen(b) < 12)
            mismatched++;
        /* The decimal exponent matches printf's unless the mantissa rounds. */
        if (strcmp(strchr(b, 'e'), strchr(ref, 'e')) != 0 && strcmp(b, ref) != 0 &&
            fabs(strtod(ref, NULL) / back - 1.0) > 1e-6)
            mismatched++;
    }
    CU_ASSERT_EQUAL(mismatched, 0);
    gsl_rng_free(r);
}

static void test_format_double(void)
{
    char b[64];
    gf_format_double(b, sizeof b, NAN);
    CU_ASSERT_STRING_EQUAL(b, "nan");
    gf_format_double(b, sizeof b, -INFINITY);
    CU_ASSERT_STRING_EQUAL(b, "-inf");
    gf_format_double(b, sizeof b, INFINITY);
    CU_ASSERT_STRING_EQUAL(b, "inf");
    const double x = 0.1 + 0.2;
    gf_format_double(b, sizeof b, x);
    CU_ASSERT(strtod(b, NULL) == x);
}

/* ---- files -------------------------------------------------------------- */

static void test_atomic_commit_and_abort(void)
{
    char sub[4096], path[4096];
    path_in(sub, sizeof sub, "atomic");
    CU_ASSERT_FATAL(gf_make_dirs(sub) == 0);
    CU_ASSERT_FATAL(gf_path_join(path, sizeof path, sub, "a.txt") == 0);
    gf_atomic a;
    FILE *f = gf_atomic_open(&a, path);
    CU_ASSERT_FATAL(f != NULL);
    fputs("hello\n", f);
    CU_ASSERT(!tu_file_exists(path)); /* not under its name until committed */
    CU_ASSERT_EQUAL(tu_count_entries(sub), 1);
    CU_ASSERT(gf_atomic_commit(&a) == 0);
    size_t len = 0;
    char *text = tu_read_file(path, &len);
    CU_ASSERT(text && strcmp(text, "hello\n") == 0);
    free(text);
    CU_ASSERT_EQUAL(tu_count_entries(sub), 1); /* no temporary left */

    /* Abort: nothing at all, and the committed file is untouched. */
    f = gf_atomic_open(&a, path);
    CU_ASSERT_FATAL(f != NULL);
    fputs("half-writ", f);
    gf_atomic_abort(&a);
    CU_ASSERT_EQUAL(tu_count_entries(sub), 1);
    text = tu_read_file(path, &len);
    CU_ASSERT(text && strcmp(text, "hello\n") == 0);
    free(text);
    char other[4096];
    CU_ASSERT_FATAL(gf_path_join(other, sizeof other, sub, "b.txt") == 0);
    f = gf_atomic_open(&a, other);
    CU_ASSERT_FATAL(f != NULL);
    gf_atomic_abort(&a);
    CU_ASSERT(!tu_file_exists(other));
    CU_ASSERT_EQUAL(tu_count_entries(sub), 1);

    /* A folder that does not exist: open fails, nothing is made. */
    CU_ASSERT_FATAL(gf_path_join(other, sizeof other, sub, "missing/c.txt") == 0);
    CU_ASSERT_PTR_NULL(gf_atomic_open(&a, other));
    CU_ASSERT_EQUAL(tu_count_entries(sub), 1);
}

static void test_make_dirs_and_join(void)
{
    char p[4096], file[4096], buf[16];
    path_in(p, sizeof p, "deep/er/still");
    CU_ASSERT(gf_make_dirs(p) == 0);
    CU_ASSERT(gf_make_dirs(p) == 0); /* again: fine */
    struct stat st;
    CU_ASSERT(stat(p, &st) == 0 && S_ISDIR(st.st_mode));
    path_in(file, sizeof file, "plainfile");
    FILE *f = fopen(file, "w");
    CU_ASSERT_FATAL(f != NULL);
    fclose(f);
    CU_ASSERT_FATAL(snprintf(p, sizeof p, "%s/sub", file) < (int)sizeof p);
    errno = 0;
    CU_ASSERT(gf_make_dirs(p) == -1);
    CU_ASSERT(errno != 0);
    CU_ASSERT(gf_make_dirs(file) == -1);
    CU_ASSERT(gf_path_join(buf, sizeof buf, "a", "b") == 0 && strcmp(buf, "a/b") == 0);
    CU_ASSERT(gf_path_join(buf, sizeof buf, "a/", "b") == 0 && strcmp(buf, "a/b") == 0);
    CU_ASSERT(gf_path_join(buf, sizeof buf, "", "b") == 0 && strcmp(buf, "b") == 0);
    CU_ASSERT(gf_path_join(buf, sizeof buf, "0123456789", "abcdef") == -1);
}

/* ---- safetensors ---------------------------------------------------------- */

static const double A[2][3] = {{1.5, -2, 3}, {4, 5e-300, -6.25}};
static const double V[4] = {0.1, 0.2, 0.3, 0.4};
static const int64_t COUNT = 42, LABELS[5] = {0, 9, 3, -1, 7};

static int write_sample(const char *path)
{
    gf_st_file st;
    gf_st_init(&st);
    const int64_t sa[2] = {2, 3}, sv[1] = {4}, sl[1] = {5};
    int ok = gf_st_add(&st, "blocks.0.fc1.weight", GF_ST_F64, 2, sa, A) == 0 &&
             gf_st_add(&st, "head.bias", GF_ST_F64, 1, sv, V) == 0 &&
             gf_st_add(&st, "bn.num_batches_tracked", GF_ST_I64, 0, NULL, &COUNT) == 0 &&
             gf_st_add(&st, "labels", GF_ST_I64, 1, sl, LABELS) == 0 &&
             gf_st_add_meta(&st, "format", "test") == 0;
    ok = ok && gf_st_write(&st, path) == 0;
    /* a name added twice makes the file invalid JSON: writing it is refused */
    char dup_path[4096];
    snprintf(dup_path, sizeof dup_path, "%s.dup", path);
    ok = ok && gf_st_add(&st, "head.bias", GF_ST_F64, 1, sv, V) == 0 &&
         gf_st_write(&st, dup_path) == -1 && access(dup_path, F_OK) != 0;
    gf_st_release(&st);
    return ok ? 0 : -1;
}

static void test_safetensors_round_trip(void)
{
    char path[4096], why[256] = "";
    path_in(path, sizeof path, "rt.safetensors");
    CU_ASSERT_FATAL(write_sample(path) == 0);
    gf_st_file st;
    const int rc = gf_st_read(&st, path, why, sizeof why);
    if (rc != 0)
        fprintf(stderr, "\n  gf_st_read: %s\n", why);
    CU_ASSERT_FATAL(rc == 0);
    CU_ASSERT_EQUAL(st.n, 4);
    static const char *const names[4] = {"blocks.0.fc1.weight", "head.bias",
                                         "bn.num_batches_tracked", "labels"};
    for (size_t i = 0; i < 4 && i < st.n; i++)
        CU_ASSERT_STRING_EQUAL(st.entry[i].name, names[i]); /* order kept */
    const gf_st_entry *e = gf_st_find(&st, "blocks.0.fc1.weight");
    CU_ASSERT_FATAL(e != NULL);
    CU_ASSERT(e->dtype == GF_ST_F64 && e->rank == 2 && e->shape[0] == 2 && e->shape[1] == 3);
    CU_ASSERT(memcmp(e->data, A, sizeof A) == 0);
    e = gf_st_find(&st, "head.bias");
    CU_ASSERT_FATAL(e != NULL);
    CU_ASSERT(e->dtype == GF_ST_F64 && e->rank == 1 && e->shape[0] == 4);
    CU_ASSERT(memcmp(e->data, V, sizeof V) == 0);
    e = gf_st_find(&st, "bn.num_batches_tracked");
    CU_ASSERT_FATAL(e != NULL);
    CU_ASSERT(e->dtype == GF_ST_I64 && e->rank == 0);
    CU_ASSERT(memcmp(e->data, &COUNT, sizeof COUNT) == 0);
    e = gf_st_find(&st, "labels");
    CU_ASSERT_FATAL(e != NULL);
    CU_ASSERT(e->dtype == GF_ST_I64 && e->rank == 1 && e->shape[0] == 5);
    CU_ASSERT(memcmp(e->data, LABELS, sizeof LABELS) == 0);
    CU_ASSERT_PTR_NULL(gf_st_find(&st, "nothing"));
    CU_ASSERT(st.metadata && json_is_string(json_object_get(st.metadata, "format")) &&
              strcmp(json_string_value(json_object_get(st.metadata, "format")), "test") == 0);
    gf_st_release(&st);
}

/* The layout: an 8-byte little-endian length N, N bytes of JSON padded with
 * spaces to a multiple of 8, then the data in entry order. */
static void test_safetensors_layout(void)
{
    char path[4096];
    path_in(path, sizeof path, "layout.safetensors");
    CU_ASSERT_FATAL(write_sample(path) == 0);
    size_t len = 0;
    unsigned char *img = (unsigned char *)tu_read_file(path, &len);
    CU_ASSERT_FATAL(img != NULL && len > 8);
    uint64_t n = 0;
    for (int i = 0; i < 8; i++)
        n |= (uint64_t)img[i] << (8 * i);
    CU_ASSERT_EQUAL(n % 8, 0);
    const size_t data = sizeof A + sizeof V + sizeof COUNT + sizeof LABELS;
    CU_ASSERT_EQUAL(len, 8 + n + data);
    CU_ASSERT(img[8] == '{');
    size_t end = 8 + (size_t)n;
    while (end > 8 && img[end - 1] == ' ')
        end--;
    CU_ASSERT(end > 8 && img[end - 1] == '}');
    CU_ASSERT(8 + n - end < 8); /* at most 7 spaces of padding */
    json_error_t err;
    json_t *h = json_loadb((const char *)img + 8, (size_t)n, 0, &err);
    CU_ASSERT_FATAL(json_is_object(h));
    json_int_t b = -1, e = -1;
    const char *dtype = NULL;
    CU_ASSERT(json_unpack(json_object_get(h, "head.bias"), "{s:s, s:[I, I]}", "dtype", &dtype,
                          "data_offsets", &b, &e) == 0);
    CU_ASSERT(dtype && strcmp(dtype, "F64") == 0);
    CU_ASSERT(b == (json_int_t)sizeof A && e == (json_int_t)(sizeof A + sizeof V));
    CU_ASSERT(memcmp(img + 8 + n + b, V, sizeof V) == 0);
    CU_ASSERT(json_is_object(json_object_get(h, "__metadata__")));
    json_decref(h);
    free(img);
    CU_ASSERT_EQUAL(tu_count_matching(dir, ".tmp-"), 0); /* no temporary left beside it */
}

static int write_bytes(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    const int ok = fwrite(p, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static void expect_rejected(const char *path, const char *what)
{
    gf_st_file st;
    char why[256] = "";
    const int rc = gf_st_read(&st, path, why, sizeof why);
    if (rc == 0) {
        fprintf(stderr, "\n  gf_st_read accepted %s\n", what);
        gf_st_release(&st);
    }
    CU_ASSERT(rc == -1);
    CU_ASSERT(strlen(why) > 0 && !strchr(why, '\n'));
}

static void test_safetensors_rejects_bad_files(void)
{
    char good[4096], bad[4096];
    path_in(good, sizeof good, "good.safetensors");
    path_in(bad, sizeof bad, "bad.safetensors");
    CU_ASSERT_FATAL(write_sample(good) == 0);
    size_t len = 0;
    unsigned char *img = (unsigned char *)tu_read_file(good, &len);
    CU_ASSERT_FATAL(img != NULL);
    uint64_t n = 0;
    for (int i = 0; i < 8; i++)
        n |= (uint64_t)img[i] << (8 * i);
    /* Truncated anywhere: in the length, in the header, in the data. */
    const size_t cuts[] = {0, 4, 7, 8, 20, 8 + (size_t)n - 1, 8 + (size_t)n, len - 8, len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        CU_ASSERT_FATAL(write_bytes(bad, img, cuts[i]) == 0);
        char what[64];
        snprintf(what, sizeof what, "a file cut at %zu of %zu bytes", cuts[i], len);
        expect_rejected(bad, what);
    }
    /* A length beyond the end. */
    unsigned char *copy = malloc(len);
    memcpy(copy, img, len);
    copy[6] = 0x7f;
    CU_ASSERT_FATAL(write_bytes(bad, copy, len) == 0);
    expect_rejected(bad, "a huge header length");
    /* A header that is not JSON. */
    memcpy(copy, img, len);
    copy[8] = '[';
    CU_ASSERT_FATAL(write_bytes(bad, copy, len) == 0);
    expect_rejected(bad, "a header that is not an object");
    memcpy(copy, img, len);
    memset(copy + 8, 'x', 16);
    CU_ASSERT_FATAL(write_bytes(bad, copy, len) == 0);
    expect_rejected(bad, "garbage in the header");
    free(copy);
    /* A folder: it opens, and ftell gives its "size" as LONG_MAX (a 2^63-byte malloc). */
    char dir[4096];
    path_in(dir, sizeof dir, "a-folder.safetensors");
    CU_ASSERT_FATAL(mkdir(dir, 0755) == 0);
    expect_rejected(dir, "a folder");
    rmdir(dir);
    /* Random garbage. */
    gsl_rng *r = tu_rng(92);
    unsigned char junk[512];
    for (int k = 0; k < 20; k++) {
        for (size_t i = 0; i < sizeof junk; i++)
            junk[i] = (unsigned char)gsl_rng_uniform_int(r, 256);
        if (k % 2) { /* a plausible length, garbage after it */
            memset(junk, 0, 8);
            junk[0] = 200;
        }
        CU_ASSERT_FATAL(write_bytes(bad, junk, sizeof junk) == 0);
        expect_rejected(bad, "random bytes");
    }
    gsl_rng_free(r);
    /* Hand-written headers with wrong entries. */
    static const char *const headers[] = {
        "{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8]}}",     /* shape != bytes */
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}",    /* unknown dtype */
        "{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,32]}}",    /* beyond data */
        "{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[8,0]}}",     /* reversed */
        "{\"a\":{\"dtype\":\"F64\",\"shape\":[1,1,1,1,2],\"data_offsets\":[0,16]}}", /* rank 5 */
        "{\"a\":{\"dtype\":\"F64\",\"shape\":[-2],\"data_offsets\":[0,16]}}",   /* negative */
        "{\"a\":{\"shape\":[2],\"data_offsets\":[0,16]}}",                      /* no dtype */
        "{\"a\":7}",
    };
    for (size_t k = 0; k < sizeof headers / sizeof *headers; k++) {
        unsigned char buf[256] = {0};
        const size_t hl = strlen(headers[k]);
        buf[0] = (unsigned char)hl;
        memcpy(buf + 8, headers[k], hl);
        CU_ASSERT_FATAL(write_bytes(bad, buf, 8 + hl + 16) == 0);
        expect_rejected(bad, headers[k]);
    }
    /* and the well-formed version of the same is accepted */
    {
        static const char ok[] = "{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}";
        unsigned char buf[256] = {0};
        buf[0] = (unsigned char)strlen(ok);
        memcpy(buf + 8, ok, strlen(ok));
        CU_ASSERT_FATAL(write_bytes(bad, buf, 8 + strlen(ok) + 16) == 0);
        gf_st_file st;
        char why[128];
        CU_ASSERT(gf_st_read(&st, bad, why, sizeof why) == 0);
        gf_st_release(&st);
    }
    path_in(bad, sizeof bad, "does-not-exist.safetensors");
    expect_rejected(bad, "a missing file");
    free(img);
}

/* ---- manifest -------------------------------------------------------------- */

static void test_manifest(void)
{
    char path[4096];
    path_in(path, sizeof path, "manifest.json");
    char *argv[] = {"gradflow", "gradnorm", "--depth", "8", NULL};
    json_t *m = gf_manifest_new("gradnorm", 4, argv);
    CU_ASSERT_FATAL(m != NULL);
    json_object_set_new(m, "settings", json_pack("{s:i}", "depth", 8));
    CU_ASSERT(gf_manifest_write(m, path, 1.25) == 0);
    json_decref(m);
    json_error_t err;
    json_t *back = json_load_file(path, 0, &err);
    CU_ASSERT_FATAL(json_is_object(back));
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(back, "program")), "gradflow");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(back, "version")), GF_VERSION);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(back, "argv")), 4);
    CU_ASSERT_DOUBLE_EQUAL(json_real_value(json_object_get(back, "wall_time_s")), 1.25, 0);
    json_t *blas = json_object_get(back, "blas");
    CU_ASSERT(json_is_object(blas) && json_is_string(json_object_get(blas, "library")) &&
              json_is_string(json_object_get(blas, "kernel")));
    CU_ASSERT(json_is_true(json_object_get(blas, "product_check_passed")));
    json_decref(back);
}

/* A config as metadata from a field table: every kind's text, the check
 * passing on the same config and naming the first field that differs, an
 * advisory field ignored. */
static void test_config_meta(void)
{
    typedef struct {
        int n;
        size_t m;
        double x;
        int kind, mode;
    } cfg;
    static const char *const kinds[] = {"a", "b", NULL}, *const fixed[] = {"fixed"};
    static const gf_meta_field f[] = {
        {"n", GF_META_INT, offsetof(cfg, n), NULL, 0},
        {"m", GF_META_SIZE, offsetof(cfg, m), NULL, 0},
        {"x", GF_META_DOUBLE, offsetof(cfg, x), NULL, 0},
        {"kind", GF_META_NAME, offsetof(cfg, kind), kinds, 0},
        {"mode", GF_META_INT, offsetof(cfg, mode), NULL, 1},
        {"init", GF_META_TEXT, 0, fixed, 0},
    };
    cfg c = {-3, 7, 0.1, 1, 0};
    gf_st_file st;
    gf_st_init(&st);
    CU_ASSERT_FATAL(gf_st_add_config(&st, f, 6, &c) == 0);
    const char *want[6][2] = {{"n", "-3"}, {"m", "7"}, {"x", "0.10000000000000001"},
                              {"kind", "b"}, {"mode", "0"}, {"init", "fixed"}};
    for (int i = 0; i < 6; i++)
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(st.metadata, want[i][0])),
                               want[i][1]);
    char why[128] = "";
    CU_ASSERT(gf_st_config_check(&st, f, 6, &c, why, sizeof why) == 0);
    c.mode = 1; /* advisory */
    CU_ASSERT(gf_st_config_check(&st, f, 6, &c, why, sizeof why) == 0);
    c.kind = 0;
    CU_ASSERT(gf_st_config_check(&st, f, 6, &c, why, sizeof why) == -1);
    CU_ASSERT_STRING_EQUAL(why, "kind is b in the file, a here");

    /* read back: every value as written; then damaged texts, one field at a time */
    cfg r = {0, 0, 0.0, 0, 5};
    CU_ASSERT_FATAL(gf_st_config_read(&st, f, 6, &r, why, sizeof why) == 0);
    CU_ASSERT(r.n == -3 && r.m == 7 && r.x == 0.1 && r.kind == 1 && r.mode == 0);
    static const char *const bad[][2] = {
        {"n", "99999999999"}, {"n", "12abc"}, {"n", ""}, {"m", "-1"}, {"m", "1048577"},
        {"x", "nan"},         {"x", "1e999"}, {"kind", "c"}, {"mode", "x"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char text[32];
        snprintf(text, sizeof text, "%s",
                 json_string_value(json_object_get(st.metadata, bad[i][0])));
        json_object_set_new(st.metadata, bad[i][0], json_string(bad[i][1]));
        CU_ASSERT(gf_st_config_read(&st, f, 6, &r, why, sizeof why) == -1);
        CU_ASSERT(strstr(why, "is damaged") && strstr(why, bad[i][0]));
        json_object_set_new(st.metadata, bad[i][0], json_string(text));
    }
    CU_ASSERT(gf_st_config_read(&st, f, 6, &r, why, sizeof why) == 0);
    json_object_del(st.metadata, "mode"); /* advisory: the config keeps its value */
    r.mode = 4;
    CU_ASSERT(gf_st_config_read(&st, f, 6, &r, why, sizeof why) == 0 && r.mode == 4);
    json_object_del(st.metadata, "m");
    CU_ASSERT(gf_st_config_read(&st, f, 6, &r, why, sizeof why) == -1);
    CU_ASSERT_STRING_EQUAL(why, "the file does not record the network's m");
    gf_st_release(&st);
}

CU_TestInfo io_tests[] = {
    {"gf_format_pow2 known values (1e-390, 0, nan)", test_format_pow2_known_values},
    {"gf_format_pow2 agrees with printf in range", test_format_pow2_agrees_with_printf},
    {"gf_format_double", test_format_double},
    {"atomic commit leaves no temporary, abort leaves nothing", test_atomic_commit_and_abort},
    {"gf_make_dirs and gf_path_join", test_make_dirs_and_join},
    {"safetensors round trip", test_safetensors_round_trip},
    {"safetensors header padded to 8 bytes, length field", test_safetensors_layout},
    {"gf_st_read rejects truncated and garbage files", test_safetensors_rejects_bad_files},
    {"manifest.json", test_manifest},
    {"a config as metadata from a field table, read back, damaged texts refused", test_config_meta},
    CU_TEST_INFO_NULL,
};

int io_suite_init(void);
int io_suite_cleanup(void);
int io_suite_init(void) { return io_init(); }
int io_suite_cleanup(void) { return io_cleanup(); }
