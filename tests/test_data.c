/* test_data.c: being written. */
#include <CUnit/CUnit.h>
CU_TestInfo data_tests[] = {CU_TEST_INFO_NULL};
