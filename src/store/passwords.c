/* Password policies, password history, pending e-mail changes and the
 * per-user activity view (AUTH-2, AUTH-5, AUTH-9). Hashes arrive already
 * computed; the pending address is ciphertext sealed by the domain; the
 * activity view reads audit events and never writes them. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "store/passwords.h"
#include "store/db.h"

static enum sr_rc
policy_read(struct db_stmt *s, void *row)
{
        struct sr_pw_policy_row p;
        memset(&p, 0, sizeof(p));
        db_col_text(s, 0, p.preset, sizeof(p.preset));
        p.min_length = db_col_int(s, 1);
        p.require_upper = (int)db_col_int(s, 2) != 0;
        p.require_lower = (int)db_col_int(s, 3) != 0;
        p.require_digit = (int)db_col_int(s, 4) != 0;
        p.require_symbol = (int)db_col_int(s, 5) != 0;
        p.history_count = db_col_int(s, 6);
        p.max_age_days = db_col_int(s, 7);
        p.must_change_initial = (int)db_col_int(s, 8) != 0;
        p.use_blocklist = (int)db_col_int(s, 9) != 0;
        p.min_zxcvbn_score = db_col_int(s, 10);
        p.updated_at = db_col_int(s, 11);
        *(struct sr_pw_policy_row *)row = p;
        return SR_OK;
}

enum sr_rc
sr_store_pw_policy_get(struct sr_store *st, enum sr_region r, const char *account_id,
                       struct sr_pw_policy_row *ret)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT preset, min_length, require_upper, require_lower,"
                                   " require_digit, require_symbol, history_count, max_age_days,"
                                   " must_change_initial, use_blocklist, min_zxcvbn_score,"
                                   " updated_at FROM password_policies WHERE account_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        struct sr_pw_policy_row p;
        rc = db_one(s, policy_read, &p);
        if (rc != SR_OK)
                return rc;
        snprintf(p.account_id, sizeof(p.account_id), "%s", account_id);
        *ret = p;
        return SR_OK;
}

enum sr_rc
sr_store_pw_policy_put(struct sr_tx *tx, const struct sr_pw_policy_row *p)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "INSERT INTO password_policies (account_id, preset,"
                                   " min_length, require_upper, require_lower, require_digit,"
                                   " require_symbol, history_count, max_age_days,"
                                   " must_change_initial, use_blocklist, min_zxcvbn_score,"
                                   " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                   " ON CONFLICT (account_id) DO UPDATE SET"
                                   " preset = excluded.preset,"
                                   " min_length = excluded.min_length,"
                                   " require_upper = excluded.require_upper,"
                                   " require_lower = excluded.require_lower,"
                                   " require_digit = excluded.require_digit,"
                                   " require_symbol = excluded.require_symbol,"
                                   " history_count = excluded.history_count,"
                                   " max_age_days = excluded.max_age_days,"
                                   " must_change_initial = excluded.must_change_initial,"
                                   " use_blocklist = excluded.use_blocklist,"
                                   " min_zxcvbn_score = excluded.min_zxcvbn_score,"
                                   " updated_at = excluded.updated_at",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, p->account_id);
        db_bind_text(s, 2, p->preset);
        db_bind_int(s, 3, p->min_length);
        db_bind_int(s, 4, p->require_upper);
        db_bind_int(s, 5, p->require_lower);
        db_bind_int(s, 6, p->require_digit);
        db_bind_int(s, 7, p->require_symbol);
        db_bind_int(s, 8, p->history_count);
        db_bind_int(s, 9, p->max_age_days);
        db_bind_int(s, 10, p->must_change_initial);
        db_bind_int(s, 11, p->use_blocklist);
        db_bind_int(s, 12, p->min_zxcvbn_score);
        db_bind_int(s, 13, p->updated_at);
        return db_exec(s);
}

static enum sr_rc
history_read(struct db_stmt *s, void *row)
{
        struct sr_pw_history_row h;
        memset(&h, 0, sizeof(h));
        db_col_text(s, 0, h.pw_hash, sizeof(h.pw_hash));
        h.created_at = db_col_int(s, 1);
        *(struct sr_pw_history_row *)row = h;
        return SR_OK;
}

enum sr_rc
sr_store_pw_history_list(struct sr_store *st, enum sr_region r, const char *account_id,
                         const char *user_id, struct sr_pw_history_row *ret, size_t max,
                         size_t *ret_n)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT pw_hash, created_at FROM password_history"
                                   " WHERE account_id = ? AND user_id = ?"
                                   " ORDER BY created_at DESC, rowid DESC LIMIT ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, user_id);
        db_bind_int(s, 3, (int64_t)max);
        return db_fill(s, history_read, sizeof(struct sr_pw_history_row), ret, max, ret_n);
}

enum sr_rc
sr_store_pw_history_add(struct sr_tx *tx, const char *id, const char *account_id,
                        const char *user_id, const char *pw_hash, int64_t created_at)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "INSERT INTO password_history (id, account_id, user_id,"
                                   " pw_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, id);
        db_bind_text(s, 2, account_id);
        db_bind_text(s, 3, user_id);
        db_bind_text(s, 4, pw_hash);
        db_bind_int(s, 5, created_at);
        return db_exec(s);
}

enum sr_rc
sr_store_pw_history_prune(struct sr_tx *tx, const char *account_id, const char *user_id,
                          unsigned keep)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "DELETE FROM password_history WHERE account_id = ?1"
                                   " AND user_id = ?2 AND rowid NOT IN (SELECT rowid FROM"
                                   " password_history WHERE account_id = ?1 AND user_id = ?2"
                                   " ORDER BY created_at DESC, rowid DESC LIMIT ?3)",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, user_id);
        db_bind_int(s, 3, keep);
        return db_exec(s);
}

void
sr_email_change_row_fini(struct sr_email_change_row *c)
{
        sr_blob_fini(&c->email_ct);
}

enum sr_rc
sr_store_email_change_put(struct sr_tx *tx, const struct sr_email_change_row *c)
{
        enum sr_rc rc = sr_store_email_change_delete_user(tx, c->account_id, c->user_id);
        struct db_stmt *s = NULL;
        if (rc == SR_OK)
                rc = db_tx_stmt(tx,
                                "INSERT INTO email_changes (id, account_id, user_id, email_ct,"
                                " token_hash, created_at, expires_at)"
                                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                                &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, c->id);
        db_bind_text(s, 2, c->account_id);
        db_bind_text(s, 3, c->user_id);
        db_bind_blob(s, 4, &c->email_ct);
        db_bind_raw(s, 5, c->token_hash, sizeof(c->token_hash));
        db_bind_int(s, 6, c->created_at);
        db_bind_int(s, 7, c->expires_at);
        return db_exec(s);
}

static enum sr_rc
email_change_read(struct db_stmt *s, void *row)
{
        struct sr_email_change_row c;
        memset(&c, 0, sizeof(c));
        db_col_text(s, 0, c.id, sizeof(c.id));
        db_col_text(s, 1, c.account_id, sizeof(c.account_id));
        db_col_text(s, 2, c.user_id, sizeof(c.user_id));
        c.created_at = db_col_int(s, 4);
        c.expires_at = db_col_int(s, 5);
        enum sr_rc rc = db_col_blob(s, 3, &c.email_ct);
        if (rc != SR_OK)
                return rc;
        *(struct sr_email_change_row *)row = c;
        return SR_OK;
}

enum sr_rc
sr_store_email_change_find(struct sr_store *st, enum sr_region r,
                           const unsigned char token_hash[32], struct sr_email_change_row *ret)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT id, account_id, user_id, email_ct, created_at,"
                                   " expires_at FROM email_changes WHERE token_hash = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_raw(s, 1, token_hash, 32);
        struct sr_email_change_row c;
        rc = db_one(s, email_change_read, &c);
        if (rc != SR_OK)
                return rc;
        memcpy(c.token_hash, token_hash, 32);
        *ret = c;
        return SR_OK;
}

enum sr_rc
sr_store_email_change_delete(struct sr_tx *tx, const char *account_id, const char *id)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx, "DELETE FROM email_changes WHERE id = ? AND account_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, id);
        db_bind_text(s, 2, account_id);
        return db_exec_changed(s);
}

enum sr_rc
sr_store_email_change_delete_user(struct sr_tx *tx, const char *account_id, const char *user_id)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "DELETE FROM email_changes WHERE account_id = ? AND user_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, user_id);
        return db_exec(s);
}

enum sr_rc
sr_store_email_change_pending(struct sr_store *st, enum sr_region r, const char *account_id,
                              const char *user_id, int64_t now, bool *ret_pending)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT 1 FROM email_changes WHERE account_id = ?"
                                   " AND user_id = ? AND expires_at > ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, user_id);
        db_bind_int(s, 3, now);
        bool row = false;
        rc = db_step(s, &row);
        db_reset(s);
        if (rc != SR_OK)
                return rc;
        *ret_pending = row;
        return SR_OK;
}

static enum sr_rc
audit_row_read(struct db_stmt *s, void *row)
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
        *(struct sr_audit_row *)row = e;
        return SR_OK;
}

enum sr_rc
sr_store_audit_list_user(struct sr_store *st, enum sr_region r, const char *account_id,
                         const char *user_id, int64_t before_seq, unsigned limit,
                         struct sr_audit_row **ret_rows, size_t *ret_n)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT account_id, seq, id, time, actor_id, actor_type,"
                                   " action, target_type, target_id, outcome, client_ip_prefix,"
                                   " request_id FROM audit_events WHERE account_id = ?1"
                                   " AND (actor_id = ?2 OR target_id = ?2) AND seq < ?3"
                                   " ORDER BY seq DESC LIMIT ?4",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, user_id);
        db_bind_int(s, 3, before_seq > 0 ? before_seq : INT64_MAX);
        db_bind_int(s, 4, limit);
        void *rows = NULL;
        size_t n = 0;
        rc = db_list(s, audit_row_read, NULL, sizeof(struct sr_audit_row), limit, &rows, &n);
        if (rc != SR_OK)
                return rc;
        *ret_rows = rows;
        *ret_n = n;
        return SR_OK;
}
