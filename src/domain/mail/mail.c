/* The outbox (AUTH-6, AUTH-9, AUTH-3 notices): queueing a message in the
 * transaction of its cause, and delivering due messages from the
 * scheduler thread with retries and back-off.
 *
 * The recipient address and the parameter (a reset link is a secret) are
 * sealed together under the recipient's subject key with
 * account ‖ "outbox" ‖ "payload" ‖ row id as associated data, so the
 * outbox holds no address or link in clear, a row cannot be replayed
 * under another id, and erasing the person (shredding the key) makes a
 * queued message undeliverable: such rows are dropped. Rendered messages
 * are wiped after use. Nothing here logs; failures live in the row. */
#include "domain/mail/mail.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "crypto/token.h"
#include "domain/mail/templates.h"
#include "mailer/mailer.h"
#include "store/outbox.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/metrics.h"

#define DUE_PER_REGION 32
#define CLAIM_LEASE_S 300
#define MESSAGE_MAX_BYTES (64 * 1024)
#define MESSAGE_RESERVE_BYTES (8 * 1024)

static void
field_of(struct sr_field *f, const char *account_id, const char *row_id)
{
        f->account_id = account_id;
        f->table = "outbox";
        f->column = "payload";
        f->row_id = row_id;
}

static bool
param_ok(const char *param)
{
        return param == NULL || strlen(param) <= SR_MAIL_PARAM_MAX;
}

/* payload = address "\n" param: the address cannot hold a newline. */
static enum sr_rc
seal_payload(const struct sr_secret *key, const struct sr_field *f, const char *to,
             const char *param, struct sr_blob *ret)
{
        size_t to_len = strlen(to), p_len = param ? strlen(param) : 0;
        size_t n = to_len + 1 + p_len;
        char *pt = sr_malloc(n + 1);
        if (pt == NULL)
                return SR_E_NOMEM;
        memcpy(pt, to, to_len);
        pt[to_len] = '\n';
        if (p_len > 0)
                memcpy(pt + to_len + 1, param, p_len);
        pt[n] = '\0';
        enum sr_rc rc = sr_vault_seal(key, f, pt, n, ret);
        sodium_memzero(pt, n);
        sr_free(pt);
        return rc;
}

enum sr_rc
sr_mail_enqueue_tx(struct sr_app *app, struct sr_tx *tx, const char *account_id,
                   const char *subject_id, const char *to_address, enum sr_mail_kind kind,
                   const char *param)
{
        if (sr_mail_kind_name(kind) == NULL || account_id == NULL || subject_id == NULL)
                return SR_E_INTERNAL;
        if (sr_mail_kind_needs_param(kind) && param == NULL)
                return SR_E_INTERNAL;
        if (!sr_mail_address_ok(to_address))
                return SR_E_VALIDATION;
        if (!param_ok(param))
                return SR_E_INTERNAL;
        struct sr_outbox_row row;
        memset(&row, 0, sizeof(row));
        sr_id_new(row.id);
        snprintf(row.account_id, sizeof(row.account_id), "%s", account_id);
        snprintf(row.subject_id, sizeof(row.subject_id), "%s", subject_id);
        snprintf(row.kind, sizeof(row.kind), "%s", sr_mail_kind_name(kind));
        row.created_at = row.next_attempt_at = sr_clock_now();
        SR_CLEANUP(sr_secret_freep) struct sr_secret *key = NULL;
        struct sr_field f;
        field_of(&f, row.account_id, row.id);
        enum sr_rc rc = sr_vault_key(app->vault, sr_store_tx_region(tx), account_id, subject_id,
                                     &key);
        if (rc == SR_OK)
                rc = seal_payload(key, &f, to_address, param, &row.payload_ct);
        if (rc == SR_OK)
                rc = sr_store_outbox_insert(tx, &row);
        sr_outbox_row_fini(&row);
        return rc;
}

/* Opens a row's payload into *ret_pt ("address\nparam"), wiped by the
 * caller. SR_E_NOT_FOUND when the subject's key is gone (erased person). */
static enum sr_rc
open_payload(struct sr_app *app, enum sr_region r, const struct sr_outbox_row *row,
             char **ret_pt)
{
        SR_CLEANUP(sr_secret_freep) struct sr_secret *key = NULL;
        enum sr_rc rc = sr_vault_key(app->vault, r, row->account_id, row->subject_id, &key);
        if (rc != SR_OK)
                return rc;
        struct sr_field f;
        field_of(&f, row->account_id, row->id);
        char *pt = NULL;
        rc = sr_vault_open(key, &f, &row->payload_ct, &pt);
        if (rc == SR_OK && pt == NULL)
                rc = SR_E_CRYPTO;
        if (rc != SR_OK)
                return rc;
        *ret_pt = pt;
        return SR_OK;
}

static void
wipe_free(char *s)
{
        if (s == NULL)
                return;
        sodium_memzero(s, strlen(s));
        sr_free(s);
}

/* Renders and sends one message. */
static enum sr_rc
send_row(struct sr_app *app, enum sr_mail_kind kind, char *payload, int64_t now)
{
        char *nl = strchr(payload, '\n');
        if (nl == NULL)
                return SR_E_CRYPTO;
        *nl = '\0';
        const char *to = payload, *param = nl[1] != '\0' ? nl + 1 : NULL;
        const char *from = app->cfg->mail_from ? app->cfg->mail_from : SR_MAIL_DEFAULT_FROM;
        char from_addr[SR_MAIL_ADDRESS_MAX + 1];
        enum sr_rc rc = sr_mail_address_of(from, from_addr, sizeof(from_addr));
        if (rc != SR_OK)
                return rc;
        struct sr_buf msg;
        sr_buf_init(&msg, MESSAGE_MAX_BYTES);
        /* Reserve room up front so the buffer never moves (a moved buffer
         * would leave an unwiped copy of the link behind). */
        static const char room[MESSAGE_RESERVE_BYTES];
        rc = sr_buf_append(&msg, room, sizeof(room));
        msg.len = 0;
        if (rc == SR_OK)
                rc = sr_mail_render(from, to, kind, param, now, &msg);
        if (rc == SR_OK)
                rc = sr_mailer_send(app->cfg, from_addr, to, msg.data, msg.len);
        if (msg.data != NULL)
                sodium_memzero(msg.data, msg.cap);
        sr_buf_fini(&msg);
        return rc;
}

/* What to do with a row after an attempt. */
static enum sr_rc
settle(struct sr_tx *tx, const struct sr_outbox_row *row, enum sr_rc rc, int64_t now)
{
        /* Delivered, or can never be (key shredded, unknown kind, sealed
         * data that does not open): the row goes. */
        if (rc == SR_OK || rc == SR_E_NOT_FOUND) {
                sr_metrics_mail(rc == SR_OK ? SR_METRICS_MAIL_SENT : SR_METRICS_MAIL_DROPPED);
                return sr_store_outbox_delete(tx, row->account_id, row->id, row->next_attempt_at);
        }
        if (rc == SR_E_BUSY) /* not tried: the claim runs out; due again now */
                return sr_store_outbox_retry(tx, row->account_id, row->id, row->next_attempt_at,
                                             row->attempts, now, false);
        int64_t attempts = row->attempts + 1;
        bool failed = attempts >= SR_MAIL_MAX_ATTEMPTS;
        int64_t next = now + sr_mail_backoff_s(row->attempts);
        char n[24];
        snprintf(n, sizeof(n), "%lld", (long long)attempts);
        /* Ids and the reason only: the address stays sealed in the row. */
        sr_log(SR_LOG_WARN, failed ? "mail given up" : "mail delivery failed", "outbox_id", row->id,
               "account_id", row->account_id, "kind", row->kind, "attempts", n, "code",
               sr_rc_name(rc), NULL);
        sr_metrics_mail(failed ? SR_METRICS_MAIL_GAVE_UP : SR_METRICS_MAIL_RETRY);
        return sr_store_outbox_retry(tx, row->account_id, row->id, row->next_attempt_at, attempts,
                                     next, failed);
}

/* One transaction (one fsync) for a round's outcomes. If it fails, the
 * rows are simply tried again: delivery is at least once. */
static void
settle_all(struct sr_app *app, enum sr_region r, const struct sr_outbox_row *rows,
           const enum sr_rc *outcomes, size_t n, int64_t now)
{
        struct sr_tx *tx = NULL;
        enum sr_rc rc = sr_store_begin(app->st, r, &tx);
        for (size_t i = 0; rc == SR_OK && i < n; i++)
                rc = settle(tx, &rows[i], outcomes[i], now);
        if (rc == SR_OK)
                sr_rc_ignore(sr_store_commit(tx));
        sr_store_tx_free(tx);
}

static enum sr_rc
deliver_one(struct sr_app *app, enum sr_region r, const struct sr_outbox_row *row, int64_t now)
{
        enum sr_mail_kind kind;
        char *payload = NULL;
        enum sr_rc rc = sr_mail_kind_parse(row->kind, &kind);
        if (rc != SR_OK)
                rc = SR_E_INTERNAL; /* kept and marked failed in the end */
        if (rc == SR_OK)
                rc = open_payload(app, r, row, &payload);
        if (rc == SR_OK)
                rc = send_row(app, kind, payload, now);
        wipe_free(payload);
        return rc;
}

/* Nodes sharing a store all run this loop: each claims its rows first
 * (one transaction), so a message goes out once. A node that dies holding
 * a claim leaves the row due again after the lease. Alone on SQLite there
 * is nobody to race. */
static size_t
claim_all(struct sr_app *app, enum sr_region r, struct sr_outbox_row *rows, size_t n,
          int64_t now)
{
        if (!sr_store_shared(app->st))
                return n;
        struct sr_tx *tx = NULL;
        size_t kept = 0;
        enum sr_rc rc = sr_store_begin(app->st, r, &tx);
        for (size_t i = 0; rc == SR_OK && i < n; i++) {
                bool taken = false;
                rc = sr_store_outbox_claim(tx, rows[i].account_id, rows[i].id,
                                           rows[i].next_attempt_at, now + CLAIM_LEASE_S, &taken);
                if (rc != SR_OK || !taken)
                        continue;
                rows[i].next_attempt_at = now + CLAIM_LEASE_S; /* what settle expects */
                struct sr_outbox_row mine = rows[kept];
                rows[kept++] = rows[i];
                rows[i] = mine;
        }
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        sr_store_tx_free(tx);
        return rc == SR_OK ? kept : 0;
}

/* A send may take the mailer's whole timeout: none starts unless it ends
 * inside the claim, or another node could send the same row meanwhile. */
#define SEND_MAX_MS (60 * 1000 + 5000)

static int64_t
claim_left_ms(uint64_t claimed_ms)
{
        return (int64_t)CLAIM_LEASE_S * 1000 - (int64_t)(sr_clock_mono_ms() - claimed_ms);
}

void
sr_mail_deliver_pending(struct sr_app *app)
{
        int64_t now = sr_clock_now();
        for (unsigned r = 0; r < SR_REGION__COUNT; r++) {
                struct sr_outbox_row *rows = NULL;
                size_t n = 0;
                if (sr_store_outbox_due(app->st, (enum sr_region)r, now, DUE_PER_REGION, &rows,
                                        &n) != SR_OK)
                        continue; /* the next round tries again */
                size_t mine = claim_all(app, (enum sr_region)r, rows, n, now);
                uint64_t claimed_ms = sr_clock_mono_ms();
                enum sr_rc outcomes[DUE_PER_REGION];
                for (size_t i = 0; i < mine; i++)
                        outcomes[i] = claim_left_ms(claimed_ms) > SEND_MAX_MS
                                              ? deliver_one(app, (enum sr_region)r, &rows[i], now)
                                              : SR_E_BUSY;
                if (mine > 0)
                        settle_all(app, (enum sr_region)r, rows, outcomes, mine, now);
                sr_outbox_rows_free(rows, n);
        }
}
