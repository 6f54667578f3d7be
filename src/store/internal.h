#pragma once
/* Private to src/store: the open store and its connections, for store.c
 * (opening, migrations, transactions) and the drivers. */
#include "store/db.h"
#include "store/migrations/migrations.h"

struct db_driver;

const struct db_driver *store_driver(const struct sr_store *st);
unsigned long store_generation(const struct sr_store *st);

SR_NODISCARD enum sr_rc db_conn_script(struct db_conn *c, const char *sql);
SR_NODISCARD enum sr_rc db_conn_begin(struct db_conn *c);
SR_NODISCARD enum sr_rc db_conn_commit(struct db_conn *c);
void db_conn_rollback(struct db_conn *c);
const struct sr_migration *db_conn_migrations(struct db_conn *c, enum db_kind kind);
