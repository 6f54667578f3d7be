/* Sign-in hardening rows (AUTH-3, ACC-6): lock state of users and known
 * devices, per-account sign-in settings, user and account blocking.
 * Lock state is read and written inside the caller's BEGIN IMMEDIATE
 * transaction, so a reservation is one atomic step across threads. Device
 * ids are stored only as SHA-256 hashes. */
#include <string.h>

#include "store/signin.h"
#include "store/db.h"

static enum sr_rc
lock_read(struct db_stmt *s, void *row)
{
        struct sr_lock_row l = {db_col_int(s, 0), db_col_int(s, 1)};
        *(struct sr_lock_row *)row = l;
        return SR_OK;
}

enum sr_rc
sr_store_user_lock_get_tx(struct sr_tx *tx, const char *account_id, const char *user_id,
                          struct sr_lock_row *ret)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "SELECT failed_count, locked_until FROM users"
                                   " WHERE id = ? AND account_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, user_id);
        db_bind_text(s, 2, account_id);
        return db_one(s, lock_read, ret);
}

enum sr_rc
sr_store_user_lock_get(struct sr_store *st, enum sr_region r, const char *account_id,
                       const char *user_id, struct sr_lock_row *ret)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT failed_count, locked_until FROM users"
                                   " WHERE account_id = ? AND id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, user_id);
        return db_one(s, lock_read, ret);
}

enum sr_rc
sr_store_user_lock_set_tx(struct sr_tx *tx, const char *account_id, const char *user_id,
                          const struct sr_lock_row *row)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "UPDATE users SET failed_count = ?, locked_until = ?"
                                   " WHERE id = ? AND account_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_int(s, 1, row->failed_count);
        db_bind_int(s, 2, row->locked_until);
        db_bind_text(s, 3, user_id);
        db_bind_text(s, 4, account_id);
        return db_exec_changed(s);
}

enum sr_rc
sr_store_device_lock_get_tx(struct sr_tx *tx, const char *account_id, const char *user_id,
                            const unsigned char hash[SR_HASH_LEN], struct sr_lock_row *ret)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "SELECT failed_count, locked_until FROM devices"
                                   " WHERE account_id = ? AND user_id = ? AND device_hash = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, user_id);
        db_bind_raw(s, 3, hash, SR_HASH_LEN);
        return db_one(s, lock_read, ret);
}

enum sr_rc
sr_store_device_lock_set_tx(struct sr_tx *tx, const char *account_id, const char *user_id,
                            const unsigned char hash[SR_HASH_LEN], const struct sr_lock_row *row)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "UPDATE devices SET failed_count = ?, locked_until = ?"
                                   " WHERE account_id = ? AND user_id = ? AND device_hash = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_int(s, 1, row->failed_count);
        db_bind_int(s, 2, row->locked_until);
        db_bind_text(s, 3, account_id);
        db_bind_text(s, 4, user_id);
        db_bind_raw(s, 5, hash, SR_HASH_LEN);
        return db_exec_changed(s);
}

enum sr_rc
sr_store_device_upsert_tx(struct sr_tx *tx, const char *account_id, const char *user_id,
                          const unsigned char hash[SR_HASH_LEN], int64_t now)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "INSERT INTO devices (account_id, user_id, device_hash,"
                                   " created_at, last_seen_at, failed_count, locked_until)"
                                   " VALUES (?1, ?2, ?3, ?4, ?4, 0, 0)"
                                   " ON CONFLICT (account_id, user_id, device_hash) DO UPDATE"
                                   " SET last_seen_at = ?4, failed_count = 0, locked_until = 0",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, user_id);
        db_bind_raw(s, 3, hash, SR_HASH_LEN);
        db_bind_int(s, 4, now);
        return db_exec(s);
}

enum sr_rc
sr_store_device_delete_user_tx(struct sr_tx *tx, const char *account_id, const char *user_id)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx, "DELETE FROM devices WHERE account_id = ? AND user_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, user_id);
        return db_exec(s);
}

static enum sr_rc
settings_read(struct db_stmt *s, void *row)
{
        struct sr_signin_settings v = {db_col_int(s, 0), db_col_int(s, 1),
                                       (int)db_col_int(s, 2) != 0};
        *(struct sr_signin_settings *)row = v;
        return SR_OK;
}

enum sr_rc
sr_store_signin_settings_get(struct sr_store *st, enum sr_region r, const char *account_id,
                             struct sr_signin_settings *ret)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT lockout_threshold, lockout_period_s,"
                                   " require_second_factor FROM accounts WHERE account_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        return db_one(s, settings_read, ret);
}

enum sr_rc
sr_store_signin_settings_set_tx(struct sr_tx *tx, const char *account_id,
                                const struct sr_signin_settings *v)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "UPDATE accounts SET lockout_threshold = ?,"
                                   " lockout_period_s = ?, require_second_factor = ?"
                                   " WHERE account_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_int(s, 1, v->lockout_threshold);
        db_bind_int(s, 2, v->lockout_period_s);
        db_bind_int(s, 3, v->require_second_factor);
        db_bind_text(s, 4, account_id);
        return db_exec_changed(s);
}

enum sr_rc
sr_store_user_set_state_tx(struct sr_tx *tx, const char *account_id, const char *user_id,
                           const char *state)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx, "UPDATE users SET state = ? WHERE id = ? AND account_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, state);
        db_bind_text(s, 2, user_id);
        db_bind_text(s, 3, account_id);
        return db_exec_changed(s);
}

enum sr_rc
sr_store_account_revoke_all_tx(struct sr_tx *tx, const char *account_id)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "UPDATE users SET session_epoch = session_epoch + 1"
                                   " WHERE account_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        rc = db_exec(s);
        if (rc == SR_OK)
                rc = db_tx_stmt(tx, "DELETE FROM sessions WHERE account_id = ?", &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        return db_exec(s);
}

enum sr_rc
sr_store_dir_set_state(struct sr_store *st, const char *account_id, const char *state)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DIRECTORY, SR_REGION_US,
                                   "UPDATE accounts SET state = ? WHERE id = ?", &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, state);
        db_bind_text(s, 2, account_id);
        return db_exec_changed(s);
}
