/* test_cli_bench.c: a benchmark's command line. meson runs this suite once for
 * each program of bench/, as GRADFLOW_EXE: --help prints the usage and exits 0
 * without timing anything; an unknown option is one line on stderr and exit
 * status 2, with nothing on stdout. */
#include "cli_util.h"

#include <CUnit/CUnit.h>
#include <string.h>
#include <strings.h>

static const char *program(void)
{
    const char *slash = strrchr(cli_exe(), '/');
    return slash ? slash + 1 : cli_exe();
}

static void test_help(void)
{
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS("--help")) == 0);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT(r.out && strncasecmp(r.out, "usage: ", 7) == 0 &&
              strncmp(r.out + 7, program(), strlen(program())) == 0);
    CU_ASSERT_EQUAL(r.err_lines, 0);
    if (r.status != 0 || r.err_lines != 0)
        show("--help", &r);
    result_free(&r);
}

static void test_unknown_option(void)
{
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS("--no-such-option")) == 0);
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_EQUAL(r.err_lines, 1);
    CU_ASSERT(r.err && strncmp(r.err, program(), strlen(program())) == 0 &&
              r.err[strlen(program())] == ':');
    CU_ASSERT(r.out && !*r.out);
    if (r.status != 2 || r.err_lines != 1)
        show("--no-such-option", &r);
    result_free(&r);
}

CU_TestInfo cli_bench_tests[] = {
    {"--help: the usage, status 0", test_help},
    {"an unknown option: one line, status 2", test_unknown_option},
    CU_TEST_INFO_NULL,
};
