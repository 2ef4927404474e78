/* SPDX-License-Identifier: MIT */
/*
 * pg_schema VERSION: the SQL that makes an older version of the
 * PostgreSQL store's schema (migrations 0 .. VERSION - 1, and ap_schema
 * saying VERSION), so that a test can fill a store as an older PRR left
 * it and have prr --init-store migrate it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "prr/store_pg_schema.h"

int
main(int argc, char **argv)
{
	char *end;
	unsigned long v = argc == 2 ? strtoul(argv[1], &end, 10) : 0;

	if (argc != 2 || *end || v < 1 || v > store_pg_schema_version()) {
		fprintf(stderr, "usage: pg_schema VERSION (1..%u)\n", store_pg_schema_version());
		return 2;
	}
	printf("BEGIN;\n");
	for (unsigned i = 0; i < v; i++)
		printf("%s\n", store_pg_migration(i));
	printf("CREATE TABLE ap_schema (version int NOT NULL);\n"
	       "INSERT INTO ap_schema VALUES (%lu);\nCOMMIT;\n", v);
	return 0;
}
