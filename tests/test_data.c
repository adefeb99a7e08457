/* test_data.c: IDX files (good and malformed, plain and gzip), Fashion-MNIST
 * from a small fake folder (and from Debian's package when installed), and
 * the copies every dataset shares (sample, gather, slice). Each test writes
 * its files in its own temporary folder and removes it. */
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* ---- writing test files -------------------------------------------------- */

/* Write len bytes to dir/name, gzip-compressed when gz; the path in path. 0 or -1. */
static int write_bytes(char *path, const char *dir, const char *name, int gz, const void *buf,
                       size_t len)
{
    if (gf_path_join(path, 4096, dir, name) != 0)
        return -1;
    if (gz) {
        gzFile f = gzopen(path, "wb");
        const int ok = f && gzwrite(f, buf, (unsigned)len) == (int)len;
        return (f && gzclose(f) == Z_OK && ok) ? 0 : -1;
    }
    FILE *f = fopen(path, "wb");
    const int ok = f && fwrite(buf, 1, len, f) == len;
    return (f && fclose(f) == 0 && ok) ? 0 : -1;
}

/* An IDX header: 0 0 0x08 rank, then the sizes (big-endian); its length. */
static size_t idx_header(unsigned char *h, int rank, const uint32_t *dims)
{
    h[0] = h[1] = 0;
    h[2] = 0x08;
    h[3] = (unsigned char)rank;
    for (int i = 0; i < rank; i++)
        for (int k = 0; k < 4; k++)
            h[4 + 4 * i + k] = (unsigned char)(dims[i] >> (8 * (3 - k)));
    return 4 + 4 * (size_t)rank;
}

/* A small IDX file in memory, with room to spare for the malformed variants. */
typedef struct blob {
    unsigned char b[256];
    size_t n;
} blob;

static blob idx_blob(int rank, const uint32_t *dims, const unsigned char *data, size_t count)
{
    blob x;
    x.n = idx_header(x.b, rank, dims);
    memcpy(x.b + x.n, data, count);
    x.n += count;
    return x;
}

/* A large one, written gzip-compressed to dir/name. 0 or -1. */
static int write_idx(const char *dir, const char *name, int rank, const uint32_t *dims,
                     const unsigned char *data, size_t count)
{
    unsigned char *buf = malloc(4 + 4 * (size_t)rank + count);
    if (!buf)
        return -1;
    const size_t h = idx_header(buf, rank, dims);
    memcpy(buf + h, data, count);
    char path[4096];
    const int rc = write_bytes(path, dir, name, 1, buf, h + count);
    free(buf);
    return rc;
}

static void fill_bytes(unsigned char *p, size_t n, unsigned long seed)
{
    gsl_rng *r = tu_rng(seed);
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)gsl_rng_uniform_int(r, 256);
    gsl_rng_free(r);
}

static int is_zeroed(const gf_idx *idx)
{
    return idx->rank == 0 && idx->count == 0 && idx->data == NULL && idx->dims[0] == 0;
}

/* ---- IDX ----------------------------------------------------------------- */

static void expect_read_back(const char *dir, const char *name, int gz, int rank,
                             const uint32_t *dims, const unsigned char *data, size_t count)
{
    char path[4096], why[512] = "";
    const blob b = idx_blob(rank, dims, data, count);
    gf_idx idx;
    const int rc = write_bytes(path, dir, name, gz, b.b, b.n) == 0
                       ? gf_idx_read(&idx, path, why, sizeof why)
                       : -1;
    CU_ASSERT(rc == 0);
    if (rc != 0) { /* not FATAL: the caller removes its folder */
        fprintf(stderr, "\n  %s: %s\n", name, why);
        return;
    }
    CU_ASSERT_EQUAL(idx.rank, rank);
    for (int i = 0; i < rank; i++)
        CU_ASSERT_EQUAL(idx.dims[i], dims[i]);
    CU_ASSERT_EQUAL(idx.count, count);
    CU_ASSERT(memcmp(idx.data, data, count) == 0);
    gf_idx_release(&idx);
    CU_ASSERT(is_zeroed(&idx));
}

static void test_idx_reads_good_files(void)
{
    char dir[4096];
    CU_ASSERT_FATAL(tu_make_temp_dir(dir, sizeof dir, "idx-good") == 0);
    const uint32_t d3[3] = {3, 4, 5}, d1[1] = {10};
    unsigned char data[60];
    fill_bytes(data, sizeof data, 1);
    expect_read_back(dir, "images", 0, 3, d3, data, 60);
    expect_read_back(dir, "images.gz", 1, 3, d3, data, 60);
    expect_read_back(dir, "labels", 0, 1, d1, data, 10);
    expect_read_back(dir, "labels.gz", 1, 1, d1, data, 10);
    tu_remove_tree(dir);
}

/* Reading path fails: -1, idx zeroed, one line "path: ..." that contains needle. */
static void expect_refused_path(const char *path, const char *needle)
{
    char why[512] = "";
    gf_idx idx;
    memset(&idx, 0xA5, sizeof idx);
    CU_ASSERT_EQUAL(gf_idx_read(&idx, path, why, sizeof why), -1);
    CU_ASSERT(is_zeroed(&idx));
    const size_t n = strlen(path);
    CU_ASSERT(strncmp(why, path, n) == 0 && strncmp(why + n, ": ", 2) == 0);
    CU_ASSERT_PTR_NULL(strchr(why, '\n'));
    if (!strstr(why, needle)) {
        fprintf(stderr, "\n  expected \"%s\" in: %s\n", needle, why);
        CU_FAIL("reason does not name the cause");
    }
}

static void expect_refused(const char *dir, const char *name, int gz, const blob *b,
                           const char *needle)
{
    char path[4096];
    CU_ASSERT(write_bytes(path, dir, name, gz, b->b, b->n) == 0);
    expect_refused_path(path, needle);
}

static void test_idx_refuses_malformed_files(void)
{
    char dir[4096];
    CU_ASSERT_FATAL(tu_make_temp_dir(dir, sizeof dir, "idx-bad") == 0);
    const uint32_t dims[3] = {3, 4, 5};
    unsigned char data[60];
    fill_bytes(data, sizeof data, 2);
    const blob good = idx_blob(3, dims, data, 60);
    blob b;

    b = good, b.b[1] = 0x01;
    expect_refused(dir, "magic", 0, &b, "not an IDX file");
    b = good, b.b[2] = 0x0D;
    expect_refused(dir, "type", 0, &b,
                   "unsupported data type 0x0D (only unsigned bytes, 0x08, are read)");
    b = good, b.b[3] = 0;
    expect_refused(dir, "rank0", 0, &b, "rank 0 is not supported");
    b = good, b.b[3] = 5;
    expect_refused(dir, "rank5.gz", 1, &b, "rank 5 is not supported");
    b = good, b.n = 3;
    expect_refused(dir, "header3", 0, &b, "truncated header");
    b = good, b.n = 10; /* rank 3 with 6 of its 12 bytes of sizes */
    expect_refused(dir, "header10.gz", 1, &b, "truncated header: rank 3 needs 12 bytes");
    b = good, b.n = 0;
    expect_refused(dir, "empty", 0, &b, "truncated header");
    b = good, b.n--;
    expect_refused(dir, "short", 0, &b, "truncated: the header expects 60 bytes of data, found 59");
    expect_refused(dir, "short.gz", 1, &b, "truncated: the header expects 60 bytes");
    b = good, b.b[b.n++] = 7, b.b[b.n++] = 7;
    expect_refused(dir, "long", 0, &b, "has trailing bytes after its 60 bytes of data");
    expect_refused(dir, "long.gz", 1, &b, "has trailing bytes after its 60 bytes of data");

    const uint32_t zero[3] = {3, 0, 5}, huge[3] = {65536, 32768, 2};
    const uint32_t wrap[4] = {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu};
    b = idx_blob(3, zero, data, 0);
    expect_refused(dir, "zero", 0, &b, "size 2 of 3 is 0");
    b = idx_blob(3, huge, data, 60); /* 2^32 bytes: over the limit */
    expect_refused(dir, "huge", 0, &b, "more than 2147483648 bytes");
    b = idx_blob(4, wrap, data, 60); /* the product overflows 64 bits */
    expect_refused(dir, "wrap", 0, &b, "more than 2147483648 bytes");

    char path[4096];
    CU_ASSERT_FATAL(gf_path_join(path, sizeof path, dir, "missing.gz") == 0);
    char expect[4200];
    snprintf(expect, sizeof expect, "%s: No such file or directory", path);
    expect_refused_path(path, expect);
    expect_refused_path(dir, "Is a directory");
    tu_remove_tree(dir);
}

/* A gzip file damaged in the middle, or cut short, is refused with zlib's reason. */
static void test_idx_refuses_corrupt_gzip(void)
{
    char dir[4096], path[4096];
    CU_ASSERT_FATAL(tu_make_temp_dir(dir, sizeof dir, "idx-gz") == 0);
    enum { N = 8192 };
    static unsigned char data[N];
    for (size_t i = 0; i < N; i++) /* compressible, so the stream has Huffman blocks */
        data[i] = (unsigned char)("abcdefgh"[(i * i) % 8] + (i % 97 == 0));
    const uint32_t dims[2] = {64, 128};
    CU_ASSERT(write_idx(dir, "good.gz", 2, dims, data, N) == 0);
    CU_ASSERT_FATAL(gf_path_join(path, sizeof path, dir, "good.gz") == 0);
    size_t len = 0;
    unsigned char *gz = (unsigned char *)tu_read_file(path, &len);
    CU_ASSERT(gz != NULL && len > 64);
    if (gz && len > 64) {
        for (size_t i = len / 2; i < len / 2 + 8; i++)
            gz[i] ^= 0x5A;
        CU_ASSERT(write_bytes(path, dir, "flipped.gz", 0, gz, len) == 0);
        expect_refused_path(path, "corrupt gzip stream: ");
        CU_ASSERT(write_bytes(path, dir, "cut.gz", 0, gz, len / 2) == 0);
        expect_refused_path(path, "corrupt gzip stream: unexpected end of file");
    }
    free(gz);
    tu_remove_tree(dir);
}

/* ---- Fashion-MNIST from a fake folder ----------------------------------------- */

enum { FAKE_TRAIN = 20, FAKE_TEST = 5, SIDE = 28, PIX = SIDE * SIDE, TEST_BASE = 100 };

/* Pixel j of fake image i (training 0..19, test TEST_BASE + 0..4); every image differs. */
static unsigned char fake_pixel(size_t i, size_t j)
{
    return (unsigned char)((i * 37 + j * 11 + (j * j) % 7) % 256);
}

static int fake_label(size_t i) { return (int)(i % 10); }

/* The four files of a fake folder, with n_labels training labels (a
 * mismatch when not FAKE_TRAIN) of which the first is label0. 0 or -1. */
static int make_fake(const char *dir, size_t n_labels, int label0)
{
    unsigned char *im = malloc(FAKE_TRAIN * PIX), lb[FAKE_TRAIN], tim[FAKE_TEST * PIX],
                  tlb[FAKE_TEST];
    if (!im)
        return -1;
    for (size_t i = 0; i < FAKE_TRAIN; i++) {
        for (size_t j = 0; j < PIX; j++)
            im[i * PIX + j] = fake_pixel(i, j);
        lb[i] = (unsigned char)fake_label(i);
    }
    lb[0] = (unsigned char)label0;
    for (size_t i = 0; i < FAKE_TEST; i++) {
        for (size_t j = 0; j < PIX; j++)
            tim[i * PIX + j] = fake_pixel(TEST_BASE + i, j);
        tlb[i] = (unsigned char)fake_label(TEST_BASE + i);
    }
    const uint32_t d[3] = {FAKE_TRAIN, SIDE, SIDE}, dl[1] = {(uint32_t)n_labels},
                   dt[3] = {FAKE_TEST, SIDE, SIDE}, dtl[1] = {FAKE_TEST};
    const int rc = write_idx(dir, "train-images-idx3-ubyte.gz", 3, d, im, FAKE_TRAIN * PIX) |
                   write_idx(dir, "train-labels-idx1-ubyte.gz", 1, dl, lb, n_labels) |
                   write_idx(dir, "t10k-images-idx3-ubyte.gz", 3, dt, tim, sizeof tim) |
                   write_idx(dir, "t10k-labels-idx1-ubyte.gz", 1, dtl, tlb, sizeof tlb);
    free(im);
    return rc;
}

/* Mean and population sd of x[0..n). */
static void mean_sd(const double *x, size_t n, double *m, double *sd)
{
    double s = 0.0, v = 0.0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    *m = s / (double)n;
    for (size_t i = 0; i < n; i++)
        v += (x[i] - *m) * (x[i] - *m);
    *sd = sqrt(v / (double)n);
}

/* Which fake training image each row of train is: the test set's first image
 * (raw pixels known) gives the mean m and sd used, x = (p / 255 - m) / sd,
 * which undoes the standardization. ids[k] = -1 when row k matches none. */
static void identify(const gf_dataset *train, const gf_dataset *test, int *ids, double *m,
                     double *sd)
{
    const double pa = fake_pixel(TEST_BASE, 0) / 255.0, pb = fake_pixel(TEST_BASE, 1) / 255.0;
    *sd = (pa - pb) / (test->x[0] - test->x[1]);
    *m = pa - test->x[0] * *sd;
    for (size_t k = 0; k < train->n; k++) {
        ids[k] = -1;
        for (size_t i = 0; i < FAKE_TRAIN && ids[k] < 0; i++) {
            double worst = 0.0;
            for (size_t j = 0; j < PIX; j++)
                worst = fmax(worst, fabs(255.0 * (train->x[k * PIX + j] * *sd + *m) -
                                         fake_pixel(i, j)));
            if (worst < 1e-6)
                ids[k] = (int)i;
        }
    }
}

/* The rows of a fake load: distinct training images with their labels,
 * standardized with the subset's statistics (train mean 0, sd 1); the test
 * set in file order, standardized the same way. ids as identify. */
static void check_rows(const gf_dataset *tr, const gf_dataset *te, int *ids)
{
    double m, sd, xm, xsd;
    identify(tr, te, ids, &m, &sd);
    int seen[FAKE_TRAIN] = {0}, found = 1;
    for (size_t k = 0; k < tr->n; k++) {
        found = found && ids[k] >= 0 && !seen[ids[k]]++;
        CU_ASSERT(ids[k] < 0 || tr->y[k] == fake_label((size_t)ids[k]));
    }
    CU_ASSERT(found);
    double *raw = found ? malloc(tr->n * PIX * sizeof *raw) : NULL;
    if (!raw)
        return;
    for (size_t k = 0; k < tr->n; k++)
        for (size_t j = 0; j < PIX; j++)
            raw[k * PIX + j] = fake_pixel((size_t)ids[k], j) / 255.0;
    mean_sd(raw, tr->n * PIX, &xm, &xsd);
    CU_ASSERT_DOUBLE_EQUAL(m, xm, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(sd, xsd, 1e-12);
    free(raw);
    mean_sd(tr->x, tr->n * PIX, &xm, &xsd);
    CU_ASSERT_DOUBLE_EQUAL(xm, 0.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(xsd, 1.0, 1e-12);
    double worst = 0.0;
    for (size_t i = 0; i < FAKE_TEST; i++) {
        CU_ASSERT_EQUAL(te->y[i], fake_label(TEST_BASE + i));
        for (size_t j = 0; j < PIX; j++)
            worst = fmax(worst, fabs(te->x[i * PIX + j] -
                                     (fake_pixel(TEST_BASE + i, j) / 255.0 - m) / sd));
    }
    CU_ASSERT(worst < 1e-12);
}

/* Load ntrain fake images and every test image and check them; which
 * image each training row is in ids (-1: none). Never FATAL: the caller
 * removes its folder. */
static void check_fake_load(const char *dir, size_t ntrain, int *ids)
{
    for (size_t k = 0; k < ntrain; k++)
        ids[k] = -1;
    gf_dataset tr, te;
    char why[512] = "";
    const int rc = gf_fashion_load(&tr, &te, dir, ntrain, FAKE_TEST, why, sizeof why);
    CU_ASSERT(rc == 0);
    if (rc != 0)
        fprintf(stderr, "\n  %s\n", why);
    const int shaped = tr.n == ntrain && tr.dim == PIX && tr.classes == 10 &&
                       te.n == FAKE_TEST && te.dim == PIX && te.classes == 10;
    CU_ASSERT(shaped);
    if (shaped)
        check_rows(&tr, &te, ids);
    gf_dataset_release(&tr);
    gf_dataset_release(&te);
}

static void test_fashion_fake_subsets(void)
{
    char dir[4096];
    CU_ASSERT_FATAL(tu_make_temp_dir(dir, sizeof dir, "fashion") == 0);
    CU_ASSERT(make_fake(dir, FAKE_TRAIN, 0) == 0);
    CU_ASSERT(gf_fashion_available(dir) == 1);
    int all[FAKE_TRAIN], some[8];
    check_fake_load(dir, FAKE_TRAIN, all);
    check_fake_load(dir, 8, some);
    /* A subset is a prefix of one fixed order, and that order is shuffled. */
    CU_ASSERT(memcmp(all, some, sizeof some) == 0);
    int shuffled = 0;
    for (int i = 0; i < FAKE_TRAIN; i++)
        shuffled |= all[i] != i;
    CU_ASSERT(shuffled);

    /* ntest = 0: no test set; the training set is the same as with a test set. */
    gf_dataset tr, te, tr5, te5;
    char why[512] = "";
    CU_ASSERT(gf_fashion_load(&tr, &te, dir, 8, 0, why, sizeof why) == 0);
    CU_ASSERT(te.n == 0 && te.x == NULL && te.y == NULL);
    CU_ASSERT(gf_fashion_load(&tr5, &te5, dir, 8, 5, why, sizeof why) == 0);
    CU_ASSERT(tr.n == 8 && tr5.n == 8 && memcmp(tr.x, tr5.x, 8 * PIX * sizeof *tr.x) == 0 &&
              memcmp(tr.y, tr5.y, 8 * sizeof *tr.y) == 0);
    gf_dataset_release(&tr);
    gf_dataset_release(&te);
    gf_dataset_release(&tr5);
    gf_dataset_release(&te5);
    tu_remove_tree(dir);
}

/* gf_fashion_load on dir fails: -1, both sets zeroed, reason with needle (and needle2). */
static void expect_load_fails(const char *dir, size_t ntrain, size_t ntest, const char *needle,
                              const char *needle2)
{
    gf_dataset tr, te;
    char why[1024] = "";
    CU_ASSERT_EQUAL(gf_fashion_load(&tr, &te, dir, ntrain, ntest, why, sizeof why), -1);
    CU_ASSERT(tr.x == NULL && tr.y == NULL && tr.n == 0 && te.x == NULL && te.n == 0);
    CU_ASSERT_PTR_NULL(strchr(why, '\n'));
    if (!strstr(why, needle) || (needle2 && !strstr(why, needle2))) {
        fprintf(stderr, "\n  expected \"%s\" and \"%s\" in: %s\n", needle,
                needle2 ? needle2 : "", why);
        CU_FAIL("reason does not name the cause");
    }
}

static void test_fashion_fake_errors(void)
{
    char dir[4096], sub[4096], path[4096];
    CU_ASSERT_FATAL(tu_make_temp_dir(dir, sizeof dir, "fashion-bad") == 0);
    CU_ASSERT(make_fake(dir, FAKE_TRAIN, 0) == 0);
    expect_load_fails(dir, 0, 5, "ntrain 0 is out of range (1 to 20 training images)", NULL);
    expect_load_fails(dir, 21, 5, "ntrain 21 is out of range", NULL);
    expect_load_fails(dir, 20, 6, "ntest 6 is out of range (0 to 5 test images)", NULL);

    CU_ASSERT(make_fake(dir, FAKE_TRAIN - 1, 0) == 0);
    expect_load_fails(dir, 10, 5, "train-images-idx3-ubyte.gz holds 20 images",
                      "train-labels-idx1-ubyte.gz holds 19 labels");
    CU_ASSERT(make_fake(dir, FAKE_TRAIN, 10) == 0);
    expect_load_fails(dir, 10, 5, "train-labels-idx1-ubyte.gz: label 10 of image 0", NULL);
    CU_ASSERT(make_fake(dir, FAKE_TRAIN, 0) == 0);
    const uint32_t flat[2] = {FAKE_TEST, PIX};
    unsigned char pixels[FAKE_TEST * PIX] = {0};
    CU_ASSERT(write_idx(dir, "t10k-images-idx3-ubyte.gz", 2, flat, pixels, sizeof pixels) == 0);
    expect_load_fails(dir, 10, 5, "t10k-images-idx3-ubyte.gz: rank 2", NULL);

    /* A missing folder, or one missing file: the package to install. */
    CU_ASSERT(make_fake(dir, FAKE_TRAIN, 0) == 0);
    CU_ASSERT_FATAL(gf_path_join(path, sizeof path, dir, "t10k-labels-idx1-ubyte.gz") == 0);
    CU_ASSERT(remove(path) == 0);
    CU_ASSERT(gf_fashion_available(dir) == 0);
    expect_load_fails(dir, 10, 5, "Fashion-MNIST not found in",
                      "apt-get install dataset-fashion-mnist");
    CU_ASSERT_FATAL(gf_path_join(sub, sizeof sub, dir, "nowhere") == 0);
    CU_ASSERT(gf_fashion_available(sub) == 0);
    expect_load_fails(sub, 10, 5, sub, "dataset-fashion-mnist package");
    tu_remove_tree(dir);
}

static void test_fashion_class_names(void)
{
    int n = 0;
    while (gf_fashion_classes[n])
        n++;
    CU_ASSERT_EQUAL(n, 10);
    CU_ASSERT_STRING_EQUAL(gf_fashion_classes[0], "T-shirt/top");
    CU_ASSERT_STRING_EQUAL(gf_fashion_classes[6], "Shirt");
    CU_ASSERT_STRING_EQUAL(gf_fashion_classes[9], "Ankle boot");
}

/* The real files, when Debian's dataset-fashion-mnist is installed. */
static void test_fashion_installed(void)
{
    if (!gf_fashion_available(GF_FASHION_DIR)) {
        printf("(skipped: no Fashion-MNIST in %s) ", GF_FASHION_DIR);
        return;
    }
    gf_dataset tr, te;
    char why[1024] = "";
    const int rc = gf_fashion_load(&tr, &te, GF_FASHION_DIR, 1000, 100, why, sizeof why);
    if (rc != 0)
        fprintf(stderr, "\n  %s\n", why);
    CU_ASSERT_FATAL(rc == 0);
    CU_ASSERT(tr.n == 1000 && tr.dim == 784 && tr.classes == 10);
    CU_ASSERT(te.n == 100 && te.dim == 784 && te.classes == 10);
    int per_class[10] = {0}, out_of_range = 0;
    for (size_t i = 0; i < tr.n; i++)
        if (tr.y[i] >= 0 && tr.y[i] < 10)
            per_class[tr.y[i]]++;
        else
            out_of_range++;
    for (size_t i = 0; i < te.n; i++)
        out_of_range += te.y[i] < 0 || te.y[i] >= 10;
    CU_ASSERT_EQUAL(out_of_range, 0);
    for (int c = 0; c < 10; c++) /* 100 expected; binomial sd about 9.5 */
        CU_ASSERT(per_class[c] >= 50 && per_class[c] <= 150);
    double m, sd;
    mean_sd(tr.x, tr.n * tr.dim, &m, &sd);
    CU_ASSERT_DOUBLE_EQUAL(m, 0.0, 1e-10);
    CU_ASSERT_DOUBLE_EQUAL(sd, 1.0, 1e-10);
    gf_dataset_release(&tr);
    gf_dataset_release(&te);
}

/* ---- dataset copies ---------------------------------------------------------- */

/* The row of ds equal to x (dim values), or -1. */
static int find_row(const gf_dataset *ds, const double *x)
{
    for (size_t i = 0; i < ds->n; i++)
        if (memcmp(ds->x + i * ds->dim, x, ds->dim * sizeof *x) == 0)
            return (int)i;
    return -1;
}

static void test_dataset_sample_gather_slice(void)
{
    gf_dataset ds, part;
    CU_ASSERT_FATAL(gf_synthetic_make(&ds, 10, 3, 2, 1.5, 7) == 0);
    double x[4 * 3];
    int y[4];

    const size_t idx[4] = {7, 2, 2, 9};
    gf_dataset_gather(&ds, idx, 4, x, y);
    for (size_t i = 0; i < 4; i++) {
        CU_ASSERT(memcmp(x + 3 * i, ds.x + 3 * idx[i], 3 * sizeof *x) == 0);
        CU_ASSERT_EQUAL(y[i], ds.y[idx[i]]);
    }

    gsl_rng *r = tu_rng(3);
    CU_ASSERT(gf_dataset_sample(&ds, r, 4, x, y) == 0);
    int last = -1, ordered = 1;
    for (size_t i = 0; i < 4; i++) { /* distinct rows of the set, in order, labels with them */
        const int k = find_row(&ds, x + 3 * i);
        ordered = ordered && k > last && ds.y[k] == y[i];
        last = k;
    }
    CU_ASSERT(ordered);
    CU_ASSERT_EQUAL(gf_dataset_sample(&ds, r, 11, x, y), -1);
    gsl_rng_free(r);

    CU_ASSERT_FATAL(gf_dataset_slice(&part, &ds, 3, 4) == 0);
    CU_ASSERT(part.n == 4 && part.dim == 3 && part.classes == 2);
    CU_ASSERT(memcmp(part.x, ds.x + 9, 12 * sizeof *part.x) == 0);
    CU_ASSERT(memcmp(part.y, ds.y + 3, 4 * sizeof *part.y) == 0);
    CU_ASSERT(part.x != ds.x + 9); /* a copy */
    gf_dataset_release(&part);
    CU_ASSERT(gf_dataset_slice(&part, &ds, 10, 0) == 0); /* empty, at the end */
    CU_ASSERT(part.n == 0 && part.x == NULL && part.dim == 3);
    gf_dataset_release(&part);
    CU_ASSERT_EQUAL(gf_dataset_slice(&part, &ds, 8, 3), -1);
    CU_ASSERT(part.n == 0 && part.x == NULL && part.y == NULL);
    CU_ASSERT_EQUAL(gf_dataset_slice(&part, &ds, 11, 0), -1);
    CU_ASSERT_EQUAL(gf_dataset_slice(&part, &ds, 1, (size_t)-1), -1); /* no wrap-around */
    gf_dataset_release(&ds);
}

CU_TestInfo data_tests[] = {
    {"IDX rank 3 and rank 1, plain and gzip, read back exactly", test_idx_reads_good_files},
    {"IDX refuses malformed, truncated, long and missing files", test_idx_refuses_malformed_files},
    {"IDX refuses a corrupt or cut gzip stream", test_idx_refuses_corrupt_gzip},
    {"Fashion-MNIST (fake): fixed order, subsets, standardization", test_fashion_fake_subsets},
    {"Fashion-MNIST (fake): ranges, mismatches, bad labels, missing", test_fashion_fake_errors},
    {"Fashion-MNIST class names", test_fashion_class_names},
    {"Fashion-MNIST installed: 1000 / 100, every class", test_fashion_installed},
    {"dataset sample, gather and slice", test_dataset_sample_gather_slice},
    CU_TEST_INFO_NULL,
};
