#pragma once
/* Normalisation before blind indexing and storage (CONTRACTS.md): e-mail
 * trimmed, NFC, lower-cased; phone E.164 only; username ASCII lower-case
 * [a-z0-9._-]{1,64}; passwords NFC, at most 1024 bytes. Each function
 * writes an sr_malloc'd result the caller frees. */
#include <stddef.h>

#include "crypto/secret.h"
#include "util/rc.h"

#define SR_PASSWORD_MAX_BYTES 1024

enum sr_ident_kind { SR_IDENT_USERNAME, SR_IDENT_EMAIL, SR_IDENT_PHONE };

/* SR_E_VALIDATION when not a valid username. */
SR_NODISCARD enum sr_rc sr_norm_username(const char *in, char **ret);
/* SR_E_VALIDATION when not an address. */
SR_NODISCARD enum sr_rc sr_norm_email(const char *in, char **ret);
/* SR_E_INVALID_PHONE when not E.164. */
SR_NODISCARD enum sr_rc sr_norm_phone(const char *in, char **ret);
/* Which kind a sign-in identifier is, by its syntax. */
enum sr_ident_kind sr_norm_ident_kind(const char *in);
/* NFC-normalises a password into a new secret. SR_E_PASSWORD_POLICY when
 * longer than 1024 bytes, SR_E_VALIDATION when not UTF-8. */
SR_NODISCARD enum sr_rc sr_norm_password(const char *in, size_t len, struct sr_secret **ret);
/* Number of Unicode code points in valid UTF-8 s. */
size_t sr_norm_codepoints(const unsigned char *s, size_t len);
