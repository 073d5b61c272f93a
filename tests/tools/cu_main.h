/*
 * tests/tools/cu_main.h - the main() of a CUnit test executable:
 * run the NULL-ended `tests` table of the including file as one suite and
 * exit non-zero when anything failed.
 */
#ifndef WSP_TEST_TOOLS_CU_MAIN_H
#define WSP_TEST_TOOLS_CU_MAIN_H

#include <CUnit/Basic.h>
#include <signal.h>

#define CU_MAIN(suite_name, table)                                         \
	int main(void)                                                     \
	{                                                                  \
		CU_SuiteInfo suites[] = { { suite_name, NULL, NULL, NULL,  \
					    NULL, table },                 \
					  CU_SUITE_INFO_NULL };            \
		unsigned failed;                                           \
                                                                           \
		signal(SIGPIPE, SIG_IGN);                                  \
		if (CU_initialize_registry() != CUE_SUCCESS)               \
			return 2;                                          \
		CU_register_suites(suites);                                \
		CU_basic_set_mode(CU_BRM_VERBOSE);                         \
		CU_basic_run_tests();                                      \
		failed = CU_get_number_of_failures() +                     \
			 CU_get_number_of_tests_failed();                  \
		CU_cleanup_registry();                                     \
		return failed ? 1 : 0;                                     \
	}

#endif
