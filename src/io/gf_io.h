/* gf_io.h: writing results. Every file is written under a temporary name in
 * its final folder and renamed when complete, so an interrupted or failed
 * run leaves either the whole file or nothing.
 */
#ifndef GF_IO_H
#define GF_IO_H

#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The longest path the library builds (a run folder plus a file name). */
#define GF_PATH_MAX 4096

/* ---- clocks ------------------------------------------------------------- */

double gf_now(void);     /* seconds on the monotonic clock (differences only) */
double gf_cpu_now(void); /* processor seconds used by this process */

/* ---- atomic files ------------------------------------------------------ */

typedef struct gf_atomic {
    FILE *f;
    char path[GF_PATH_MAX], tmp[GF_PATH_MAX];
} gf_atomic;

/* Open a temporary file beside path; NULL (errno set) on failure. */
FILE *gf_atomic_open(gf_atomic *a, const char *path);
/* Flush, close and rename into place; 0, or -1 (errno set) and nothing left. */
int gf_atomic_commit(gf_atomic *a);
/* Close and remove the temporary file. */
void gf_atomic_abort(gf_atomic *a);
/* Why writing to f failed: with its error flag set, the errno of writing its
 * buffer again (the disk's own reason: ENOSPC, EFBIG, ...); else errno, or
 * EIO when errno is 0. */
int gf_stream_errno(FILE *f);

/* Temporary files in progress are tracked: gf_temp_cleanup_on_signals makes
 * SIGINT, SIGTERM and SIGHUP remove them before the program ends, so an
 * interrupted run leaves no temporary file either. gf_atomic_* track their own;
 * other writers (gnuplot's outputs) use gf_temp_track / gf_temp_untrack. */
void gf_temp_cleanup_on_signals(void);
void gf_temp_track(const char *path);
void gf_temp_untrack(const char *path);
/* Remove the files in progress that a killed run (SIGKILL, a power cut) left in
 * dir: regular files named as this library names them, .NAME.tmp-XXXXXX
 * (gf_atomic's and the figures'); nothing else. The count removed. Two runs
 * writing into one folder at the same time are not supported. */
int gf_temp_sweep(const char *dir);

/* Write path atomically: open a temporary file, call write(f, ctx), rename.
 * 0, or -1 with a one-line reason in why (errno kept when the system said). */
typedef int (*gf_write_fn)(FILE *f, const void *ctx);
int gf_write_file(const char *path, gf_write_fn write, const void *ctx, char *why, size_t size);

/* mkdir -p, then check the folder can be written; 0 or -1 (errno set). */
int gf_make_dirs(const char *dir);

/* Join dir and name into buf; -1 if it does not fit. */
int gf_path_join(char *buf, size_t size, const char *dir, const char *name);

/* Write dir/name through gf_write_file. 0, or -1 with a reason. */
int gf_write_in(const char *dir, const char *name, gf_write_fn write, const void *ctx, char *why,
                size_t size);
/* The body of a named file, after its header line. It does not fail: a write
 * error stays on the stream, whose error flag gf_write_file checks. */
typedef void (*gf_rows_fn)(FILE *f, const void *ctx);
/* A file of a run folder: its name, its header line (a table's column names,
 * tab-separated, without the newline; NULL when the body writes its own)
 * and the writer of its body. */
typedef struct gf_named_file {
    const char *name;
    const char *columns;
    gf_rows_fn rows;
} gf_named_file;
/* Write files[0..n-1] into dir (gf_write_in, the same ctx each: the header
 * line, then the body), stopping at the first failure. 0, or -1 with a
 * reason. */
int gf_write_all_in(const char *dir, const gf_named_file *files, size_t n, const void *ctx,
                    char *why, size_t size);

/* ---- reasons ----------------------------------------------------------- */

/* Write the formatted reason after the head that why already holds, head being
 * snprintf's count for it: nothing when the head did not fit (or failed), so a
 * cut reason is the head's. Always -1 (for a failing return). */
int gf_why_vappend(char *why, size_t size, int head, const char *fmt, va_list ap);

/* ---- numbers ----------------------------------------------------------- */

/* Write 10^log10x as a decimal "d.dde[+-]N" with `digits` decimals, valid
 * beyond the range of a double (for example 3.14e-390); "0" for -inf, "inf"
 * for +inf, "nan" for NaN. */
void gf_format_pow10(char *buf, size_t size, double log10x, int digits);

/* The same for 2^log2x, with 6 decimals (3.141593e-390). */
void gf_format_pow2(char *buf, size_t size, double log2x);

/* Write x with %.17g, "nan" for NaN, "inf" / "-inf". */
void gf_format_double(char *buf, size_t size, double x);
/* A TSV cell after the first: a tab, then x as gf_format_double writes it. */
void gf_tsv_put(FILE *f, double x);
/* gf_tsv_put of x[0], ..., x[n-1]: n cells. */
void gf_tsv_puts(FILE *f, const double *x, size_t n);

/* ---- manifest ---------------------------------------------------------- */

/* A JSON object with the program, its version, the command line, the start
 * time (UTC) and the BLAS that runs; the caller adds settings. */
json_t *gf_manifest_new(const char *command, int argc, char **argv);
/* Add wall_time_s and write it (indented) atomically. */
int gf_manifest_write(json_t *manifest, const char *path, double wall_seconds);

/* ---- safetensors ------------------------------------------------------- */

/* F32: what PyTorch saves by default (read; widened by the loaders). */
typedef enum { GF_ST_F64, GF_ST_I64, GF_ST_F32 } gf_st_dtype;

typedef struct gf_st_entry {
    char name[128];
    gf_st_dtype dtype;
    int rank;
    int64_t shape[4];
    const void *data; /* writer: caller's memory until written; reader: into the file image */
} gf_st_entry;

typedef struct gf_st_file {
    gf_st_entry *entry;
    size_t n, cap;
    json_t *metadata;        /* string -> string, or NULL */
    unsigned char *image;    /* reader: the whole file */
} gf_st_file;

void gf_st_init(gf_st_file *st);
void gf_st_release(gf_st_file *st);
/* Add a tensor (data is copied only when written). 0 or -1. */
int gf_st_add(gf_st_file *st, const char *name, gf_st_dtype dtype, int rank,
              const int64_t *shape, const void *data);
int gf_st_add_meta(gf_st_file *st, const char *key, const char *value);
/* Write the file atomically (8-byte header length, JSON header padded with
 * spaces to 8 bytes, then the data in entry order). 0, or -1 with errno the
 * reason (a full disk is ENOSPC, not EIO). */
int gf_st_write(const gf_st_file *st, const char *path);
/* Write st to path when it was assembled (every add succeeded), then release
 * st either way. 0, or -1 with a reason: "cannot assemble <what><path> (out
 * of memory?)" (what: "" or a noun and a space) or "cannot write <path>: ...". */
int gf_st_save(gf_st_file *st, int assembled, const char *what, const char *path, char *why,
               size_t size);
/* Read and validate a file; 0, or -1 with a one-line reason in why. */
int gf_st_read(gf_st_file *st, const char *path, char *why, size_t size);
const gf_st_entry *gf_st_find(const gf_st_file *st, const char *name);
/* The numbers st's tensors hold (a reader's: at most the file's size over 4),
 * to refuse metadata describing more weights than a file can hold. */
double gf_st_numbers(const gf_st_file *st);
/* 0 when st's metadata records key as want; else -1 with a reason ("KEY is
 * HAVE in the file, WANT here", or "the file does not record KEY"). */
int gf_st_meta_check(const gf_st_file *st, const char *key, const char *want, char *why,
                     size_t size);

/* A configuration struct as metadata, one (key, text) pair a field, declared
 * once as a table of fields: ints as %d, sizes as %zu, doubles as %.17g (read
 * back exactly), an enum as its name, or a fixed text recorded for a reader. */
typedef enum {
    GF_META_INT, GF_META_SIZE, GF_META_DOUBLE, GF_META_NAME, GF_META_TEXT
} gf_meta_kind;
typedef struct gf_meta_field {
    const char *key;
    gf_meta_kind kind;
    size_t offset;            /* offsetof the field in the struct (not for GF_META_TEXT) */
    const char *const *names; /* NAME: names, NULL-ended, indexed by the field; TEXT: names[0] */
    int advisory;             /* 1: recorded, but a file may differ (it changes no value) */
} gf_meta_field;
/* The text of field f of config (at most size bytes). */
void gf_meta_text(const gf_meta_field *f, const void *config, char *buf, size_t size);
/* Add every field of config to st's metadata. 0 or -1. */
int gf_st_add_config(gf_st_file *st, const gf_meta_field *f, int n, const void *config);
/* 0 when st records every field but the advisory ones as config has it; else
 * -1 with gf_st_meta_check's reason for the first that differs. */
int gf_st_config_check(const gf_st_file *st, const gf_meta_field *f, int n, const void *config,
                       char *why, size_t size);
/* Read every field st records into config (the one parser of every family's
 * metadata): whole numbers of at most 2^20 in magnitude (sizes not negative),
 * finite doubles, names of the field's NULL-ended list. An advisory field the
 * file lacks keeps config's value. 0, or -1 with "the file does not record the
 * network's KEY" or "the network's configuration in the file is damaged (KEY
 * 'TEXT')". The family then checks the values themselves. */
int gf_st_config_read(const gf_st_file *st, const gf_meta_field *f, int n, void *config,
                      char *why, size_t size);

/* ---- IDX files ---------------------------------------------------------- */

/* LeCun's IDX format (MNIST, Fashion-MNIST), plain or gzip-compressed (zlib
 * reads both): the bytes 0 0 TYPE RANK, RANK big-endian uint32 sizes, then
 * the data in row-major order. Only unsigned bytes (TYPE 0x08) are read, up
 * to rank 4. A file that is shorter or longer than its sizes say, or whose
 * header is not IDX, is refused with a one-line reason. */
typedef struct gf_idx {
    int rank;
    size_t dims[4];
    size_t count;             /* product of the sizes */
    unsigned char *data;      /* count bytes */
} gf_idx;

/* 0, or -1 with a reason naming the file in why (nothing kept). */
int gf_idx_read(gf_idx *idx, const char *path, char *why, size_t size);
void gf_idx_release(gf_idx *idx);

#ifdef __cplusplus
}
#endif
#endif
