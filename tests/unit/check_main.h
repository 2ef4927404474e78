/* SPDX-License-Identifier: MIT */
/* The main of every unit test: run its suite, exit 0 only if all passed. */
#ifndef AP_CHECK_MAIN_H
#define AP_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

static inline int
check_main(Suite *suite)
{
	SRunner *sr = srunner_create(suite);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
