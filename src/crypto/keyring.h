#pragma once
/* The key hierarchy of DESIGN.md: a master key (file, 32 bytes) wraps one
 * data key per account; each account data key wraps one key per data
 * subject. Purpose keys (blind index, audit MAC, audit signing, CSRF) are
 * derived with crypto_kdf so one leaked purpose key reveals no other.
 * Wrapping is sr_aead_seal with the owner's id as associated data.
 * Long-lived keys live in sodium_malloc'd, locked memory. */
#include <stddef.h>

#include "crypto/secret.h"
#include "util/rc.h"

#define SR_KEY_BYTES 32

/* Creates a new master key file (mode 0600, O_EXCL). */
SR_NODISCARD enum sr_rc sr_keyring_master_create(const char *path);
/* Loads a master key file; refuses files readable by group/others. */
SR_NODISCARD enum sr_rc sr_keyring_master_load(const char *path,
                                               struct sr_secret **ret_master);

/* Wraps a fresh random key under `wrapping` with `owner_id` as AD.
 * *ret_key is the clear key (secret), *ret_wrapped is sr_malloc'd. */
SR_NODISCARD enum sr_rc sr_keyring_new_wrapped(const struct sr_secret *wrapping,
                                               const char *owner_id,
                                               struct sr_secret **ret_key,
                                               unsigned char **ret_wrapped,
                                               size_t *ret_wrapped_len);
/* Unwraps a key made by sr_keyring_new_wrapped. */
SR_NODISCARD enum sr_rc sr_keyring_unwrap(const struct sr_secret *wrapping,
                                          const char *owner_id,
                                          const unsigned char *wrapped,
                                          size_t wrapped_len,
                                          struct sr_secret **ret_key);
/* Derives a purpose subkey (32 bytes) from parent. context is exactly
 * 8 chars ("blindidx", "auditmac", "auditsig", "csrf____"). */
SR_NODISCARD enum sr_rc sr_keyring_derive(const struct sr_secret *parent,
                                          const char context[8], unsigned long long subkey_id,
                                          struct sr_secret **ret_subkey);
