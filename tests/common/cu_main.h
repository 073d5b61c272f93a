/*
 * tests/common/cu_main.h - running CUnit suites, shared by every test
 * executable (tests/CMakeLists.txt puts tests/common on the include path).
 *
 * cu_run_registry() decides the exit status in one place. It counts
 * CUnit's failure records, not only failed assertions: a suite whose init
 * fails (a server that did not start, a temp dir that could not be made)
 * runs none of its tests and fails no assertion, and must still fail the
 * executable instead of passing silently.
 */
#ifndef WSP_TEST_CU_MAIN_H
#define WSP_TEST_CU_MAIN_H

#include <CUnit/Basic.h>
#include <signal.h>

/*
 * Run every registered suite verbosely and clean up the registry. Returns
 * 0 when every assertion passed and every suite's init and cleanup
 * succeeded, else 1.
 */
static inline int cu_run_registry(void)
{
	unsigned failed;

	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failure_records() +
		 CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}

/*
 * Register the CU_SUITE_INFO_NULL-ended suites and run them: what
 * cu_run_registry() returns, or 2 when CUnit could not set them up. The
 * caller decides SIGPIPE (a runner whose children must see it keeps the
 * default).
 */
static inline int cu_run_suites(CU_SuiteInfo *suites)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		CU_cleanup_registry();
		return 2;
	}
	return cu_run_registry();
}

/*
 * Run one suite: the NULL-ended CU_TestInfo `table` with optional init and
 * clean functions; what cu_run_suites() returns. For a main() that first
 * reads its arguments, or whose children must see SIGPIPE.
 */
static inline int cu_run_suite(const char *suite_name, CU_InitializeFunc init,
			       CU_CleanupFunc clean, CU_TestInfo *table)
{
	CU_SuiteInfo suites[] = {{suite_name, init, clean, NULL, NULL, table},
				 CU_SUITE_INFO_NULL};

	return cu_run_suites(suites);
}

/*
 * The main() of an executable with one suite, as cu_run_suite() runs it.
 * SIGPIPE is ignored so a child that exits early fails a test instead of
 * killing the runner.
 */
#define CU_MAIN_SUITE(suite_name, init, clean, table)                          \
	int main(void)                                                         \
	{                                                                      \
		signal(SIGPIPE, SIG_IGN);                                      \
		return cu_run_suite(suite_name, init, clean, table);           \
	}

#define CU_MAIN(suite_name, table) CU_MAIN_SUITE(suite_name, NULL, NULL, table)

#endif
