#pragma once
/* Internal to the SQLite driver: where the files are. */
#include <stddef.h>

#include "store/sqlite/db.h"

void store_path(const struct sr_store *st, enum db_kind kind, enum sr_region r, char *out,
                size_t out_len);
unsigned long store_generation(const struct sr_store *st);
/* Runs the migrations of kind on the open connection. */
SR_NODISCARD enum sr_rc store_migrate(struct db_conn *c, enum db_kind kind);
