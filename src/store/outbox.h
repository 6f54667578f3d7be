#pragma once
/* Store: the mail outbox (AUTH-6, AUTH-9, AUTH-3 notices). Each row holds
 * one queued message. Everything personal or secret
 * (recipient address, link, time) is in payload_ct, sealed by the domain
 * under the recipient's subject key; the clear columns are ids, a kind
 * name, counters and times. Delivered rows are deleted (secure_delete). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define SR_OUTBOX_KIND_MAX 32

struct sr_outbox_row {
        char id[SR_ID_LEN + 1];
        char account_id[SR_ID_LEN + 1];
        char subject_id[SR_ID_LEN + 1];
        char kind[SR_OUTBOX_KIND_MAX];
        struct sr_blob payload_ct;
        int64_t attempts;
        int64_t next_attempt_at;
        int64_t created_at;
        bool failed;
};
void sr_outbox_row_fini(struct sr_outbox_row *o);
/* Frees an array from sr_store_outbox_due; accepts NULL. */
void sr_outbox_rows_free(struct sr_outbox_row *rows, size_t n);

SR_NODISCARD enum sr_rc sr_store_outbox_insert(struct sr_tx *tx, const struct sr_outbox_row *o);
/* Up to limit rows of region r that are not failed and due at `now`, the
 * oldest due first. *ret_rows is sr_malloc'd (sr_outbox_rows_free). */
SR_NODISCARD enum sr_rc sr_store_outbox_due(struct sr_store *st, enum sr_region r, int64_t now,
                                            unsigned limit, struct sr_outbox_row **ret_rows,
                                            size_t *ret_n);
/* Takes a due row for this node: moves its due time from due_at to
 * lease_until unless another node did first (then *ret_taken is false). */
SR_NODISCARD enum sr_rc sr_store_outbox_claim(struct sr_tx *tx, const char *account_id,
                                              const char *id, int64_t due_at,
                                              int64_t lease_until, bool *ret_taken);
/* Removes a delivered (or undeliverable) row, if it is still due at due_at
 * (the time it was read or claimed with: a row another node has claimed
 * since is left alone). */
SR_NODISCARD enum sr_rc sr_store_outbox_delete(struct sr_tx *tx, const char *account_id,
                                               const char *id, int64_t due_at);
/* Records an attempt on a row still due at due_at: new attempt count, next
 * due time, and whether delivery has been given up (the row stays, marked
 * failed). */
SR_NODISCARD enum sr_rc sr_store_outbox_retry(struct sr_tx *tx, const char *account_id,
                                              const char *id, int64_t due_at, int64_t attempts,
                                              int64_t next_attempt_at, bool failed);
/* Number of rows of an account (pending and failed), for tests and attest. */
SR_NODISCARD enum sr_rc sr_store_outbox_count(struct sr_store *st, enum sr_region r,
                                              const char *account_id, int64_t *ret_n);
