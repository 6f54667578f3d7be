#pragma once
/* The keyed audit chain (OPS-1). Every state change appends an event in
 * the same transaction as the change: who, what, which target ids, when,
 * from where (truncated prefix), outcome; ids only, never personal data.
 *   mac_n = HMAC-SHA-256(audit_key, mac_{n-1} ‖ canonical(event_n))
 * with a length-prefixed canonical encoding and an audit key derived from
 * the master key, so write access to the database is not enough to rebuild
 * the chain. After every append the account's checkpoint (seq, mac) is
 * re-signed with Ed25519, so cutting the tail is detected too. */
#include <stdint.h>

#include "domain/vault/vault.h"
#include "store/store.h"

struct sr_audit;

/* Derives the MAC and signing keys from the vault's master key. */
SR_NODISCARD enum sr_rc sr_audit_new(struct sr_vault *v, struct sr_audit **ret);
void sr_audit_free(struct sr_audit *a);

struct sr_audit_event {
        const char *actor_id;    /* NULL for system */
        const char *actor_type;  /* user, api_key, operator, system */
        const char *action;      /* operationId or domain verb */
        const char *target_type; /* user, account, session, settings… */
        const char *target_id;
        const char *outcome;     /* success, failure, denied */
        const char *client_ip_prefix;
        const char *request_id;
};

/* Appends inside tx (which must be in the account's region). */
SR_NODISCARD enum sr_rc sr_audit_append(struct sr_audit *a, struct sr_tx *tx,
                                        const char *account_id, const struct sr_audit_event *e);

/* Verifies one account's chain against its signed checkpoint. On failure
 * returns SR_E_CONFLICT and writes a one-line reason naming the first bad
 * event (seq and id) into why. */
SR_NODISCARD enum sr_rc sr_audit_verify_account(struct sr_audit *a, struct sr_store *st,
                                                enum sr_region r, const char *account_id,
                                                int64_t *ret_events, char *why,
                                                size_t why_len);

/* Newest first, seq < before_seq (0 = from the newest). Rows sr_malloc'd. */
SR_NODISCARD enum sr_rc sr_audit_list(struct sr_store *st, enum sr_region r,
                                      const char *account_id, int64_t before_seq, unsigned limit,
                                      struct sr_audit_row **ret_rows, size_t *ret_n);
