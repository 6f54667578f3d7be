#pragma once
/* Store: per-account password policies, password history, pending e-mail
 * changes and the per-user activity view over audit events (AUTH-2,
 * AUTH-5, AUTH-9). Same rules as store.h: constant SQL, bound parameters,
 * account_id on every row and in every read of customer data (the token
 * look-up of a pending e-mail change, like a session's, comes first). */
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

/* ---- password policies ---- */
struct sr_pw_policy_row {
        char account_id[SR_ID_LEN + 1];
        char preset[16];
        int64_t min_length;
        bool require_upper, require_lower, require_digit, require_symbol;
        int64_t history_count;
        int64_t max_age_days;
        bool must_change_initial, use_blocklist;
        int64_t min_zxcvbn_score;
        int64_t updated_at;
};
/* SR_E_NOT_FOUND when the account never changed its policy. */
SR_NODISCARD enum sr_rc sr_store_pw_policy_get(struct sr_store *st, enum sr_region r,
                                               const char *account_id,
                                               struct sr_pw_policy_row *ret);
/* Inserts or replaces the account's policy. */
SR_NODISCARD enum sr_rc sr_store_pw_policy_put(struct sr_tx *tx, const struct sr_pw_policy_row *p);

/* ---- password history (earlier hashes of a user) ---- */
struct sr_pw_history_row {
        char pw_hash[160];
        int64_t created_at;
};
/* Up to max entries, newest first, into ret; *ret_n is how many. */
SR_NODISCARD enum sr_rc sr_store_pw_history_list(struct sr_store *st, enum sr_region r,
                                                 const char *account_id, const char *user_id,
                                                 struct sr_pw_history_row *ret, size_t max,
                                                 size_t *ret_n);
SR_NODISCARD enum sr_rc sr_store_pw_history_add(struct sr_tx *tx, const char *id,
                                                const char *account_id, const char *user_id,
                                                const char *pw_hash, int64_t created_at);
/* Keeps only the newest `keep` entries of the user (0 deletes all). */
SR_NODISCARD enum sr_rc sr_store_pw_history_prune(struct sr_tx *tx, const char *account_id,
                                                  const char *user_id, unsigned keep);

/* ---- pending e-mail changes (one per user) ---- */
struct sr_email_change_row {
        char id[SR_ID_LEN + 1];
        char account_id[SR_ID_LEN + 1];
        char user_id[SR_ID_LEN + 1];
        struct sr_blob email_ct; /* sealed under the user's key */
        unsigned char token_hash[32];
        int64_t created_at, expires_at;
};
void sr_email_change_row_fini(struct sr_email_change_row *c);
/* Replaces any pending change of the same user. */
SR_NODISCARD enum sr_rc sr_store_email_change_put(struct sr_tx *tx,
                                                  const struct sr_email_change_row *c);
SR_NODISCARD enum sr_rc sr_store_email_change_find(struct sr_store *st, enum sr_region r,
                                                   const unsigned char token_hash[32],
                                                   struct sr_email_change_row *ret);
/* SR_E_NOT_FOUND when that change is gone (used concurrently). */
SR_NODISCARD enum sr_rc sr_store_email_change_delete(struct sr_tx *tx, const char *account_id,
                                                     const char *id);
SR_NODISCARD enum sr_rc sr_store_email_change_delete_user(struct sr_tx *tx,
                                                          const char *account_id,
                                                          const char *user_id);
/* True when the user has a pending change. */
SR_NODISCARD enum sr_rc sr_store_email_change_pending(struct sr_store *st, enum sr_region r,
                                                      const char *account_id,
                                                      const char *user_id, int64_t now,
                                                      bool *ret_pending);

/* ---- activity: audit events where the user is actor or target ---- */
/* Newest first, seq < before_seq (0 = from the newest), up to limit.
 * *ret_rows is sr_malloc'd (sr_free). */
SR_NODISCARD enum sr_rc sr_store_audit_list_user(struct sr_store *st, enum sr_region r,
                                                 const char *account_id, const char *user_id,
                                                 int64_t before_seq, unsigned limit,
                                                 struct sr_audit_row **ret_rows, size_t *ret_n);
