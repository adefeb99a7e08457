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

extern CU_TestInfo ops_tests[], engine_tests[], stacks_tests[], batchnorm_tests[],
    theory_tests[], io_tests[], cli_tests[], blas_tests[], data_tests[], optim_tests[],
    train_tests[], cli_degrade_tests[], ensemble_tests[], cli_paths_tests[],
    cli_lesion_tests[], cli_stochdepth_tests[], jacobian_tests[], cli_jacobian_tests[];
extern CU_TestInfo cli_theory_tests[];
extern CU_TestInfo shatter_tests[], cli_hanin_shatter_tests[];
extern CU_TestInfo cli_init_compare_tests[];
extern CU_TestInfo golden_tests[];
extern CU_TestInfo model_tests[];
int io_suite_init(void);
int io_suite_cleanup(void);
int cli_suite_init(void);
int cli_suite_cleanup(void);

static CU_SuiteInfo suites[] = {
    {.pName = "ops", .pInitFunc = NULL, .pCleanupFunc = NULL, .pSetUpFunc = NULL,
     .pTearDownFunc = NULL, .pTests = ops_tests},
    {.pName = "engine", .pInitFunc = NULL, .pCleanupFunc = NULL, .pSetUpFunc = NULL,
     .pTearDownFunc = NULL, .pTests = engine_tests},
    {.pName = "stacks", .pInitFunc = NULL, .pCleanupFunc = NULL, .pSetUpFunc = NULL,
     .pTearDownFunc = NULL, .pTests = stacks_tests},
    {.pName = "model", .pInitFunc = NULL, .pCleanupFunc = NULL, .pSetUpFunc = NULL,
     .pTearDownFunc = NULL, .pTests = model_tests},
    {.pName = "batchnorm", .pInitFunc = NULL, .pCleanupFunc = NULL, .pSetUpFunc = NULL,
     .pTearDownFunc = NULL, .pTests = batchnorm_tests},
    {.pName = "theory", .pInitFunc = NULL, .pCleanupFunc = NULL, .pSetUpFunc = NULL,
     .pTearDownFunc = NULL, .pTests = theory_tests},
    {.pName = "blas", .pInitFunc = NULL, .pCleanupFunc = NULL, .pSetUpFunc = NULL,
     .pTearDownFunc = NULL, .pTests = blas_tests},
    {.pName = "io", .pInitFunc = io_suite_init, .pCleanupFunc = io_suite_cleanup,
     .pSetUpFunc = NULL, .pTearDownFunc = NULL, .pTests = io_tests},
    {.pName = "data", .pInitFunc = NULL, .pCleanupFunc = NULL, .pSetUpFunc = NULL,
     .pTearDownFunc = NULL, .pTests = data_tests},
    {.pName = "optim", .pInitFunc = NULL, .pCleanupFunc = NULL, .pSetUpFunc = NULL,
     .pTearDownFunc = NULL, .pTests = optim_tests},
    {.pName = "train", .pInitFunc = NULL, .pCleanupFunc = NULL, .pSetUpFunc = NULL,
     .pTearDownFunc = NULL, .pTests = train_tests},
    {.pName = "ensemble", .pInitFunc = NULL, .pCleanupFunc = NULL, .pSetUpFunc = NULL,
     .pTearDownFunc = NULL, .pTests = ensemble_tests},
    {.pName = "jacobian", .pInitFunc = NULL, .pCleanupFunc = NULL, .pSetUpFunc = NULL,
     .pTearDownFunc = NULL, .pTests = jacobian_tests},
    {.pName = "cli", .pInitFunc = cli_suite_init, .pCleanupFunc = cli_suite_cleanup,
     .pSetUpFunc = NULL, .pTearDownFunc = NULL, .pTests = cli_tests},
    {.pName = "cli-degrade", .pInitFunc = cli_suite_init, .pCleanupFunc = cli_suite_cleanup,
     .pSetUpFunc = NULL, .pTearDownFunc = NULL, .pTests = cli_degrade_tests},
    {.pName = "cli-paths", .pInitFunc = cli_suite_init, .pCleanupFunc = cli_suite_cleanup,
     .pSetUpFunc = NULL, .pTearDownFunc = NULL, .pTests = cli_paths_tests},
    {.pName = "cli-lesion", .pInitFunc = cli_suite_init, .pCleanupFunc = cli_suite_cleanup,
     .pSetUpFunc = NULL, .pTearDownFunc = NULL, .pTests = cli_lesion_tests},
    {.pName = "cli-stochdepth", .pInitFunc = cli_suite_init, .pCleanupFunc = cli_suite_cleanup,
     .pSetUpFunc = NULL, .pTearDownFunc = NULL, .pTests = cli_stochdepth_tests},
    {.pName = "cli-jacobian", .pInitFunc = cli_suite_init, .pCleanupFunc = cli_suite_cleanup,
     .pSetUpFunc = NULL, .pTearDownFunc = NULL, .pTests = cli_jacobian_tests},
    {.pName = "cli-theory", .pInitFunc = cli_suite_init, .pCleanupFunc = cli_suite_cleanup,
     .pSetUpFunc = NULL, .pTearDownFunc = NULL, .pTests = cli_theory_tests},
    {.pName = "shatter", .pInitFunc = NULL, .pCleanupFunc = NULL, .pSetUpFunc = NULL,
     .pTearDownFunc = NULL, .pTests = shatter_tests},
    {.pName = "cli-hanin-shatter", .pInitFunc = cli_suite_init,
     .pCleanupFunc = cli_suite_cleanup, .pSetUpFunc = NULL, .pTearDownFunc = NULL,
     .pTests = cli_hanin_shatter_tests},
    {.pName = "cli-init-compare", .pInitFunc = cli_suite_init,
     .pCleanupFunc = cli_suite_cleanup, .pSetUpFunc = NULL, .pTearDownFunc = NULL,
     .pTests = cli_init_compare_tests},
    {.pName = "golden", .pInitFunc = cli_suite_init, .pCleanupFunc = cli_suite_cleanup,
     .pSetUpFunc = NULL, .pTearDownFunc = NULL, .pTests = golden_tests},
    {.pName = NULL, .pInitFunc = NULL, .pCleanupFunc = NULL, .pSetUpFunc = NULL,
     .pTearDownFunc = NULL, .pTests = NULL},
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
