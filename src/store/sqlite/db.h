#pragma once
/* Internal to the SQLite driver: per-thread connections, the prepared
 * statement cache and bind/column helpers. SQL passed to db_stmt() must be
 * a string literal: the cache is keyed by its address, which also makes
 * "only constant SQL" checkable (tools/check_sql_constant.sh). */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

enum db_kind { DB_DIRECTORY, DB_DATA, DB_KEYS };

struct db_conn;

struct sr_tx {
        struct db_conn *c;
        enum sr_region region;
        bool open;
};

/* This thread's connection to a database (opened on first use). */
SR_NODISCARD enum sr_rc db_conn_get(struct sr_store *st, enum db_kind kind, enum sr_region r,
                                    struct db_conn **ret);
/* A reset, cleared, cached statement for the literal sql. */
SR_NODISCARD enum sr_rc db_stmt(struct db_conn *c, const char *sql, sqlite3_stmt **ret);
sqlite3 *db_handle(struct db_conn *c);
/* Maps an sqlite3 result code to enum sr_rc (unique violation → conflict). */
enum sr_rc db_rc(int src);
/* Steps a statement that returns no rows; resets it. */
SR_NODISCARD enum sr_rc db_exec_stmt(sqlite3_stmt *s);
/* As db_exec_stmt, but SR_E_NOT_FOUND when no row was changed. */
SR_NODISCARD enum sr_rc db_exec_changed(sqlite3_stmt *s);
/* Convenience: db_conn_get + db_stmt. */
SR_NODISCARD enum sr_rc db_prepare(struct sr_store *st, enum db_kind kind, enum sr_region r,
                                   const char *sql, sqlite3_stmt **ret);
SR_NODISCARD enum sr_rc db_tx_stmt(struct sr_tx *tx, const char *sql, sqlite3_stmt **ret);

void db_bind_text(sqlite3_stmt *s, int i, const char *v);  /* "" or NULL → NULL */
void db_bind_blob(sqlite3_stmt *s, int i, const struct sr_blob *b); /* empty → NULL */
void db_bind_raw(sqlite3_stmt *s, int i, const void *p, size_t n);
void db_bind_int(sqlite3_stmt *s, int i, int64_t v);
/* Copies column i into dst (size dst_len), "" for NULL, truncating. */
void db_col_text(sqlite3_stmt *s, int i, char *dst, size_t dst_len);
SR_NODISCARD enum sr_rc db_col_blob(sqlite3_stmt *s, int i, struct sr_blob *ret);
/* Copies exactly n bytes; false when the column is NULL or another size. */
bool db_col_fixed(sqlite3_stmt *s, int i, unsigned char *dst, size_t n);
