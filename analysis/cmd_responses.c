/* cmd_responses.c: gradflow responses, He et al. 2016 Fig. 7: the responses
 * of the 3x3 layers of trained plain and residual conv nets (a degrade
 * run's checkpoints), and each residual branch against its input. */
#include "commands.h"
#include "responses.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char CMD[] = "responses";

/* --from DIR[,DIR...]: the folders, split in place. */
static int set_from(const cli_arg *a, void *opts)
{
    responses_options *o = opts;
    if (snprintf(o->from_buf, sizeof o->from_buf, "%s", a->value) >= (int)sizeof o->from_buf)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--from: the list is too long");
    o->from = a->value;
    o->n_runs = 0;
    for (char *s = o->from_buf, *t; s; s = t) {
        if ((t = strchr(s, ',')))
            *t++ = '\0';
        if (!*s)
            return cli_fail(CLI_EXIT_USAGE, CMD, "--from: an empty folder name in '%s'",
                            a->value);
        if (o->n_runs == RESPONSES_MAX_RUNS)
            return cli_fail(CLI_EXIT_USAGE, CMD, "--from: at most %d folders",
                            RESPONSES_MAX_RUNS);
        for (int k = 0; k < o->n_runs; k++)
            if (strcmp(o->runs[k], s) == 0)
                return cli_fail(CLI_EXIT_USAGE, CMD, "--from: '%s' is listed twice", s);
        o->runs[o->n_runs++] = s;
    }
    return 0;
}

#define O responses_options
static const cli_option table[] = {
    {CLI_CALL, "from", 0, "DIR[,DIR]", "`gradflow degrade` run folders of cnn-plain and/or\n"
     "cnn-resnet nets (the same data and sizes): every\n"
     "DIR/checkpoints/cnn-{plain,resnet}-DEPTH-seedK.safetensors  [required]",
     .set = set_from},
    {CLI_INT, "ntest", 0, "N", "images evaluated: the first N of the runs' test set\n"
     "(never trained on)                       [all of them]", CLI_AT(O, ntest), .min = 1,
     .max = GF_FASHION_NTEST},
    CLI_OUT(O, "run folder                               [runs/responses]"),
    CLI_TERM(O, "also draw the responses in the terminal: dumb [none]"),
    CLI_TABLE_END(O, "write the data and .gp scripts, draw nothing"),
};
#undef O

static void init(void *opts)
{
    *(responses_options *)opts = (responses_options){.c = {.out = "runs/responses"}};
}

static int check(void *opts)
{
    const responses_options *o = opts;
    if (!o->n_runs)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--from DIR is required: a `gradflow degrade "
                        "--arch cnn-plain,cnn-resnet` run folder");
    return 0;
}

static const char *text(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

/* Run dir's manifest (a degrade run): its data and sizes, which must be the
 * first run's. 0, or -1 after a one-line error. */
static int read_manifest(const char *dir, int first, responses_source *src, json_t **out)
{
    char path[GF_PATH_MAX];
    json_error_t jerr;
    if (gf_path_join(path, sizeof path, dir, "manifest.json") != 0)
        return cli_error(CMD, "--from %s: the path is too long", dir);
    json_t *m = json_load_file(path, 0, &jerr), *s = json_object_get(m, "settings");
    if (!m)
        return cli_error(CMD, "--from %s: %s (a finished gradflow degrade run has its "
                              "manifest.json)", dir, jerr.text);
    *out = m;
    const long ntrain = (long)json_integer_value(json_object_get(s, "ntrain")),
               ntest = (long)json_integer_value(json_object_get(s, "ntest"));
    const char *data = text(s, "data");
    if (strcmp(text(m, "command"), "degrade") != 0 || !*data || ntrain < 1)
        return cli_error(CMD, "%s: not the manifest of a gradflow degrade run", path);
    if (ntest < 1)
        return cli_error(CMD, "%s: the run kept no test images (--ntest 0)", path);
    const char *name = strcmp(data, "synthetic") == 0 ? "synthetic" : "Fashion-MNIST";
    if (!first && (ntrain != src->ntrain || ntest != src->ntest ||
                   strcmp(name, src->data_name) != 0))
        return cli_error(CMD, "%s: its data (%s, %ld training, %ld test images) is not the "
                              "first run's (%s, %ld, %ld)", path, name, ntrain, ntest,
                         src->data_name, src->ntrain, src->ntest);
    src->data_name = name, src->ntrain = ntrain, src->ntest = ntest;
    src->epochs_planned = (int)json_integer_value(json_object_get(s, "epochs"));
    if (first)
        snprintf(src->data_dir, sizeof src->data_dir, "%s",
                 *text(m, "data_dir") ? text(m, "data_dir") : GF_FASHION_DIR);
    return 0;
}

/* The error the manifest m recorded for net name, seed at its end (key), or NaN. */
static double recorded(json_t *m, const char *name, long seed, const char *key)
{
    json_t *net;
    size_t i;
    json_array_foreach(json_object_get(m, "nets"), i, net)
    {
        json_t *e = json_object_get(net, key);
        if (strcmp(text(net, "net"), name) == 0 &&
            json_integer_value(json_object_get(net, "seed")) == seed && json_is_number(e))
            return json_number_value(e);
    }
    return NAN;
}

/* 1 for a checkpoint of a cnn-plain or cnn-resnet net (not stochastic depth's). */
static int is_net_file(const char *f)
{
    const size_t n = strlen(f), ext = strlen(".safetensors");
    return (strncmp(f, "cnn-plain-", 10) == 0 || strncmp(f, "cnn-resnet-", 11) == 0) &&
           n > ext && strcmp(f + n - ext, ".safetensors") == 0 && !strstr(f, "-sd-seed");
}

/* The nets, in the order to draw: plain before resnet, shallow before deep, by seed. */
static int by_net(const void *a, const void *b)
{
    const gf_response_net *x = a, *y = b;
    if (x->arch != y->arch)
        return (x->arch > y->arch) - (x->arch < y->arch);
    if (x->depth != y->depth)
        return (x->depth > y->depth) - (x->depth < y->depth);
    return (x->seed > y->seed) - (x->seed < y->seed);
}

typedef struct found {
    char path[GF_PATH_MAX];
    int run;
} found;

/* Every net file of the runs into *out (grown); the count, or -1 after an error. */
static int list_nets(const responses_options *o, found **out)
{
    int n = 0, cap = 0;
    for (int k = 0; k < o->n_runs; k++) {
        char dir[GF_PATH_MAX];
        snprintf(dir, sizeof dir, "%s/checkpoints", o->runs[k]);
        DIR *d = opendir(dir);
        if (!d)
            return cli_error(CMD, "--from %s: no checkpoints folder", o->runs[k]);
        for (struct dirent *e; (e = readdir(d));) {
            if (!is_net_file(e->d_name))
                continue;
            if (n == cap) {
                found *g = realloc(*out, (size_t)(cap = 2 * cap + 8) * sizeof *g);
                if (!g) {
                    closedir(d);
                    return cli_error(CMD, "out of memory");
                }
                *out = g;
            }
            if (gf_path_join((*out)[n].path, sizeof (*out)[n].path, dir, e->d_name) != 0) {
                closedir(d);
                return cli_error(CMD, "%s/%s: the path is too long", dir, e->d_name);
            }
            (*out)[n++].run = k;
        }
        closedir(d);
    }
    return n;
}

typedef struct state {
    gf_dataset train, test, eval;
    gf_response_result res;
    responses_source src;
    json_t *manifest[RESPONSES_MAX_RUNS];
    found *files;
    int n_files;
} state;

/* Open every net and measure it over s->eval. 0, or -1 after an error. */
static int measure_all(state *s)
{
    if (!(s->res.nets = calloc((size_t)s->n_files, sizeof *s->res.nets)) ||
        !(s->src.test_err = calloc(2 * (size_t)s->n_files, sizeof(double))))
        return cli_error(CMD, "out of memory");
    s->src.train_err = s->src.test_err + s->n_files;
    cli_progress bar;
    cli_progress_begin(&bar, "responses: nets");
    int rc = 0;
    for (int i = 0; rc == 0 && i < s->n_files; i++) {
        char why[1024];
        gf_checkpoint_info info;
        gf_response_net *r = &s->res.nets[i];
        gf_model *m = gf_model_open(s->files[i].path, NULL, NULL, &info, why, sizeof why);
        rc = m && gf_response_measure(m, &s->eval, 100, r, why, sizeof why) == 0 ? 0 : -1;
        if (rc != 0)
            cli_error(CMD, "%s: %s", s->files[i].path, why);
        r->seed = info.seed, r->epochs = (int)info.epochs_done;
        s->res.n = i + 1;
        gf_model_free(m);
        cli_progress_update(&bar, i + 1, s->n_files);
    }
    cli_progress_end(&bar);
    return rc;
}

/* A net is known by its name and seed (its errors are looked up by them, its
 * seeds pooled by name): two runs may not both hold one. 0, or -1 after an error. */
static int distinct(const state *s, const responses_options *o)
{
    for (int i = 0; i < s->res.n; i++)
        for (int j = 0; j < i; j++)
            if (s->res.nets[i].seed == s->res.nets[j].seed &&
                strcmp(s->res.nets[i].name, s->res.nets[j].name) == 0)
                return cli_error(CMD, "%s seed %ld is in %s and in %s: one net, two runs "
                                      "(train the second with other --seed values)",
                                 s->res.nets[i].name, s->res.nets[i].seed,
                                 o->runs[s->files[j].run], o->runs[s->files[i].run]);
    return 0;
}

/* The errors each run recorded for its nets, after sorting. */
static void errors(state *s)
{
    for (int i = 0; i < s->res.n; i++) {
        const gf_response_net *r = &s->res.nets[i];
        s->src.test_err[i] = s->src.train_err[i] = NAN;
        for (int k = 0; k < RESPONSES_MAX_RUNS && s->manifest[k]; k++)
            if (isnan(s->src.test_err[i])) {
                s->src.test_err[i] = recorded(s->manifest[k], r->name, r->seed,
                                              "final_test_error");
                s->src.train_err[i] = recorded(s->manifest[k], r->name, r->seed,
                                               "final_train_error");
            }
    }
}

/* The manifests, the data, the nets, measured. The exit status. */
static int prepare(const responses_options *o, state *s)
{
    for (int k = 0; k < o->n_runs; k++)
        if (read_manifest(o->runs[k], k == 0, &s->src, &s->manifest[k]) != 0)
            return CLI_EXIT_RUNTIME;
    if (o->ntest > s->src.ntest)
        return cli_fail(CLI_EXIT_USAGE, CMD, "--ntest %ld: the runs have %ld test images",
                        o->ntest, s->src.ntest);
    char why[512];
    const char *name;
    const gf_data_kind kind = strcmp(s->src.data_name, "synthetic") == 0 ? GF_DATA_SYNTHETIC
                                                                         : GF_DATA_FASHION;
    if (gf_data_load(kind, s->src.data_dir, (size_t)s->src.ntrain, (size_t)s->src.ntest,
                     &s->train, &s->test, &name, why, sizeof why) != 0)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
    if (gf_dataset_slice(&s->eval, &s->test, 0, (size_t)(o->ntest ? o->ntest : s->src.ntest)))
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "out of memory");
    if ((s->n_files = list_nets(o, &s->files)) < 0)
        return CLI_EXIT_RUNTIME;
    if (s->n_files == 0)
        return cli_fail(CLI_EXIT_RUNTIME, CMD, "--from %s: no cnn-plain or cnn-resnet "
                        "checkpoints (train them with gradflow degrade --arch "
                        "cnn-plain,cnn-resnet)", o->from);
    if (measure_all(s) != 0 || distinct(s, o) != 0)
        return CLI_EXIT_RUNTIME;
    qsort(s->res.nets, (size_t)s->res.n, sizeof *s->res.nets, by_net);
    errors(s);
    return CLI_EXIT_OK;
}

static int run(cli_run *r, void *opts)
{
    const responses_options *o = opts;
    state s = {0};
    char why[512];
    int status = prepare(o, &s);
    if (status == CLI_EXIT_OK && gf_response_write(&s.res, r->dir, why, sizeof why) != 0)
        status = cli_fail(CLI_EXIT_RUNTIME, CMD, "%s", why);
    if (status == CLI_EXIT_OK) {
        responses_describe(r->manifest, &s.res, o, &s.src);
        status = cli_run_manifest(r);
    }
    if (status == CLI_EXIT_OK)
        status = responses_figures(r, &s.res, &s.src);
    if (status == CLI_EXIT_OK && !o->c.quiet)
        responses_summary(&s.res, &s.src, r->dir, cli_run_drawn(r));
    for (int k = 0; k < RESPONSES_MAX_RUNS; k++)
        json_decref(s.manifest[k]);
    gf_response_release(&s.res);
    free(s.src.test_err);
    free(s.files);
    gf_dataset_release(&s.train);
    gf_dataset_release(&s.test);
    gf_dataset_release(&s.eval);
    return status;
}

const cli_command cli_responses = {
    .name = CMD,
    .summary = "layer responses of trained plain and residual conv nets (He et al. Fig. 7)",
    .about =
        "Loads the trained cnn-plain and cnn-resnet nets of `gradflow degrade` run folders\n"
        "and runs the first test images through each, batch norm in evaluation mode\n"
        "(He et al. 2016, section 4.2, \"Analysis of Layer Responses\", Fig. 7):\n"
        "  - the standard deviation of every 3x3 layer's response: the output of the batch\n"
        "    norm that follows its conv, before the addition and the ReLU (over all images,\n"
        "    pixels and channels), in layer order and sorted by magnitude;\n"
        "  - for every residual unit, ||F(x_l)|| / ||x_l||: the branch's output (its second\n"
        "    response) against the unit's input, per image, averaged.\n"
        "He et al. report smaller responses in residual nets than in plain ones, and smaller\n"
        "in deeper residual nets: the branches learn a small correction to the identity.\n"
        "Nets of the same name in the runs are seeds of one net: mean, sd, min and max.\n"
        "Writes into the run folder: responses.tsv, responses_mean.tsv, responses_sorted.tsv,\n"
        "ratio.tsv, ratio_mean.tsv, manifest.json, responses.png/.svg/.gp and\n"
        "ratio.png/.svg/.gp.\n\n",
    .epilog =
        "Cost: one forward pass per net over the images (a second or two per net).\n"
        "Exit status: 0 success, 1 runtime failure (a missing or unreadable run folder,\n"
        "manifest or checkpoint, missing data, unwritable folder), 2 usage error.\n",
    .table = table, .size = sizeof(responses_options), .init = init, .check = check, .run = run,
};
