/* Password profiles per account and setting a password under them
 * (AUTH-2, AUTH-5). The profile row holds the rules; an account that never
 * chose one gets `nist`. Setting a password checks the rules first (cheap,
 * password.c), then the history — one verification per remembered hash,
 * so argon2id work that must run in the worker pool — and hashes it. The
 * history keeps only old hashes, never passwords, and only as many as the
 * profile asks for. This file does not write the new hash itself: the
 * caller does, in its own transaction, with sr_password_history_push_tx. */
#include "domain/identity/policy.h"

#include <stdio.h>
#include <string.h>

#include "crypto/token.h"
#include "domain/session/mfa.h"
#include "store/passwords.h"
#include "util/clock.h"

static void
from_row(const struct sr_pw_policy_row *r, struct sr_password_policy *p)
{
        enum sr_password_preset preset = SR_PW_PRESET_CUSTOM;
        if (sr_password_preset_parse(r->preset, &preset) != SR_OK)
                preset = SR_PW_PRESET_CUSTOM;
        *p = (struct sr_password_policy){.preset = preset,
                                         .min_length = (int)r->min_length,
                                         .require_upper = r->require_upper,
                                         .require_lower = r->require_lower,
                                         .require_digit = r->require_digit,
                                         .require_symbol = r->require_symbol,
                                         .history_count = (int)r->history_count,
                                         .max_age_days = (int)r->max_age_days,
                                         .must_change_initial = r->must_change_initial,
                                         .use_blocklist = r->use_blocklist,
                                         .min_zxcvbn_score = (int)r->min_zxcvbn_score};
}

enum sr_rc
sr_password_policy_get(struct sr_app *app, const struct sr_account_ref *acct,
                       struct sr_password_policy *ret)
{
        struct sr_pw_policy_row row;
        enum sr_rc rc = sr_store_pw_policy_get(app->st, acct->region, acct->id, &row);
        if (rc == SR_E_NOT_FOUND) {
                sr_password_policy_preset(SR_PW_PRESET_NIST, ret);
                return SR_OK;
        }
        if (rc != SR_OK)
                return rc;
        struct sr_password_policy p;
        from_row(&row, &p);
        /* A row that no longer validates (edited by hand) falls back to
         * the default rather than to something weaker. */
        if (sr_password_policy_validate(&p, NULL) != SR_OK)
                sr_password_policy_preset(SR_PW_PRESET_NIST, &p);
        *ret = p;
        return SR_OK;
}

enum sr_rc
sr_password_policy_set(struct sr_app *app, const struct sr_client *client,
                       const struct sr_actor *actor, const struct sr_account_ref *acct,
                       const struct sr_password_policy *in, const char **ret_field)
{
        enum sr_rc rc = sr_password_policy_validate(in, ret_field);
        if (rc != SR_OK)
                return rc;
        struct sr_pw_policy_row row = {.min_length = in->min_length,
                                       .require_upper = in->require_upper,
                                       .require_lower = in->require_lower,
                                       .require_digit = in->require_digit,
                                       .require_symbol = in->require_symbol,
                                       .history_count = in->history_count,
                                       .max_age_days = in->max_age_days,
                                       .must_change_initial = in->must_change_initial,
                                       .use_blocklist = in->use_blocklist,
                                       .min_zxcvbn_score = in->min_zxcvbn_score,
                                       .updated_at = sr_clock_now()};
        snprintf(row.account_id, sizeof(row.account_id), "%s", acct->id);
        snprintf(row.preset, sizeof(row.preset), "%s", sr_password_preset_name(in->preset));
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        rc = sr_store_begin(app->st, acct->region, &tx);
        if (rc == SR_OK)
                rc = sr_store_pw_policy_put(tx, &row);
        struct sr_audit_event ev = {sr_actor_id(actor), sr_actor_type(app, actor),
                                    "updatePasswordPolicy", "account", acct->id, "success",
                                    client->ip_prefix, client->request_id};
        if (rc == SR_OK)
                rc = sr_audit_append(app->audit, tx, acct->id, &ev);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        return rc;
}

enum sr_rc
sr_password_has_second_factor(struct sr_app *app, const struct sr_account_ref *acct,
                              const char *user_id, bool *ret)
{
        /* AUTH-2: 800-63B lets a second factor lower nist's 15 to 8. */
        return sr_mfa_has_totp(app, acct, user_id, ret);
}

/* AUTH-2: is pw one of the user's last n passwords (current first)? */
static enum sr_rc
check_history(struct sr_app *app, const struct sr_account_ref *acct,
              const struct sr_user_row *row, int n, const struct sr_secret *pw)
{
        if (n <= 0)
                return SR_OK;
        enum sr_rc rc = sr_pwhash_verify(row->pw_hash, pw);
        if (rc == SR_OK)
                return SR_E_PASSWORD_POLICY;
        if (rc != SR_E_INVALID_CREDENTIALS)
                return rc;
        struct sr_pw_history_row earlier[SR_PASSWORD_HISTORY_MAX];
        size_t got = 0;
        rc = sr_store_pw_history_list(app->st, acct->region, acct->id, row->id, earlier,
                                      (size_t)(n - 1), &got);
        for (size_t i = 0; rc == SR_OK && i < got; i++) {
                rc = sr_pwhash_verify(earlier[i].pw_hash, pw);
                if (rc == SR_OK)
                        rc = SR_E_PASSWORD_POLICY;
                else if (rc == SR_E_INVALID_CREDENTIALS)
                        rc = SR_OK;
        }
        return rc;
}

enum sr_rc
sr_password_prepare(struct sr_app *app, const struct sr_account_ref *acct,
                    const struct sr_user_row *row, const struct sr_secret *pw,
                    char ret_hash[SR_PWHASH_STR_BYTES], const char **ret_reason)
{
        struct sr_password_policy policy;
        bool mfa = false;
        enum sr_rc rc = sr_password_policy_get(app, acct, &policy);
        if (rc == SR_OK && row != NULL)
                rc = sr_password_has_second_factor(app, acct, row->id, &mfa);
        if (rc == SR_OK)
                rc = sr_password_check(&policy, mfa, pw, ret_reason);
        if (rc == SR_OK && row != NULL) {
                rc = check_history(app, acct, row, policy.history_count, pw);
                if (rc == SR_E_PASSWORD_POLICY && ret_reason != NULL)
                        *ret_reason = "reused";
        }
        if (rc == SR_OK)
                rc = sr_pwhash_hash(pw, ret_hash);
        return rc;
}

enum sr_rc
sr_password_history_push_tx(struct sr_app *app, struct sr_tx *tx,
                            const struct sr_account_ref *acct, const char *user_id,
                            const char *old_hash)
{
        struct sr_password_policy policy;
        enum sr_rc rc = sr_password_policy_get(app, acct, &policy);
        if (rc != SR_OK)
                return rc;
        /* The current hash lives in the user row; the history holds the
         * history_count - 1 before it. */
        unsigned keep = policy.history_count > 1 ? (unsigned)policy.history_count - 1 : 0;
        if (keep > 0 && old_hash != NULL && old_hash[0] != '\0') {
                char id[SR_ID_LEN + 1];
                sr_id_new(id);
                rc = sr_store_pw_history_add(tx, id, acct->id, user_id, old_hash, sr_clock_now());
        }
        if (rc == SR_OK)
                rc = sr_store_pw_history_prune(tx, acct->id, user_id, keep);
        return rc;
}

enum sr_rc
sr_password_expiry_mark_tx(struct sr_app *app, struct sr_tx *tx,
                           const struct sr_account_ref *acct, struct sr_user_row *row)
{
        if (row->pw_must_change)
                return SR_OK;
        struct sr_password_policy policy;
        enum sr_rc rc = sr_password_policy_get(app, acct, &policy);
        if (rc != SR_OK)
                return rc;
        /* AUTH-2: an expired password signs in, but only to be changed. */
        if (!sr_password_expired(&policy, row->pw_changed_at, sr_clock_now()))
                return SR_OK;
        row->pw_must_change = true;
        return sr_store_user_update(tx, row);
}

enum sr_rc
sr_password_forget_user_tx(struct sr_tx *tx, const char *account_id, const char *user_id)
{
        enum sr_rc rc = sr_store_pw_history_prune(tx, account_id, user_id, 0);
        if (rc == SR_OK)
                rc = sr_store_email_change_delete_user(tx, account_id, user_id);
        return rc;
}
