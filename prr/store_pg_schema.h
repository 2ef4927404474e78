/* SPDX-License-Identifier: MIT */
/* The PostgreSQL store's schema, versioned (see store_pg_schema.c). */
#ifndef PRR_STORE_PG_SCHEMA_H
#define PRR_STORE_PG_SCHEMA_H

/* The version this PRR needs. */
unsigned store_pg_schema_version(void);
/* The SQL from version `from` to from + 1; NULL past the last. */
const char *store_pg_migration(unsigned from);

#endif
