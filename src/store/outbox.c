/* Outbox rows (AUTH-6, AUTH-9). The payload arrives sealed; this file only
 * moves rows in and out. Delivery is by one thread, so "due" rows are read
 * without a lease. */
#include "store/outbox.h"

#include <string.h>

#include "store/db.h"
#include "util/alloc.h"

void
sr_outbox_row_fini(struct sr_outbox_row *o)
{
        sr_blob_fini(&o->payload_ct);
}

void
sr_outbox_rows_free(struct sr_outbox_row *rows, size_t n)
{
        for (size_t i = 0; rows != NULL && i < n; i++)
                sr_outbox_row_fini(&rows[i]);
        sr_free(rows);
}

enum sr_rc
sr_store_outbox_insert(struct sr_tx *tx, const struct sr_outbox_row *o)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "INSERT INTO outbox (id, account_id, subject_id, kind,"
                                   " payload_ct, attempts, next_attempt_at, created_at, failed)"
                                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, o->id);
        db_bind_text(s, 2, o->account_id);
        db_bind_text(s, 3, o->subject_id);
        db_bind_text(s, 4, o->kind);
        db_bind_blob(s, 5, &o->payload_ct);
        db_bind_int(s, 6, o->attempts);
        db_bind_int(s, 7, o->next_attempt_at);
        db_bind_int(s, 8, o->created_at);
        db_bind_int(s, 9, o->failed ? 1 : 0);
        return db_exec(s);
}

static void
row_fini(void *row)
{
        sr_outbox_row_fini(row);
}

static enum sr_rc
row_read(struct db_stmt *s, void *row)
{
        struct sr_outbox_row o;
        memset(&o, 0, sizeof(o));
        db_col_text(s, 0, o.id, sizeof(o.id));
        db_col_text(s, 1, o.account_id, sizeof(o.account_id));
        db_col_text(s, 2, o.subject_id, sizeof(o.subject_id));
        db_col_text(s, 3, o.kind, sizeof(o.kind));
        o.attempts = db_col_int(s, 5);
        o.next_attempt_at = db_col_int(s, 6);
        o.created_at = db_col_int(s, 7);
        o.failed = (int)db_col_int(s, 8) != 0;
        enum sr_rc rc = db_col_blob(s, 4, &o.payload_ct);
        if (rc != SR_OK)
                return rc;
        *(struct sr_outbox_row *)row = o;
        return SR_OK;
}

enum sr_rc
sr_store_outbox_due(struct sr_store *st, enum sr_region r, int64_t now, unsigned limit,
                    struct sr_outbox_row **ret_rows, size_t *ret_n)
{
        if (limit == 0 || limit > 1000)
                return SR_E_INTERNAL;
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT id, account_id, subject_id, kind, payload_ct,"
                                   " attempts, next_attempt_at, created_at, failed FROM outbox"
                                   " WHERE failed = 0 AND next_attempt_at <= ?"
                                   " ORDER BY next_attempt_at, created_at LIMIT ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_int(s, 1, now);
        db_bind_int(s, 2, limit);
        void *rows = NULL;
        size_t n = 0;
        rc = db_list(s, row_read, row_fini, sizeof(struct sr_outbox_row), limit, &rows, &n);
        if (rc != SR_OK)
                return rc;
        *ret_rows = rows;
        *ret_n = n;
        return SR_OK;
}

enum sr_rc
sr_store_outbox_claim(struct sr_tx *tx, const char *account_id, const char *id, int64_t due_at,
                      int64_t lease_until, bool *ret_taken)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "UPDATE outbox SET next_attempt_at = ? WHERE id = ?"
                                   " AND account_id = ? AND next_attempt_at = ? AND failed = 0",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_int(s, 1, lease_until);
        db_bind_text(s, 2, id);
        db_bind_text(s, 3, account_id);
        db_bind_int(s, 4, due_at);
        int64_t n = 0;
        rc = db_exec_count(s, &n);
        if (rc == SR_OK)
                *ret_taken = n == 1;
        return rc;
}

enum sr_rc
sr_store_outbox_delete(struct sr_tx *tx, const char *account_id, const char *id, int64_t due_at)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "DELETE FROM outbox WHERE id = ? AND account_id = ?"
                                   " AND next_attempt_at = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, id);
        db_bind_text(s, 2, account_id);
        db_bind_int(s, 3, due_at);
        return db_exec(s);
}

enum sr_rc
sr_store_outbox_retry(struct sr_tx *tx, const char *account_id, const char *id, int64_t due_at,
                      int64_t attempts, int64_t next_attempt_at, bool failed)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "UPDATE outbox SET attempts = ?, next_attempt_at = ?,"
                                   " failed = ? WHERE id = ? AND account_id = ?"
                                   " AND next_attempt_at = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_int(s, 1, attempts);
        db_bind_int(s, 2, next_attempt_at);
        db_bind_int(s, 3, failed ? 1 : 0);
        db_bind_text(s, 4, id);
        db_bind_text(s, 5, account_id);
        db_bind_int(s, 6, due_at);
        return db_exec(s);
}

static enum sr_rc
count_read(struct db_stmt *s, void *row)
{
        *(int64_t *)row = db_col_int(s, 0);
        return SR_OK;
}

enum sr_rc
sr_store_outbox_count(struct sr_store *st, enum sr_region r, const char *account_id,
                      int64_t *ret_n)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT count(*) FROM outbox WHERE account_id = ?", &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        int64_t n = 0;
        rc = db_one(s, count_read, &n);
        if (rc == SR_E_NOT_FOUND)
                return SR_E_STORE; /* count(*) always yields a row */
        if (rc != SR_OK)
                return rc;
        *ret_n = n;
        return SR_OK;
}
