/* Account rows in the region store: encrypted company and sign-up facts
 * (AUTH-10) and the per-account session limits (AUTH-7). */
#include <string.h>

#include "store/db.h"

void
sr_account_row_fini(struct sr_account_row *a)
{
        sr_blob_fini(&a->company_ct);
        sr_blob_fini(&a->signup_ip_ct);
        sr_blob_fini(&a->signup_browser_ct);
        sr_blob_fini(&a->signup_os_ct);
}

enum sr_rc
sr_store_account_insert(struct sr_tx *tx, const struct sr_account_row *a)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(
                tx,
                "INSERT INTO accounts (id, account_id, company_ct, country, signup_user_id,"
                " signup_ip_prefix, signup_ip_ct, signup_browser_ct, signup_os_ct,"
                " idle_timeout_s, max_lifetime_s, created_at)"
                " VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, a->id);
        db_bind_blob(s, 2, &a->company_ct);
        db_bind_text(s, 3, a->country);
        db_bind_text(s, 4, a->signup_user_id);
        db_bind_text(s, 5, a->signup_ip_prefix);
        db_bind_blob(s, 6, &a->signup_ip_ct);
        db_bind_blob(s, 7, &a->signup_browser_ct);
        db_bind_blob(s, 8, &a->signup_os_ct);
        db_bind_int(s, 9, a->idle_timeout_s);
        db_bind_int(s, 10, a->max_lifetime_s);
        db_bind_int(s, 11, a->created_at);
        return db_exec(s);
}

static enum sr_rc
account_read(struct db_stmt *s, void *row)
{
        struct sr_account_row a;
        memset(&a, 0, sizeof(a));
        db_col_text(s, 0, a.id, sizeof(a.id));
        db_col_text(s, 2, a.country, sizeof(a.country));
        db_col_text(s, 3, a.signup_user_id, sizeof(a.signup_user_id));
        db_col_text(s, 4, a.signup_ip_prefix, sizeof(a.signup_ip_prefix));
        a.idle_timeout_s = db_col_int(s, 8);
        a.max_lifetime_s = db_col_int(s, 9);
        a.created_at = db_col_int(s, 10);
        enum sr_rc rc = db_col_blob(s, 1, &a.company_ct);
        if (rc == SR_OK)
                rc = db_col_blob(s, 5, &a.signup_ip_ct);
        if (rc == SR_OK)
                rc = db_col_blob(s, 6, &a.signup_browser_ct);
        if (rc == SR_OK)
                rc = db_col_blob(s, 7, &a.signup_os_ct);
        if (rc != SR_OK) {
                sr_account_row_fini(&a);
                return rc;
        }
        *(struct sr_account_row *)row = a;
        return SR_OK;
}

enum sr_rc
sr_store_account_get(struct sr_store *st, enum sr_region r, const char *account_id,
                     struct sr_account_row *ret)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT id, company_ct, country, signup_user_id,"
                                   " signup_ip_prefix, signup_ip_ct, signup_browser_ct,"
                                   " signup_os_ct, idle_timeout_s, max_lifetime_s, created_at"
                                   " FROM accounts WHERE account_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        return db_one(s, account_read, ret);
}

enum sr_rc
sr_store_account_set_session_limits(struct sr_tx *tx, const char *account_id,
                                    int64_t idle_timeout_s, int64_t max_lifetime_s)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "UPDATE accounts SET idle_timeout_s = ?, max_lifetime_s = ?"
                                   " WHERE account_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_int(s, 1, idle_timeout_s);
        db_bind_int(s, 2, max_lifetime_s);
        db_bind_text(s, 3, account_id);
        return db_exec_changed(s);
}
