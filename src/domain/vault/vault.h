#pragma once
/* Personal data at rest (DATA-2). The vault turns the key hierarchy into
 * field encryption: master key → account data key → subject key, field
 * ciphertext bound to account ‖ table ‖ column ‖ row ‖ key version, and
 * blind indexes under a per-account index key. Erasing a person is
 * shredding their subject key (PRIV-3). */
#include <stddef.h>

#include "crypto/secret.h"
#include "store/store.h"

struct sr_vault;

/* The vault keeps `master` on success (then sr_vault_free frees it; on
 * failure it stays the caller's) and borrows st. */
SR_NODISCARD enum sr_rc sr_vault_new(struct sr_store *st, struct sr_secret *master,
                                     struct sr_vault **ret);
void sr_vault_free(struct sr_vault *v);
/* Drops this node's cached keys of owner_id (erased on another node), or
 * every cached key (cluster messages may have been lost). */
void sr_vault_forget_owner(struct sr_vault *v, const char *owner_id);
void sr_vault_forget_all(struct sr_vault *v);

/* Creates and stores a new account data key. */
SR_NODISCARD enum sr_rc sr_vault_account_create(struct sr_vault *v, enum sr_region r,
                                                const char *account_id);
/* Creates and stores a new key for a data subject of the account. */
SR_NODISCARD enum sr_rc sr_vault_subject_create(struct sr_vault *v, enum sr_region r,
                                                const char *account_id, const char *subject_id);
/* Destroys the subject key: every ciphertext under it is unreadable. */
SR_NODISCARD enum sr_rc sr_vault_subject_shred(struct sr_vault *v, enum sr_region r,
                                               const char *account_id, const char *subject_id);

/* Key for sealing. subject_id NULL means the account data key itself
 * (account-level data such as the company name). Caller frees. */
SR_NODISCARD enum sr_rc sr_vault_key(struct sr_vault *v, enum sr_region r, const char *account_id,
                                     const char *subject_id, struct sr_secret **ret_key);

/* Field position: the associated data every ciphertext is bound to. */
struct sr_field {
        const char *account_id;
        const char *table;
        const char *column;
        const char *row_id;
};

/* Seals len bytes of pt; an empty or NULL value gives an empty blob. */
SR_NODISCARD enum sr_rc sr_vault_seal(const struct sr_secret *key, const struct sr_field *f,
                                      const char *pt, size_t len, struct sr_blob *ret);
/* Opens a field; an empty blob gives *ret = NULL. *ret is sr_malloc'd. */
SR_NODISCARD enum sr_rc sr_vault_open(const struct sr_secret *key, const struct sr_field *f,
                                      const struct sr_blob *ct, char **ret);

/* Blind index of a normalised value under the account's index key. */
SR_NODISCARD enum sr_rc sr_vault_index(struct sr_vault *v, enum sr_region r,
                                       const char *account_id, const char *kind,
                                       const char *value, unsigned char ret[SR_BI_LEN]);
/* A purpose key derived from the master key (audit MAC, audit signing,
 * CSRF). context is 8 chars. Caller frees. */
SR_NODISCARD enum sr_rc sr_vault_purpose_key(struct sr_vault *v, const char context[8],
                                             struct sr_secret **ret);
