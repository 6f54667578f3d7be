#pragma once
/* Versioned schema migrations, applied in order, each in its own
 * transaction. Append new versions; never edit an applied one. */

struct sr_migration {
        int version;
        const char *sql;
};

extern const struct sr_migration sr_migrations_directory[];
extern const struct sr_migration sr_migrations_data[];
extern const struct sr_migration sr_migrations_keys[];

/* The same steps for PostgreSQL (migrations_pg.c). */
extern const struct sr_migration sr_migrations_pg_directory[];
extern const struct sr_migration sr_migrations_pg_data[];
extern const struct sr_migration sr_migrations_pg_keys[];
