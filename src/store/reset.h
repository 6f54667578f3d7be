#pragma once
/* Store: password-reset tokens (AUTH-6). A row holds only the SHA-256 of
 * its token; a token is found by its hash alone, and single use is an
 * atomic conditional update. */
#include <stdint.h>

#include "store/store.h"

struct sr_reset_row {
        char id[SR_ID_LEN + 1];
        char account_id[SR_ID_LEN + 1];
        char user_id[SR_ID_LEN + 1];
        unsigned char token_hash[32];
        int64_t expires_at;
        int64_t used_at; /* 0 = unused */
        int64_t created_at;
};

SR_NODISCARD enum sr_rc sr_store_reset_insert(struct sr_tx *tx, const struct sr_reset_row *t);
/* Finds a token by its hash in region r; SR_E_NOT_FOUND otherwise. */
SR_NODISCARD enum sr_rc sr_store_reset_find(struct sr_store *st, enum sr_region r,
                                            const unsigned char token_hash[32],
                                            struct sr_reset_row *ret);
/* Tokens of the user that are unused and unexpired at `now`. */
SR_NODISCARD enum sr_rc sr_store_reset_count_pending(struct sr_tx *tx, const char *account_id,
                                                     const char *user_id, int64_t now,
                                                     int64_t *ret_n);
/* Marks the token used if it is still unused and unexpired at `now`;
 * SR_E_NOT_FOUND when it was not (already used, expired, gone), so two
 * racing uses cannot both succeed. */
SR_NODISCARD enum sr_rc sr_store_reset_use(struct sr_tx *tx, const char *account_id,
                                           const char *id, int64_t now);
/* Marks every other unused token of the user used (after a reset). */
SR_NODISCARD enum sr_rc sr_store_reset_use_all(struct sr_tx *tx, const char *account_id,
                                               const char *user_id, int64_t now);
/* Deletes the user's tokens that expired before `before` (housekeeping,
 * bounded by the per-user index). */
SR_NODISCARD enum sr_rc sr_store_reset_purge_user(struct sr_tx *tx, const char *account_id,
                                                  const char *user_id, int64_t before);
