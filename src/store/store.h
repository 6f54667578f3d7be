#pragma once
/* The store: the only code that speaks SQL. Every statement is a constant
 * string prepared once and bound with parameters. Every customer-data row
 * carries account_id and every function reading customer data takes the
 * account as a required argument.
 *
 * Layout (DATA-7): DIR/directory.db routes account ids to regions;
 * DIR/regions/<R>/strongroom.db holds the region's customer data;
 * DIR/regions/<R>/keystore.db holds wrapped keys, apart from the data so
 * shredding a key never depends on rewriting data pages.
 *
 * Connections are per thread (WAL, synchronous=FULL): reads never block
 * behind a writer, and writers queue one at a time per database. A driver
 * table (store/driver.h) keeps SQLite and PostgreSQL behind these same
 * functions. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/config.h"
#include "util/rc.h"
#include "util/region.h"

#define SR_ID_LEN 32
#define SR_SLUG_MAX 64
#define SR_BI_LEN 32

struct sr_store;
struct sr_tx;

struct sr_blob {
        unsigned char *p; /* sr_malloc'd; owned by the row */
        size_t len;
};
void sr_blob_fini(struct sr_blob *b);

/* Opens the stores of cfg (SQLite files under cfg->data_dir, or the
 * PostgreSQL databases of [store]), creating them when create is true and
 * migrating them in any case. Free with sr_store_free. */
SR_NODISCARD enum sr_rc sr_store_open(const struct sr_config *cfg, bool create,
                                      struct sr_store **ret);
/* "sqlite" or "postgres". */
const char *sr_store_driver_name(const struct sr_store *st);
void sr_store_free(struct sr_store *st);
/* Closes this thread's connections (call before a thread exits). */
void sr_store_thread_done(void);
/* Schema version of the region databases. */
int sr_store_schema_version(void);

/* ---- several serve nodes on one store (PostgreSQL LISTEN/NOTIFY) ---- */
/* True when other serve nodes may share this store and hear its messages. */
bool sr_store_shared(const struct sr_store *st);
/* Sends payload (< 8000 bytes, no personal data) to every listening node,
 * this one included. SR_OK and nothing sent when the store is not shared. */
SR_NODISCARD enum sr_rc sr_store_notify(struct sr_store *st, const char *payload);
struct sr_store_listener;
/* A dedicated connection that hears the messages. */
SR_NODISCARD enum sr_rc sr_store_listen(struct sr_store *st, struct sr_store_listener **ret);
/* Waits up to timeout_ms, calling fn per message. SR_E_IO when the
 * connection was lost: messages may be missed, listen again. */
SR_NODISCARD enum sr_rc sr_store_listen_wait(struct sr_store_listener *l, int timeout_ms,
                                             void (*fn)(const char *payload, void *arg),
                                             void *arg);
void sr_store_listener_free(struct sr_store_listener *l);

/* Transactions. One write transaction per region and thread at a time. */
SR_NODISCARD enum sr_rc sr_store_begin(struct sr_store *st, enum sr_region r,
                                       struct sr_tx **ret);
SR_NODISCARD enum sr_rc sr_store_commit(struct sr_tx *tx);
/* Rolls back when still open and frees; accepts NULL. */
void sr_store_tx_free(struct sr_tx *tx);
void sr_store_tx_freep(struct sr_tx **tx);
enum sr_region sr_store_tx_region(const struct sr_tx *tx);

/* ---- directory (no personal data) ---- */
struct sr_dir_account {
        char id[SR_ID_LEN + 1];
        char slug[SR_SLUG_MAX + 1];
        enum sr_region region;
        char state[16]; /* "pending" (sign-up in progress), "active", "blocked" */
        int64_t created_at;
};
/* SR_E_CONFLICT when the slug is taken. */
SR_NODISCARD enum sr_rc sr_store_dir_insert(struct sr_store *st,
                                            const struct sr_dir_account *a);
SR_NODISCARD enum sr_rc sr_store_dir_delete(struct sr_store *st, const char *id);
/* Finds by id or slug; SR_E_NOT_FOUND otherwise. */
SR_NODISCARD enum sr_rc sr_store_dir_find(struct sr_store *st, const char *id_or_slug,
                                          struct sr_dir_account *ret);
/* Calls fn for every account; stops at the first non-OK return. */
SR_NODISCARD enum sr_rc sr_store_dir_each(struct sr_store *st,
                                          enum sr_rc (*fn)(const struct sr_dir_account *, void *),
                                          void *arg);
/* The same for sign-ups still pending (an index keeps it cheap to ask often). */
SR_NODISCARD enum sr_rc sr_store_dir_each_pending(
        struct sr_store *st, enum sr_rc (*fn)(const struct sr_dir_account *, void *), void *arg);

/* ---- keystore ---- */
SR_NODISCARD enum sr_rc sr_store_key_put(struct sr_store *st, enum sr_region r,
                                         const char *account_id, const char *owner_id,
                                         const unsigned char *wrapped, size_t len);
/* *ret is filled on success (caller sr_blob_fini). */
SR_NODISCARD enum sr_rc sr_store_key_get(struct sr_store *st, enum sr_region r,
                                         const char *account_id, const char *owner_id,
                                         struct sr_blob *ret);
/* Deletes (secure_delete overwrites the page) and checkpoints the WAL so no
 * copy of the wrapped key survives in the live files (PRIV-3). */
SR_NODISCARD enum sr_rc sr_store_key_shred(struct sr_store *st, enum sr_region r,
                                           const char *account_id, const char *owner_id);

/* Deletes every key of the account (a sign-up that never completed). */
SR_NODISCARD enum sr_rc sr_store_key_shred_account(struct sr_store *st, enum sr_region r,
                                                   const char *account_id);

/* ---- accounts (region) ---- */
struct sr_account_row {
        char id[SR_ID_LEN + 1];
        struct sr_blob company_ct;
        char country[3];
        char signup_user_id[SR_ID_LEN + 1];
        char signup_ip_prefix[64];
        struct sr_blob signup_ip_ct, signup_browser_ct, signup_os_ct;
        int64_t idle_timeout_s, max_lifetime_s;
        int64_t created_at;
};
void sr_account_row_fini(struct sr_account_row *a);
SR_NODISCARD enum sr_rc sr_store_account_insert(struct sr_tx *tx, const struct sr_account_row *a);
SR_NODISCARD enum sr_rc sr_store_account_get(struct sr_store *st, enum sr_region r,
                                             const char *account_id, struct sr_account_row *ret);
SR_NODISCARD enum sr_rc sr_store_account_set_session_limits(struct sr_tx *tx, const char *account_id,
                                                            int64_t idle_timeout_s,
                                                            int64_t max_lifetime_s);

/* ---- users ---- */
enum sr_index_kind { SR_INDEX_USERNAME, SR_INDEX_EMAIL, SR_INDEX_PHONE };

struct sr_user_row {
        char id[SR_ID_LEN + 1];
        char account_id[SR_ID_LEN + 1];
        struct sr_blob username_ct, email_ct, phone_ct, name_ct;
        unsigned char username_bi[SR_BI_LEN], email_bi[SR_BI_LEN], phone_bi[SR_BI_LEN];
        bool has_email, has_phone;
        char pw_hash[160];
        bool pw_must_change;
        int64_t pw_changed_at;
        char state[16]; /* "active", "blocked" */
        int64_t session_epoch;
        int64_t created_at, updated_at;
};
void sr_user_row_fini(struct sr_user_row *u);
/* SR_E_CONFLICT when username, e-mail or phone is taken in the account. */
SR_NODISCARD enum sr_rc sr_store_user_insert(struct sr_tx *tx, const struct sr_user_row *u);
/* Rewrites every mutable column of the row (same id and account). */
SR_NODISCARD enum sr_rc sr_store_user_update(struct sr_tx *tx, const struct sr_user_row *u);
SR_NODISCARD enum sr_rc sr_store_user_delete(struct sr_tx *tx, const char *account_id,
                                             const char *user_id);
SR_NODISCARD enum sr_rc sr_store_user_get(struct sr_store *st, enum sr_region r,
                                          const char *account_id, const char *user_id,
                                          struct sr_user_row *ret);
SR_NODISCARD enum sr_rc sr_store_user_find(struct sr_store *st, enum sr_region r,
                                           const char *account_id, enum sr_index_kind kind,
                                           const unsigned char bi[SR_BI_LEN],
                                           struct sr_user_row *ret);
/* Users with id > after_id (empty = from the start), ordered by id.
 * *ret_rows is an sr_malloc'd array of *ret_n rows (sr_user_rows_free). */
SR_NODISCARD enum sr_rc sr_store_user_list(struct sr_store *st, enum sr_region r,
                                           const char *account_id, const char *after_id,
                                           unsigned limit, struct sr_user_row **ret_rows,
                                           size_t *ret_n);
void sr_user_rows_free(struct sr_user_row *rows, size_t n);
/* Bumps and returns the session epoch (ACC-3). */
SR_NODISCARD enum sr_rc sr_store_user_bump_epoch(struct sr_tx *tx, const char *account_id,
                                                 const char *user_id, int64_t *ret_epoch);

/* ---- role grants ---- */
struct sr_grant_row {
        char id[SR_ID_LEN + 1];
        char account_id[SR_ID_LEN + 1];
        char user_id[SR_ID_LEN + 1];
        char role[24];
        char channel_id[SR_ID_LEN + 1]; /* "" = account scope */
        char granted_by[SR_ID_LEN + 1];
        int64_t created_at;
};
SR_NODISCARD enum sr_rc sr_store_grant_insert(struct sr_tx *tx, const struct sr_grant_row *g);
/* Up to max grants of the user; *ret_n is how many were written. */
SR_NODISCARD enum sr_rc sr_store_grant_list_user(struct sr_store *st, enum sr_region r,
                                                 const char *account_id, const char *user_id,
                                                 struct sr_grant_row *ret, size_t max,
                                                 size_t *ret_n);
SR_NODISCARD enum sr_rc sr_store_grant_delete_user(struct sr_tx *tx, const char *account_id,
                                                   const char *user_id);

/* ---- sessions ---- */
struct sr_session_row {
        char id[SR_ID_LEN + 1];
        char account_id[SR_ID_LEN + 1];
        char user_id[SR_ID_LEN + 1];
        unsigned char token_hash[32];
        int64_t epoch;
        int64_t created_at, last_seen_at, expires_at;
        char ip_prefix[64];
        struct sr_blob ip_ct, ua_ct;
};
void sr_session_row_fini(struct sr_session_row *s);
SR_NODISCARD enum sr_rc sr_store_session_insert(struct sr_tx *tx, const struct sr_session_row *s);
SR_NODISCARD enum sr_rc sr_store_session_find(struct sr_store *st, enum sr_region r,
                                              const unsigned char token_hash[32],
                                              struct sr_session_row *ret);
SR_NODISCARD enum sr_rc sr_store_session_touch(struct sr_tx *tx, const char *account_id,
                                               const char *session_id, int64_t last_seen_at);
SR_NODISCARD enum sr_rc sr_store_session_delete(struct sr_tx *tx, const char *account_id,
                                                const char *session_id);
/* Deletes every session of the user except keep_id (NULL = all). */
SR_NODISCARD enum sr_rc sr_store_session_delete_user(struct sr_tx *tx, const char *account_id,
                                                     const char *user_id, const char *keep_id);
/* Removes sessions that expired before `before` in region r. */
SR_NODISCARD enum sr_rc sr_store_session_sweep(struct sr_store *st, enum sr_region r,
                                               int64_t before, int64_t idle_before_max);

/* ---- audit ---- */
#define SR_AUDIT_MAC_LEN 32
#define SR_AUDIT_SIG_LEN 64

struct sr_audit_row {
        char account_id[SR_ID_LEN + 1];
        int64_t seq;
        char id[SR_ID_LEN + 1];
        int64_t time;
        char actor_id[SR_ID_LEN + 1];
        char actor_type[16];
        char action[48];
        char target_type[24];
        char target_id[SR_ID_LEN + 1];
        char outcome[12];
        char client_ip_prefix[64];
        char request_id[SR_ID_LEN + 1];
        unsigned char mac[SR_AUDIT_MAC_LEN];
};
struct sr_audit_checkpoint {
        int64_t seq;
        unsigned char mac[SR_AUDIT_MAC_LEN];
        unsigned char sig[SR_AUDIT_SIG_LEN];
        int64_t time;
};
/* Last event's seq and mac (seq 0 and zero mac for an empty chain). */
SR_NODISCARD enum sr_rc sr_store_audit_head(struct sr_tx *tx, const char *account_id,
                                            int64_t *ret_seq,
                                            unsigned char ret_mac[SR_AUDIT_MAC_LEN]);
SR_NODISCARD enum sr_rc sr_store_audit_insert(struct sr_tx *tx, const struct sr_audit_row *e);
SR_NODISCARD enum sr_rc sr_store_audit_checkpoint_put(struct sr_tx *tx, const char *account_id,
                                                      const struct sr_audit_checkpoint *c);
SR_NODISCARD enum sr_rc sr_store_audit_checkpoint_get(struct sr_store *st, enum sr_region r,
                                                      const char *account_id,
                                                      struct sr_audit_checkpoint *ret);
/* Events with seq < before_seq (0 = newest first from the end) newest
 * first, up to limit. Array owned by caller (sr_free). */
SR_NODISCARD enum sr_rc sr_store_audit_list(struct sr_store *st, enum sr_region r,
                                            const char *account_id, int64_t before_seq,
                                            unsigned limit, struct sr_audit_row **ret_rows,
                                            size_t *ret_n);
/* Every event of the account in seq order; stops at the first non-OK. */
SR_NODISCARD enum sr_rc sr_store_audit_each(struct sr_store *st, enum sr_region r,
                                            const char *account_id,
                                            enum sr_rc (*fn)(const struct sr_audit_row *, void *),
                                            void *arg);
/* Distinct account ids that have audit events in region r. */
SR_NODISCARD enum sr_rc sr_store_audit_accounts(struct sr_store *st, enum sr_region r,
                                                enum sr_rc (*fn)(const char *account_id, void *),
                                                void *arg);
