/* test_cli_lesion.c: being written. */
#include "cli_util.h"
#include "test_util.h"

CU_TestInfo cli_lesion_tests[] = {CU_TEST_INFO_NULL};
