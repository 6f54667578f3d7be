/* Audit events and signed checkpoints (OPS-1). The table is append-only by
 * convention; tampering is caught by the MAC chain, not by SQL. */
#include <string.h>

#include "store/db.h"
#include "util/alloc.h"

#define AUDIT_COLS                                                                 \
        "account_id, seq, id, time, actor_id, actor_type, action, target_type," \
        " target_id, outcome, client_ip_prefix, request_id, mac"

static enum sr_rc
row_read(struct db_stmt *s, void *row)
{
        struct sr_audit_row e;
        memset(&e, 0, sizeof(e));
        db_col_text(s, 0, e.account_id, sizeof(e.account_id));
        e.seq = db_col_int(s, 1);
        db_col_text(s, 2, e.id, sizeof(e.id));
        e.time = db_col_int(s, 3);
        db_col_text(s, 4, e.actor_id, sizeof(e.actor_id));
        db_col_text(s, 5, e.actor_type, sizeof(e.actor_type));
        db_col_text(s, 6, e.action, sizeof(e.action));
        db_col_text(s, 7, e.target_type, sizeof(e.target_type));
        db_col_text(s, 8, e.target_id, sizeof(e.target_id));
        db_col_text(s, 9, e.outcome, sizeof(e.outcome));
        db_col_text(s, 10, e.client_ip_prefix, sizeof(e.client_ip_prefix));
        db_col_text(s, 11, e.request_id, sizeof(e.request_id));
        /* A bad mac stays zero and fails verification, not the read. */
        db_col_fixed(s, 12, e.mac, SR_AUDIT_MAC_LEN);
        *(struct sr_audit_row *)row = e;
        return SR_OK;
}

struct head {
        int64_t seq;
        unsigned char mac[SR_AUDIT_MAC_LEN];
};

static enum sr_rc
head_read(struct db_stmt *s, void *row)
{
        struct head h;
        h.seq = db_col_int(s, 0);
        if (!db_col_fixed(s, 1, h.mac, SR_AUDIT_MAC_LEN))
                return SR_E_STORE;
        *(struct head *)row = h;
        return SR_OK;
}

enum sr_rc
sr_store_audit_head(struct sr_tx *tx, const char *account_id, int64_t *ret_seq,
                    unsigned char ret_mac[SR_AUDIT_MAC_LEN])
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "SELECT seq, mac FROM audit_events WHERE account_id = ?"
                                   " ORDER BY seq DESC LIMIT 1",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        struct head h;
        memset(&h, 0, sizeof(h)); /* an empty chain: seq 0, zero mac */
        rc = db_one(s, head_read, &h);
        if (rc != SR_OK && rc != SR_E_NOT_FOUND)
                return rc;
        *ret_seq = h.seq;
        memcpy(ret_mac, h.mac, SR_AUDIT_MAC_LEN);
        return SR_OK;
}

enum sr_rc
sr_store_audit_insert(struct sr_tx *tx, const struct sr_audit_row *e)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "INSERT INTO audit_events (" AUDIT_COLS ") VALUES"
                                   " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, e->account_id);
        db_bind_int(s, 2, e->seq);
        db_bind_text(s, 3, e->id);
        db_bind_int(s, 4, e->time);
        db_bind_text(s, 5, e->actor_id);
        db_bind_text(s, 6, e->actor_type);
        db_bind_text(s, 7, e->action);
        db_bind_text(s, 8, e->target_type);
        db_bind_text(s, 9, e->target_id);
        db_bind_text(s, 10, e->outcome);
        db_bind_text(s, 11, e->client_ip_prefix);
        db_bind_text(s, 12, e->request_id);
        db_bind_raw(s, 13, e->mac, SR_AUDIT_MAC_LEN);
        return db_exec(s);
}

enum sr_rc
sr_store_audit_checkpoint_put(struct sr_tx *tx, const char *account_id,
                              const struct sr_audit_checkpoint *c)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "INSERT INTO audit_checkpoints (account_id, seq, mac, sig, time)"
                                   " VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE"
                                   " SET seq = excluded.seq, mac = excluded.mac,"
                                   " sig = excluded.sig, time = excluded.time",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_int(s, 2, c->seq);
        db_bind_raw(s, 3, c->mac, SR_AUDIT_MAC_LEN);
        db_bind_raw(s, 4, c->sig, SR_AUDIT_SIG_LEN);
        db_bind_int(s, 5, c->time);
        return db_exec(s);
}

static enum sr_rc
checkpoint_read(struct db_stmt *s, void *row)
{
        struct sr_audit_checkpoint c;
        c.seq = db_col_int(s, 0);
        c.time = db_col_int(s, 3);
        if (!db_col_fixed(s, 1, c.mac, SR_AUDIT_MAC_LEN) ||
            !db_col_fixed(s, 2, c.sig, SR_AUDIT_SIG_LEN))
                return SR_E_STORE;
        *(struct sr_audit_checkpoint *)row = c;
        return SR_OK;
}

enum sr_rc
sr_store_audit_checkpoint_get(struct sr_store *st, enum sr_region r, const char *account_id,
                              struct sr_audit_checkpoint *ret)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT seq, mac, sig, time FROM audit_checkpoints"
                                   " WHERE account_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        return db_one(s, checkpoint_read, ret);
}

enum sr_rc
sr_store_audit_list(struct sr_store *st, enum sr_region r, const char *account_id,
                    int64_t before_seq, unsigned limit, struct sr_audit_row **ret_rows,
                    size_t *ret_n)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT " AUDIT_COLS " FROM audit_events WHERE account_id = ?"
                                   " AND seq < ? ORDER BY seq DESC LIMIT ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_int(s, 2, before_seq > 0 ? before_seq : INT64_MAX);
        db_bind_int(s, 3, limit);
        void *rows = NULL;
        size_t n = 0;
        rc = db_list(s, row_read, NULL, sizeof(struct sr_audit_row), limit, &rows, &n);
        if (rc != SR_OK)
                return rc;
        *ret_rows = rows;
        *ret_n = n;
        return SR_OK;
}

struct each_call {
        enum sr_rc (*fn)(const struct sr_audit_row *, void *);
        void *arg;
};

static enum sr_rc
each_row(struct db_stmt *s, void *arg)
{
        const struct each_call *c = arg;
        struct sr_audit_row e;
        enum sr_rc rc = row_read(s, &e);
        return rc == SR_OK ? c->fn(&e, c->arg) : rc;
}

enum sr_rc
sr_store_audit_each(struct sr_store *st, enum sr_region r, const char *account_id,
                    enum sr_rc (*fn)(const struct sr_audit_row *, void *), void *arg)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT " AUDIT_COLS " FROM audit_events WHERE account_id = ?"
                                   " ORDER BY seq",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        struct each_call c = {fn, arg};
        return db_each(s, each_row, &c);
}

struct id_list {
        char (*ids)[SR_ID_LEN + 1];
        size_t n, cap;
};

static enum sr_rc
id_collect(struct db_stmt *s, void *arg)
{
        struct id_list *l = arg;
        if (l->n == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 16;
                void *p = sr_realloc(l->ids, cap * sizeof(*l->ids));
                if (p == NULL)
                        return SR_E_NOMEM;
                l->ids = p;
                l->cap = cap;
        }
        db_col_text(s, 0, l->ids[l->n++], SR_ID_LEN + 1);
        return SR_OK;
}

enum sr_rc
sr_store_audit_accounts(struct sr_store *st, enum sr_region r,
                        enum sr_rc (*fn)(const char *account_id, void *), void *arg)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT account_id FROM audit_events UNION"
                                   " SELECT account_id FROM audit_checkpoints ORDER BY 1",
                                   &s);
        if (rc != SR_OK)
                return rc;
        /* Collect first: fn runs further statements on this connection. */
        struct id_list l = {0};
        rc = db_each(s, id_collect, &l);
        for (size_t i = 0; rc == SR_OK && i < l.n; i++)
                rc = fn(l.ids[i], arg);
        sr_free(l.ids);
        return rc;
}
