/* test_cli_paths.c: being written. */
#include "cli_util.h"
#include "test_util.h"

CU_TestInfo cli_paths_tests[] = {CU_TEST_INFO_NULL};
