#pragma once
/* Outgoing mail (AUTH-6, AUTH-9, AUTH-3 notices). A message is written to
 * the region's outbox in the same transaction as its cause, sealed under
 * the recipient's subject key (addresses and links are personal data or
 * secrets), and delivered later by sr_mail_deliver_pending() from the
 * scheduler: over SMTP with libcurl when smtp_url is set (STARTTLS
 * required for any relay not on loopback), else into the Maildir
 * DIR/mail/. Delivered rows are deleted (secure_delete). */
#include <stddef.h>

#include "domain/app.h"

enum sr_mail_kind {
        SR_MAIL_PASSWORD_RESET,    /* params: link */
        SR_MAIL_PASSWORD_CHANGED,  /* no params */
        SR_MAIL_LOCKED_OUT,        /* params: until (RFC 3339) */
        SR_MAIL_EMAIL_CHANGED_OLD, /* to the old address; params: none */
        SR_MAIL_EMAIL_VERIFY,      /* to the new address; params: link */
        SR_MAIL_PHONE_CHANGED,     /* no params */
        SR_MAIL_NEW_SIGNIN,        /* params: one line, e.g. "Firefox on Linux from 192.0.2.0/24" */
        SR_MAIL_SECOND_FACTOR_CHANGED,
        SR_MAIL__COUNT
};

/* Retry policy: the first attempt is due at once; after the n-th failure
 * (attempts == n) the next one waits sr_mail_backoff_s(n - 1); after
 * SR_MAIL_MAX_ATTEMPTS failures the row is kept, marked failed. */
#define SR_MAIL_MAX_ATTEMPTS 10
#define SR_MAIL_BACKOFF_BASE_S 30
#define SR_MAIL_BACKOFF_MAX_S 3600
#define SR_MAIL_ADDRESS_MAX 254
#define SR_MAIL_PARAM_MAX 2048

/* Queues a message inside tx. subject_id is the person whose key seals
 * the row (usually the recipient user). param is one optional value
 * (link, time…) or NULL; it may be a secret and is sealed. Kinds that
 * need a parameter (see above) refuse NULL with SR_E_INTERNAL; an address
 * with control characters or without '@' is SR_E_VALIDATION. */
SR_NODISCARD enum sr_rc sr_mail_enqueue_tx(struct sr_app *app, struct sr_tx *tx,
                                           const char *account_id, const char *subject_id,
                                           const char *to_address, enum sr_mail_kind kind,
                                           const char *param);

/* Delivers due messages of every region (retries with back-off). Blocks
 * on the network: call only from the scheduler thread, never from an
 * HTTP thread. Failures are recorded in the rows, never logged. */
void sr_mail_deliver_pending(struct sr_app *app);

/* 30 s × 2^n, at most one hour (n = failures before this one). */
int64_t sr_mail_backoff_s(int64_t n);
