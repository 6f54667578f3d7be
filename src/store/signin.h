#pragma once
/* Store functions of sign-in hardening (AUTH-3, AUTH-8, ACC-6): lock
 * state of users and devices, the per-account sign-in settings, known
 * devices, TOTP enrolments, recovery codes, second-factor challenges and
 * blocking. Only hashes of device ids, recovery codes and challenges are
 * stored; the TOTP secret is ciphertext (sealed by the vault). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define SR_HASH_LEN 32

/* ---- lock state (AUTH-3) ---- */
struct sr_lock_row {
        int64_t failed_count;
        int64_t locked_until; /* 0 = not locked */
};
/* Inside tx (so the read and the following write are one atomic step):
 * the user's lock state. SR_E_NOT_FOUND when there is no such user. */
SR_NODISCARD enum sr_rc sr_store_user_lock_get_tx(struct sr_tx *tx, const char *account_id,
                                                  const char *user_id, struct sr_lock_row *ret);
SR_NODISCARD enum sr_rc sr_store_user_lock_set_tx(struct sr_tx *tx, const char *account_id,
                                                  const char *user_id,
                                                  const struct sr_lock_row *row);
/* Read outside a transaction (for display and tests). */
SR_NODISCARD enum sr_rc sr_store_user_lock_get(struct sr_store *st, enum sr_region r,
                                               const char *account_id, const char *user_id,
                                               struct sr_lock_row *ret);

/* ---- known devices (AUTH-3 exemption) ---- */
/* Inside tx: the device's own lock state; SR_E_NOT_FOUND when the device
 * is not known for this user. */
SR_NODISCARD enum sr_rc sr_store_device_lock_get_tx(struct sr_tx *tx, const char *account_id,
                                                    const char *user_id,
                                                    const unsigned char hash[SR_HASH_LEN],
                                                    struct sr_lock_row *ret);
SR_NODISCARD enum sr_rc sr_store_device_lock_set_tx(struct sr_tx *tx, const char *account_id,
                                                    const char *user_id,
                                                    const unsigned char hash[SR_HASH_LEN],
                                                    const struct sr_lock_row *row);
/* Inserts the device, or refreshes last_seen_at and clears its lock. */
SR_NODISCARD enum sr_rc sr_store_device_upsert_tx(struct sr_tx *tx, const char *account_id,
                                                  const char *user_id,
                                                  const unsigned char hash[SR_HASH_LEN],
                                                  int64_t now);
SR_NODISCARD enum sr_rc sr_store_device_delete_user_tx(struct sr_tx *tx, const char *account_id,
                                                       const char *user_id);

/* ---- per-account sign-in settings ---- */
struct sr_signin_settings {
        int64_t lockout_threshold;
        int64_t lockout_period_s;
        bool require_second_factor;
};
SR_NODISCARD enum sr_rc sr_store_signin_settings_get(struct sr_store *st, enum sr_region r,
                                                     const char *account_id,
                                                     struct sr_signin_settings *ret);
SR_NODISCARD enum sr_rc sr_store_signin_settings_set_tx(struct sr_tx *tx, const char *account_id,
                                                        const struct sr_signin_settings *s);

/* ---- blocking (ACC-6) ---- */
/* Sets users.state ("active", "blocked"); SR_E_NOT_FOUND for no such user. */
SR_NODISCARD enum sr_rc sr_store_user_set_state_tx(struct sr_tx *tx, const char *account_id,
                                                   const char *user_id, const char *state);
/* Bumps every user's session epoch and deletes every session of the
 * account. */
SR_NODISCARD enum sr_rc sr_store_account_revoke_all_tx(struct sr_tx *tx, const char *account_id);
/* Directory state of an account ("active", "blocked"). */
SR_NODISCARD enum sr_rc sr_store_dir_set_state(struct sr_store *st, const char *account_id,
                                               const char *state);

/* ---- TOTP (AUTH-8) ---- */
struct sr_totp_row {
        struct sr_blob secret_ct; /* base32 text sealed under the subject key */
        bool confirmed;
        int64_t last_step; /* last accepted time step (replay guard) */
        int64_t created_at;
};
void sr_totp_row_fini(struct sr_totp_row *t);
SR_NODISCARD enum sr_rc sr_store_totp_get(struct sr_store *st, enum sr_region r,
                                          const char *account_id, const char *user_id,
                                          struct sr_totp_row *ret);
/* Replaces the user's enrolment with a new, unconfirmed one. */
SR_NODISCARD enum sr_rc sr_store_totp_put_tx(struct sr_tx *tx, const char *account_id,
                                             const char *user_id, const struct sr_totp_row *t);
/* Accepts time step `step`: sets last_step (and confirmed when confirm)
 * only when step > last_step; SR_E_CONFLICT for a replayed step,
 * SR_E_NOT_FOUND without an enrolment. */
SR_NODISCARD enum sr_rc sr_store_totp_accept_tx(struct sr_tx *tx, const char *account_id,
                                                const char *user_id, int64_t step, bool confirm);
SR_NODISCARD enum sr_rc sr_store_totp_delete_tx(struct sr_tx *tx, const char *account_id,
                                                const char *user_id);

/* ---- recovery codes (hashes only) ---- */
/* Deletes the user's codes and stores n new hashes. */
SR_NODISCARD enum sr_rc sr_store_recovery_replace_tx(struct sr_tx *tx, const char *account_id,
                                                     const char *user_id,
                                                     const unsigned char (*hashes)[SR_HASH_LEN],
                                                     size_t n, int64_t now);
/* Marks an unused code used; SR_E_NOT_FOUND when there is none. */
SR_NODISCARD enum sr_rc sr_store_recovery_use_tx(struct sr_tx *tx, const char *account_id,
                                                 const char *user_id,
                                                 const unsigned char hash[SR_HASH_LEN],
                                                 int64_t now);
SR_NODISCARD enum sr_rc sr_store_recovery_delete_tx(struct sr_tx *tx, const char *account_id,
                                                    const char *user_id);

/* ---- second-factor challenges (hash only; not a session) ---- */
struct sr_challenge_row {
        char id[SR_ID_LEN + 1];
        char account_id[SR_ID_LEN + 1];
        char user_id[SR_ID_LEN + 1];
        unsigned char hash[SR_HASH_LEN];
        int64_t tries;
        int64_t expires_at, created_at;
};
SR_NODISCARD enum sr_rc sr_store_challenge_insert_tx(struct sr_tx *tx,
                                                     const struct sr_challenge_row *c);
/* Inside tx: counts one try of a live challenge (not expired at now,
 * fewer than max_tries so far) and returns it; SR_E_NOT_FOUND when the
 * challenge is unknown, expired or used up. */
SR_NODISCARD enum sr_rc sr_store_challenge_try_tx(struct sr_tx *tx,
                                                  const unsigned char hash[SR_HASH_LEN],
                                                  int64_t now, int64_t max_tries,
                                                  struct sr_challenge_row *ret);
SR_NODISCARD enum sr_rc sr_store_challenge_delete_tx(struct sr_tx *tx, const char *account_id,
                                                     const char *id);
SR_NODISCARD enum sr_rc sr_store_challenge_delete_user_tx(struct sr_tx *tx,
                                                          const char *account_id,
                                                          const char *user_id);
