#pragma once
/* Mail texts and message rendering (AUTH-6, AUTH-9). Pure functions: no
 * store, no network, so unit tests cover them with the clock. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/mail/mail.h"
#include "util/buf.h"

#define SR_MAIL_DEFAULT_FROM "Strongroom <no-reply@localhost>"

/* The stable name stored in outbox.kind ("password_reset"), or NULL. */
const char *sr_mail_kind_name(enum sr_mail_kind kind);
SR_NODISCARD enum sr_rc sr_mail_kind_parse(const char *name, enum sr_mail_kind *ret);
/* True for kinds whose text needs the parameter (link, time, browser). */
bool sr_mail_kind_needs_param(enum sr_mail_kind kind);
/* The subject line of a kind (ASCII), or NULL. */
const char *sr_mail_subject(enum sr_mail_kind kind);

/* True when s is a usable recipient: 3..254 bytes, one '@' not at either
 * end, no spaces, control characters, quotes or angle brackets. */
bool sr_mail_address_ok(const char *s);
/* The bare address of a From setting: "Name <a@b>" → "a@b", "a@b" → "a@b".
 * SR_E_VALIDATION when there is no usable address. */
SR_NODISCARD enum sr_rc sr_mail_address_of(const char *from, char *out, size_t out_len);

/* Writes a complete RFC 5322 message (CRLF line ends): From, To, Subject,
 * Date (from `now`), Message-ID, MIME headers for text/plain UTF-8, then
 * the body of the kind with param filled in. The result may hold a
 * secret link: the caller wipes out->data after use. out must be empty. */
SR_NODISCARD enum sr_rc sr_mail_render(const char *from, const char *to, enum sr_mail_kind kind,
                                       const char *param, int64_t now, struct sr_buf *out);
/* RFC 5322 date ("Wed, 25 Nov 2026 10:00:00 +0000") into out (>= 32). */
void sr_mail_date(int64_t t, char *out, size_t out_len);
