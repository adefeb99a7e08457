/* test_blas.c: the kernel selection rule and the product check. */
#include "gradflow.h"

#include <CUnit/CUnit.h>
#include <string.h>

static char reason[256];

static const char *decide(const char *running, const char *env, const char *user,
                          const char *best)
{
    return gf_blas_decide(running, env, user, best, reason, sizeof reason);
}

/* A library that fell back to its SSE3 kernel on an AVX-512 CPU is upgraded. */
static void test_auto_upgrades_fallback(void)
{
    const char *core = decide("Prescott", NULL, NULL, "SkylakeX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(core);
    CU_ASSERT_STRING_EQUAL(core, "SkylakeX");
    CU_ASSERT_PTR_NOT_NULL(strstr(reason, "Prescott"));
    core = decide("Sandybridge", NULL, NULL, "Haswell");
    CU_ASSERT_PTR_NOT_NULL_FATAL(core);
    CU_ASSERT_STRING_EQUAL(core, "Haswell");
}

/* A kernel at or above the CPU's best, or one gradflow does not know, stays. */
static void test_auto_keeps_good_kernel(void)
{
    CU_ASSERT_PTR_NULL(decide("Cooperlake", NULL, NULL, "SkylakeX"));
    CU_ASSERT_PTR_NULL(decide("SkylakeX", NULL, NULL, "SkylakeX"));
    CU_ASSERT_PTR_NULL(decide("Zen", NULL, NULL, "Haswell"));
    CU_ASSERT_PTR_NULL(decide("SomeFutureCore", NULL, NULL, "SkylakeX"));
    CU_ASSERT_PTR_NULL(decide("Prescott", NULL, NULL, NULL)); /* an SSE-only CPU */
    CU_ASSERT_PTR_NOT_NULL(strstr(reason, "library default"));
}

/* OPENBLAS_CORETYPE set by the machine is never overridden by gradflow. */
static void test_environment_respected(void)
{
    CU_ASSERT_PTR_NULL(decide("Prescott", "Prescott", NULL, "SkylakeX"));
    CU_ASSERT_PTR_NOT_NULL(strstr(reason, "environment: OPENBLAS_CORETYPE=Prescott"));
    CU_ASSERT_PTR_NULL(decide("Haswell", "Haswell", "default", "SkylakeX"));
    CU_ASSERT_PTR_NOT_NULL(strstr(reason, "environment"));
}

/* The user's GRADFLOW_BLAS_CORETYPE wins, even over the environment. */
static void test_user_override(void)
{
    const char *core = decide("Haswell", "Haswell", "SkylakeX", "SkylakeX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(core);
    CU_ASSERT_STRING_EQUAL(core, "SkylakeX");
    CU_ASSERT_PTR_NOT_NULL(strstr(reason, "user"));
    CU_ASSERT_PTR_NULL(decide("SkylakeX", "SkylakeX", "SkylakeX", "SkylakeX")); /* already so */
    CU_ASSERT_PTR_NULL(decide("Prescott", NULL, "default", "SkylakeX"));
    CU_ASSERT_PTR_NOT_NULL(strstr(reason, "GRADFLOW_BLAS_CORETYPE=default"));
    core = decide("Prescott", NULL, "auto", "SkylakeX"); /* auto: the rule as if unset */
    CU_ASSERT_PTR_NOT_NULL_FATAL(core);
    CU_ASSERT_STRING_EQUAL(core, "SkylakeX");
}

static void test_levels(void)
{
    CU_ASSERT_EQUAL(gf_blas_core_level("Prescott"), 0);
    CU_ASSERT_EQUAL(gf_blas_core_level("sandybridge"), 1);
    CU_ASSERT_EQUAL(gf_blas_core_level("Haswell"), 2);
    CU_ASSERT_EQUAL(gf_blas_core_level("Zen"), 2);
    CU_ASSERT_EQUAL(gf_blas_core_level("SkylakeX"), 3);
    CU_ASSERT_EQUAL(gf_blas_core_level("Cooperlake"), 3);
    CU_ASSERT_EQUAL(gf_blas_core_level("unheard-of"), 4);
}

/* The kernel that runs passed the exact check, and the info says what it is. */
static void test_running_kernel(void)
{
    const gf_blas_info *b = gf_blas_info_get();
    CU_ASSERT_TRUE(gf_blas_check_products());
    CU_ASSERT_TRUE(b->check_passed);
    CU_ASSERT_TRUE(b->library[0] != '\0');
    CU_ASSERT_TRUE(b->kernel[0] != '\0');
    CU_ASSERT_TRUE(b->selected_by[0] != '\0');
    CU_ASSERT_TRUE(b->threads >= 1);
#ifdef GF_HAVE_OPENBLAS /* not GSL's reference CBLAS, which libgsl also pulls in */
    CU_ASSERT_PTR_NOT_NULL(strstr(b->dgemm_from, "openblas"));
#endif
}

CU_TestInfo blas_tests[] = {
    {"gradflow upgrades a fallback kernel", test_auto_upgrades_fallback},
    {"a good kernel stays", test_auto_keeps_good_kernel},
    {"OPENBLAS_CORETYPE is respected", test_environment_respected},
    {"GRADFLOW_BLAS_CORETYPE overrides", test_user_override},
    {"instruction-set levels", test_levels},
    {"the running kernel passed its check", test_running_kernel},
    CU_TEST_INFO_NULL,
};
