#pragma once
/* The statement API of the store files, the same for every engine
 * (store/driver.h). SQL passed to db_prepare()/db_tx_stmt() must be a string
 * literal: statements are cached per connection by the literal's address,
 * which also makes "only constant SQL" checkable
 * (tests/security/sql_constant_check). Connections are per thread. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

enum db_kind { DB_DIRECTORY, DB_DATA, DB_KEYS };

struct db_conn;
struct db_stmt;

struct sr_tx {
        struct db_conn *c;
        enum sr_region region;
        bool open;
};

/* This thread's connection to a database (opened on first use). */
SR_NODISCARD enum sr_rc db_conn_get(struct sr_store *st, enum db_kind kind, enum sr_region r,
                                    struct db_conn **ret);
/* Best effort: deleted rows leave the engine's logs too (shredded keys). */
void db_conn_forget_deleted(struct db_conn *c);
/* A reset, cleared, cached statement for the literal sql. */
SR_NODISCARD enum sr_rc db_stmt(struct db_conn *c, const char *sql, struct db_stmt **ret);
/* Convenience: db_conn_get + db_stmt. */
SR_NODISCARD enum sr_rc db_prepare(struct sr_store *st, enum db_kind kind, enum sr_region r,
                                   const char *sql, struct db_stmt **ret);
SR_NODISCARD enum sr_rc db_tx_stmt(struct sr_tx *tx, const char *sql, struct db_stmt **ret);

void db_bind_text(struct db_stmt *s, int i, const char *v); /* "" or NULL → NULL */
void db_bind_str(struct db_stmt *s, int i, const char *v);  /* NULL → "", never NULL */
void db_bind_blob(struct db_stmt *s, int i, const struct sr_blob *b); /* empty → NULL */
void db_bind_raw(struct db_stmt *s, int i, const void *p, size_t n);  /* empty → NULL */
void db_bind_int(struct db_stmt *s, int i, int64_t v);

/* Runs s: SR_OK with *row true while rows come, false at the end. */
SR_NODISCARD enum sr_rc db_step(struct db_stmt *s, bool *row);
void db_reset(struct db_stmt *s);
/* Runs a statement that returns no rows; resets it. */
SR_NODISCARD enum sr_rc db_exec(struct db_stmt *s);
/* As db_exec, but SR_E_NOT_FOUND when no row was changed. */
SR_NODISCARD enum sr_rc db_exec_changed(struct db_stmt *s);
/* As db_exec, and *ret = the number of rows changed. */
SR_NODISCARD enum sr_rc db_exec_count(struct db_stmt *s, int64_t *ret);

bool db_col_null(struct db_stmt *s, int i);
int64_t db_col_int(struct db_stmt *s, int i);
/* Copies column i into dst (size dst_len), "" for NULL, truncating. */
void db_col_text(struct db_stmt *s, int i, char *dst, size_t dst_len);
SR_NODISCARD enum sr_rc db_col_blob(struct db_stmt *s, int i, struct sr_blob *ret);
/* Copies exactly n bytes; false when the column is NULL or another size. */
bool db_col_fixed(struct db_stmt *s, int i, unsigned char *dst, size_t n);

/* Row mappers: read fills one row from the current result row. */
typedef enum sr_rc (*db_read_fn)(struct db_stmt *s, void *row);
/* Steps once: read into ret, or SR_E_NOT_FOUND when there is no row.
 * Resets s. */
SR_NODISCARD enum sr_rc db_one(struct db_stmt *s, db_read_fn read, void *ret);
/* Reads at most max rows into the caller's array dst of elem_size
 * elements; *ret_n rows were read (on failure too: the caller releases
 * them). Resets s. */
SR_NODISCARD enum sr_rc db_fill(struct db_stmt *s, db_read_fn read, size_t elem_size, void *dst,
                                size_t max, size_t *ret_n);
/* Reads at most limit rows into a new zeroed array of elem_size elements
 * (*ret, caller frees; NULL when limit is 0). Resets s. On failure the
 * rows read so far are released with fini (may be NULL). */
SR_NODISCARD enum sr_rc db_list(struct db_stmt *s, db_read_fn read, void (*fini)(void *row),
                                size_t elem_size, size_t limit, void **ret, size_t *ret_n);
/* Calls fn for every row; stops at the first non-OK return. Resets s. */
SR_NODISCARD enum sr_rc db_each(struct db_stmt *s, enum sr_rc (*fn)(struct db_stmt *, void *),
                                void *arg);
