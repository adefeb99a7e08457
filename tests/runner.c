/* runner.c: the CUnit runner of gradflow's tests.
 *
 *   gradflow-tests            run every suite
 *   gradflow-tests SUITE...   run the named suites (meson declares one test per suite)
 *   gradflow-tests --list     print the suite names
 *
 * Exit status: 0 when every assertion passed, 1 when any failed (CUnit's
 * CU_get_error() stays 0 after failed assertions, so the failures are
 * counted), 2 for an unknown suite or a CUnit error.
 */
#include "gradflow.h"

#include <CUnit/Basic.h>
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <string.h>

extern CU_TestInfo seq_tests[], xfmr_tests[], cli_transformer_tests[];
extern CU_TestInfo ops_tests[], conv_tests[], engine_tests[], stacks_tests[], batchnorm_tests[],
    theory_tests[], io_tests[], cli_tests[], blas_tests[], data_tests[], optim_tests[],
    train_tests[], cli_degrade_tests[], ensemble_tests[], cli_paths_tests[],
    cli_lesion_tests[], cli_stochdepth_tests[], jacobian_tests[], cli_jacobian_tests[],
    cli_theory_tests[], shatter_tests[], cli_hanin_shatter_tests[], cli_init_compare_tests[],
    cli_failures_tests[], cli_sweep_tests[],
    golden_tests[], model_tests[], cnn_tests[], cli_cnn_tests[], regress_tests[],
    dense_op_tests[], densenet_tests[], cli_densenet_tests[], response_tests[], cli_responses_tests[],
    landscape_tests[], cli_landscape_tests[], cli_bench_tests[];
int io_suite_init(void);
int io_suite_cleanup(void);
int cli_suite_init(void);
int cli_suite_cleanup(void);

/* A suite's row: name and tests; the command-line suites (and golden) run the
 * gradflow binary in a temporary work folder made by cli_suite_init. */
#define SUITE_WITH(name, tests, init, cleanup)                                                  \
    {.pName = name, .pInitFunc = init, .pCleanupFunc = cleanup, .pSetUpFunc = NULL,            \
     .pTearDownFunc = NULL, .pTests = tests}
#define SUITE(name, tests) SUITE_WITH(name, tests, NULL, NULL)
#define CLI_SUITE(name, tests) SUITE_WITH(name, tests, cli_suite_init, cli_suite_cleanup)

static CU_SuiteInfo suites[] = {
    SUITE("ops", ops_tests), SUITE("conv", conv_tests), SUITE("engine", engine_tests), SUITE("stacks", stacks_tests),
    SUITE("model", model_tests), SUITE("cnn", cnn_tests),
    SUITE("dense-op", dense_op_tests), SUITE("densenet", densenet_tests),
    SUITE("seq", seq_tests), SUITE("xfmr", xfmr_tests),
    SUITE("response", response_tests), CLI_SUITE("cli-responses", cli_responses_tests),
    SUITE("batchnorm", batchnorm_tests), SUITE("theory", theory_tests),
    SUITE("blas", blas_tests), SUITE_WITH("io", io_tests, io_suite_init, io_suite_cleanup),
    SUITE("data", data_tests), SUITE("optim", optim_tests), SUITE("train", train_tests),
    SUITE("ensemble", ensemble_tests), SUITE("landscape", landscape_tests), SUITE("jacobian", jacobian_tests),
    CLI_SUITE("cli", cli_tests), CLI_SUITE("cli-degrade", cli_degrade_tests),
    CLI_SUITE("cli-paths", cli_paths_tests), CLI_SUITE("cli-lesion", cli_lesion_tests),
    CLI_SUITE("cli-stochdepth", cli_stochdepth_tests),
    CLI_SUITE("cli-jacobian", cli_jacobian_tests), CLI_SUITE("cli-theory", cli_theory_tests),
    SUITE("shatter", shatter_tests), CLI_SUITE("cli-hanin-shatter", cli_hanin_shatter_tests),
    CLI_SUITE("cli-init-compare", cli_init_compare_tests), CLI_SUITE("golden", golden_tests),
    CLI_SUITE("cli-failures", cli_failures_tests), CLI_SUITE("cli-sweep", cli_sweep_tests),
    CLI_SUITE("cli-cnn", cli_cnn_tests),
    CLI_SUITE("regress", regress_tests), CLI_SUITE("cli-densenet", cli_densenet_tests),
    CLI_SUITE("cli-transformer", cli_transformer_tests), CLI_SUITE("cli-bench", cli_bench_tests),
    CLI_SUITE("cli-landscape", cli_landscape_tests),
    SUITE_WITH(NULL, NULL, NULL, NULL),
};

int main(int argc, char **argv)
{
    const char *why = NULL;
    if (gf_blas_setup(argv, &why) != 0) { /* first: it may re-execute the program */
        fprintf(stderr, "gradflow-tests: %s\n", why);
        return 2;
    }
    gsl_set_error_handler_off(); /* library errors come back as statuses */

    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (const CU_SuiteInfo *s = suites; s->pName; s++)
            puts(s->pName);
        return 0;
    }
    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "gradflow-tests: %s\n", CU_get_error_msg());
        return 2;
    }
    if (CU_register_suites(suites) != CUE_SUCCESS) {
        fprintf(stderr, "gradflow-tests: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 2;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    const gf_blas_info *b = gf_blas_info_get();
    printf("gradflow %s tests; BLAS: %s, kernel %s (%s)\n", GF_VERSION, b->library, b->kernel,
           b->selected_by);

    int status = 0;
    if (argc < 2) {
        if (CU_basic_run_tests() != CUE_SUCCESS)
            status = 2;
    } else {
        for (int i = 1; i < argc && status == 0; i++) {
            CU_pSuite s = CU_get_suite(argv[i]);
            if (!s) {
                fprintf(stderr, "gradflow-tests: no suite '%s' (see --list)\n", argv[i]);
                status = 2;
            } else if (CU_basic_run_suite(s) != CUE_SUCCESS) {
                status = 2;
            }
        }
    }
    if (status == 0 && (CU_get_number_of_failures() != 0 ||
                        CU_get_number_of_failure_records() != 0 ||
                        CU_get_number_of_suites_failed() != 0))
        status = 1;
    if (status == 0 && CU_get_number_of_tests_run() == 0) {
        fprintf(stderr, "gradflow-tests: no test ran\n");
        status = 2;
    }
    CU_cleanup_registry();
    return status;
}
