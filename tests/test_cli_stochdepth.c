/* test_cli_stochdepth.c: being written. */
#include "cli_util.h"
#include "test_util.h"

CU_TestInfo cli_stochdepth_tests[] = {CU_TEST_INFO_NULL};
