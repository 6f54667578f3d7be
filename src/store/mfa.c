/* Second-factor rows (AUTH-8): the TOTP enrolment (secret as ciphertext,
 * the last accepted time step as replay guard), recovery codes and
 * sign-in challenges, both stored only as hashes. Accepting a step, using
 * a code and counting a challenge try are single conditional UPDATEs, so
 * two racing requests cannot both succeed. */
#include <string.h>

#include "store/signin.h"
#include "store/db.h"

void
sr_totp_row_fini(struct sr_totp_row *t)
{
        sr_blob_fini(&t->secret_ct);
}

static enum sr_rc
totp_read(struct db_stmt *s, void *row)
{
        struct sr_totp_row t;
        memset(&t, 0, sizeof(t));
        t.confirmed = (int)db_col_int(s, 1) != 0;
        t.last_step = db_col_int(s, 2);
        t.created_at = db_col_int(s, 3);
        enum sr_rc rc = db_col_blob(s, 0, &t.secret_ct);
        if (rc != SR_OK)
                return rc;
        *(struct sr_totp_row *)row = t;
        return SR_OK;
}

enum sr_rc
sr_store_totp_get(struct sr_store *st, enum sr_region r, const char *account_id,
                  const char *user_id, struct sr_totp_row *ret)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT secret_ct, confirmed, last_step, created_at FROM totp"
                                   " WHERE account_id = ? AND user_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, user_id);
        return db_one(s, totp_read, ret);
}

enum sr_rc
sr_store_totp_put_tx(struct sr_tx *tx, const char *account_id, const char *user_id,
                     const struct sr_totp_row *t)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "INSERT INTO totp (account_id, user_id, secret_ct, confirmed,"
                                   " last_step, created_at) VALUES (?, ?, ?, ?, ?, ?)"
                                   " ON CONFLICT (account_id, user_id) DO UPDATE SET"
                                   " secret_ct = excluded.secret_ct,"
                                   " confirmed = excluded.confirmed,"
                                   " last_step = excluded.last_step,"
                                   " created_at = excluded.created_at",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, user_id);
        db_bind_blob(s, 3, &t->secret_ct);
        db_bind_int(s, 4, t->confirmed);
        db_bind_int(s, 5, t->last_step);
        db_bind_int(s, 6, t->created_at);
        return db_exec(s);
}

enum sr_rc
sr_store_totp_accept_tx(struct sr_tx *tx, const char *account_id, const char *user_id,
                        int64_t step, bool confirm)
{
        struct db_stmt *s = NULL;
        /* CASE rather than the two-argument max(), which PostgreSQL lacks. */
        enum sr_rc rc = db_tx_stmt(tx,
                                   "UPDATE totp SET last_step = ?1,"
                                   " confirmed = CASE WHEN ?2 > confirmed THEN ?2"
                                   " ELSE confirmed END"
                                   " WHERE account_id = ?3 AND user_id = ?4 AND last_step < ?1",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_int(s, 1, step);
        db_bind_int(s, 2, confirm);
        db_bind_text(s, 3, account_id);
        db_bind_text(s, 4, user_id);
        int64_t n = 0;
        rc = db_exec_count(s, &n);
        if (rc == SR_OK && n == 0)
                return SR_E_CONFLICT; /* replayed (or no enrolment: the caller loaded it) */
        return rc;
}

enum sr_rc
sr_store_totp_delete_tx(struct sr_tx *tx, const char *account_id, const char *user_id)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx, "DELETE FROM totp WHERE account_id = ? AND user_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, user_id);
        return db_exec_changed(s);
}

enum sr_rc
sr_store_recovery_delete_tx(struct sr_tx *tx, const char *account_id, const char *user_id)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "DELETE FROM recovery_codes WHERE account_id = ? AND user_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, user_id);
        return db_exec(s);
}

enum sr_rc
sr_store_recovery_replace_tx(struct sr_tx *tx, const char *account_id, const char *user_id,
                             const unsigned char (*hashes)[SR_HASH_LEN], size_t n, int64_t now)
{
        enum sr_rc rc = sr_store_recovery_delete_tx(tx, account_id, user_id);
        struct db_stmt *s = NULL;
        for (size_t i = 0; rc == SR_OK && i < n; i++) {
                rc = db_tx_stmt(tx,
                                "INSERT INTO recovery_codes (account_id, user_id, code_hash,"
                                " created_at, used_at) VALUES (?, ?, ?, ?, NULL)",
                                &s);
                if (rc != SR_OK)
                        break;
                db_bind_text(s, 1, account_id);
                db_bind_text(s, 2, user_id);
                db_bind_raw(s, 3, hashes[i], SR_HASH_LEN);
                db_bind_int(s, 4, now);
                rc = db_exec(s);
        }
        return rc;
}

enum sr_rc
sr_store_recovery_use_tx(struct sr_tx *tx, const char *account_id, const char *user_id,
                         const unsigned char hash[SR_HASH_LEN], int64_t now)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "UPDATE recovery_codes SET used_at = ? WHERE account_id = ?"
                                   " AND user_id = ? AND code_hash = ? AND used_at IS NULL",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_int(s, 1, now);
        db_bind_text(s, 2, account_id);
        db_bind_text(s, 3, user_id);
        db_bind_raw(s, 4, hash, SR_HASH_LEN);
        return db_exec_changed(s);
}

enum sr_rc
sr_store_challenge_insert_tx(struct sr_tx *tx, const struct sr_challenge_row *c)
{
        struct db_stmt *s = NULL;
        /* Dead challenges go first; they are useless and carry ids. */
        enum sr_rc rc = db_tx_stmt(tx, "DELETE FROM signin_challenges WHERE expires_at <= ?", &s);
        if (rc != SR_OK)
                return rc;
        db_bind_int(s, 1, c->created_at);
        rc = db_exec(s);
        if (rc == SR_OK)
                rc = db_tx_stmt(tx,
                                "INSERT INTO signin_challenges (id, account_id, user_id,"
                                " challenge_hash, tries, expires_at, created_at)"
                                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                                &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, c->id);
        db_bind_text(s, 2, c->account_id);
        db_bind_text(s, 3, c->user_id);
        db_bind_raw(s, 4, c->hash, SR_HASH_LEN);
        db_bind_int(s, 5, c->tries);
        db_bind_int(s, 6, c->expires_at);
        db_bind_int(s, 7, c->created_at);
        return db_exec(s);
}

/* The challenge a try counted: challenge_hash is UNIQUE, so at most one. */
struct challenge_hit {
        struct sr_challenge_row row;
        bool found;
};

static enum sr_rc
challenge_take(struct db_stmt *s, void *arg)
{
        struct challenge_hit *h = arg;
        struct sr_challenge_row c;
        memset(&c, 0, sizeof(c));
        db_col_text(s, 0, c.id, sizeof(c.id));
        db_col_text(s, 1, c.account_id, sizeof(c.account_id));
        db_col_text(s, 2, c.user_id, sizeof(c.user_id));
        c.tries = db_col_int(s, 3);
        c.expires_at = db_col_int(s, 4);
        c.created_at = db_col_int(s, 5);
        h->row = c;
        h->found = true;
        return SR_OK;
}

enum sr_rc
sr_store_challenge_try_tx(struct sr_tx *tx, const unsigned char hash[SR_HASH_LEN], int64_t now,
                          int64_t max_tries, struct sr_challenge_row *ret)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "UPDATE signin_challenges SET tries = tries + 1"
                                   " WHERE challenge_hash = ? AND expires_at > ? AND tries < ?"
                                   " RETURNING id, account_id, user_id, tries, expires_at,"
                                   " created_at",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_raw(s, 1, hash, SR_HASH_LEN);
        db_bind_int(s, 2, now);
        db_bind_int(s, 3, max_tries);
        /* db_each steps to the end, so the UPDATE completes before the
         * reset. */
        struct challenge_hit hit;
        memset(&hit, 0, sizeof(hit));
        rc = db_each(s, challenge_take, &hit);
        if (rc != SR_OK)
                return rc;
        if (!hit.found)
                return SR_E_NOT_FOUND;
        memcpy(hit.row.hash, hash, SR_HASH_LEN);
        *ret = hit.row;
        return SR_OK;
}

enum sr_rc
sr_store_challenge_delete_tx(struct sr_tx *tx, const char *account_id, const char *id)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "DELETE FROM signin_challenges WHERE id = ? AND account_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, id);
        db_bind_text(s, 2, account_id);
        return db_exec(s);
}

enum sr_rc
sr_store_challenge_delete_user_tx(struct sr_tx *tx, const char *account_id, const char *user_id)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "DELETE FROM signin_challenges WHERE account_id = ?"
                                   " AND user_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, user_id);
        return db_exec(s);
}
