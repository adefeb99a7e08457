/* test_optim.c: being written. */
#include <CUnit/CUnit.h>
CU_TestInfo optim_tests[] = {CU_TEST_INFO_NULL};
