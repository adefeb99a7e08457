/* test_train.c: being written. */
#include <CUnit/CUnit.h>
CU_TestInfo train_tests[] = {CU_TEST_INFO_NULL};
