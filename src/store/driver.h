#pragma once
/* What a storage engine provides to the store. The store files speak only
 * store/db.h; db.c dispatches through one of these tables, chosen when the
 * store opens (DESIGN.md: "a small driver interface keeps SQLite and
 * PostgreSQL behind the same functions").
 *
 * SQL handed to a driver is the store's portable dialect: positional
 * parameters written ?N (or ? numbered in order), upserts as
 * INSERT … ON CONFLICT … DO UPDATE, RETURNING, no engine-specific
 * functions. A driver translates what its engine spells differently. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "store/migrations/migrations.h"

struct db_driver {
        const char *name;
        /* Connects this thread to the database of kind in region r. */
        SR_NODISCARD enum sr_rc (*open)(const struct sr_store *st, enum db_kind kind,
                                        enum sr_region r, void **ret);
        void (*close)(void *conn);
        /* True when the connection is lost (server restart): the store then
         * drops it with its statements and connects again. */
        bool (*broken)(void *conn);
        /* The schema steps of kind in this engine's dialect; the same
         * versions for every driver (test_store checks). */
        const struct sr_migration *(*migrations)(enum db_kind kind);
        /* Runs a script of statements without parameters (migrations). */
        SR_NODISCARD enum sr_rc (*exec_script)(void *conn, const char *sql);
        /* One write transaction per database at a time: writers queue, so
         * read-modify-write sequences (audit chain, counters) need no retry. */
        SR_NODISCARD enum sr_rc (*begin)(void *conn);
        SR_NODISCARD enum sr_rc (*commit)(void *conn);
        void (*rollback)(void *conn);
        /* Best effort: push deleted rows out of logs the engine keeps
         * beside the data (SQLite's WAL), so a shredded key is gone. */
        void (*forget_deleted)(void *conn);

        SR_NODISCARD enum sr_rc (*prepare)(void *conn, const char *sql, void **ret);
        void (*finalize)(void *stmt);
        /* Forgets the last result and all bindings. */
        void (*reset)(void *stmt);
        void (*bind_null)(void *stmt, int i);
        void (*bind_int)(void *stmt, int i, int64_t v);
        void (*bind_text)(void *stmt, int i, const char *v);
        void (*bind_blob)(void *stmt, int i, const void *p, size_t n);
        /* SR_OK with *row true while rows come, false once done. */
        SR_NODISCARD enum sr_rc (*step)(void *stmt, bool *row);
        /* Rows changed by the last completed INSERT/UPDATE/DELETE. */
        int64_t (*changes)(void *stmt);
        bool (*col_null)(void *stmt, int i);
        int64_t (*col_int)(void *stmt, int i);
        /* Bytes of a text or blob column, valid until the next step/reset;
         * NULL with *len 0 for SQL NULL. */
        const void *(*col_bytes)(void *stmt, int i, size_t *len);

        /* Messages between serve nodes sharing this store (channel
         * sr_cache); NULL when the engine is one node's alone. Sending is a
         * statement of the store files (cluster.c). */
        SR_NODISCARD enum sr_rc (*listen_open)(const struct sr_store *st, void **ret);
        /* Waits up to timeout_ms and calls fn per message; SR_E_IO when
         * the connection is lost (messages may have been missed). */
        SR_NODISCARD enum sr_rc (*listen_wait)(void *h, int timeout_ms,
                                               void (*fn)(const char *payload, void *arg),
                                               void *arg);
        void (*listen_close)(void *h);
};

extern const struct db_driver db_driver_sqlite;
extern const struct db_driver db_driver_pg;

/* For drivers: where the store lives. */
const char *store_dir(const struct sr_store *st);
const char *store_pg_conninfo(const struct sr_store *st, enum sr_region r);
bool store_creating(const struct sr_store *st);
