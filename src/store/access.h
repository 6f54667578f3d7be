#pragma once
/* Store functions of the access model: channels, role grants, API keys,
 * IP allowlists, support grants and session listings (ACC-1 … ACC-9). */
#include "store/store.h"

struct sr_channel_row {
        char id[SR_ID_LEN + 1];
        char account_id[SR_ID_LEN + 1];
        char name[201];
        char description[1001];
        int64_t created_at, updated_at;
};
SR_NODISCARD enum sr_rc sr_store_channel_insert(struct sr_tx *tx, const struct sr_channel_row *c);
SR_NODISCARD enum sr_rc sr_store_channel_update(struct sr_tx *tx, const struct sr_channel_row *c);
SR_NODISCARD enum sr_rc sr_store_channel_delete(struct sr_tx *tx, const char *account_id,
                                                const char *channel_id);
SR_NODISCARD enum sr_rc sr_store_channel_get(struct sr_store *st, enum sr_region r,
                                             const char *account_id, const char *channel_id,
                                             struct sr_channel_row *ret);
/* Channels with id > after_id, by id; *ret sr_malloc'd (sr_free). */
SR_NODISCARD enum sr_rc sr_store_channel_list(struct sr_store *st, enum sr_region r,
                                              const char *account_id, const char *after_id,
                                              unsigned limit, struct sr_channel_row **ret,
                                              size_t *ret_n);

SR_NODISCARD enum sr_rc sr_store_grant_get(struct sr_store *st, enum sr_region r,
                                           const char *account_id, const char *grant_id,
                                           struct sr_grant_row *ret);
SR_NODISCARD enum sr_rc sr_store_grant_delete(struct sr_tx *tx, const char *account_id,
                                              const char *grant_id);
SR_NODISCARD enum sr_rc sr_store_grant_delete_channel(struct sr_tx *tx, const char *account_id,
                                                      const char *channel_id);
/* Users holding a grant on the channel (for revocation on delete). */
SR_NODISCARD enum sr_rc sr_store_grant_users_of_channel(struct sr_store *st, enum sr_region r,
                                                        const char *account_id,
                                                        const char *channel_id,
                                                        char (**ret_ids)[SR_ID_LEN + 1],
                                                        size_t *ret_n);
/* Grants of the account with id > after_id, optionally of one user or
 * one channel ("" = any). */
SR_NODISCARD enum sr_rc sr_store_grant_list(struct sr_store *st, enum sr_region r,
                                            const char *account_id, const char *user_id,
                                            const char *channel_id, const char *after_id,
                                            unsigned limit, struct sr_grant_row **ret,
                                            size_t *ret_n);

struct sr_api_key_row {
        char id[SR_ID_LEN + 1];
        char account_id[SR_ID_LEN + 1];
        char creator_id[SR_ID_LEN + 1];
        char name[101];
        unsigned scopes;
        char channel_id[SR_ID_LEN + 1];
        unsigned char secret_hash[32];
        int64_t expires_at; /* 0 = never */
        int64_t revoked_at; /* 0 = live */
        int64_t last_used_at, created_at;
};
SR_NODISCARD enum sr_rc sr_store_api_key_insert(struct sr_tx *tx, const struct sr_api_key_row *k);
SR_NODISCARD enum sr_rc sr_store_api_key_find(struct sr_store *st, enum sr_region r,
                                              const unsigned char hash[32],
                                              struct sr_api_key_row *ret);
SR_NODISCARD enum sr_rc sr_store_api_key_get(struct sr_store *st, enum sr_region r,
                                             const char *account_id, const char *id,
                                             struct sr_api_key_row *ret);
SR_NODISCARD enum sr_rc sr_store_api_key_revoke(struct sr_tx *tx, const char *account_id,
                                                const char *id, int64_t at);
SR_NODISCARD enum sr_rc sr_store_api_key_list(struct sr_store *st, enum sr_region r,
                                              const char *account_id, const char *after_id,
                                              unsigned limit, struct sr_api_key_row **ret,
                                              size_t *ret_n);
SR_NODISCARD enum sr_rc sr_store_api_key_touch(struct sr_store *st, enum sr_region r,
                                               const char *account_id, const char *id,
                                               int64_t at);

/* "" when the account has no list. *ret sr_malloc'd. */
SR_NODISCARD enum sr_rc sr_store_allowlist_get(struct sr_store *st, enum sr_region r,
                                               const char *account_id, char **ret);
SR_NODISCARD enum sr_rc sr_store_allowlist_set(struct sr_tx *tx, const char *account_id,
                                               const char *cidrs, int64_t at);

struct sr_support_grant_row {
        char id[SR_ID_LEN + 1];
        char account_id[SR_ID_LEN + 1];
        char grantee_id[SR_ID_LEN + 1];
        char granted_by[SR_ID_LEN + 1];
        struct sr_blob reason_ct;
        int64_t expires_at, revoked_at, created_at;
};
void sr_support_grant_rows_free(struct sr_support_grant_row *rows, size_t n);
SR_NODISCARD enum sr_rc sr_store_support_insert(struct sr_tx *tx,
                                                const struct sr_support_grant_row *g);
SR_NODISCARD enum sr_rc sr_store_support_revoke(struct sr_tx *tx, const char *account_id,
                                                const char *id, int64_t at);
SR_NODISCARD enum sr_rc sr_store_support_list(struct sr_store *st, enum sr_region r,
                                              const char *account_id,
                                              struct sr_support_grant_row **ret, size_t *ret_n);
/* True in *ret_active when grantee has a live grant for the account. */
SR_NODISCARD enum sr_rc sr_store_support_active(struct sr_store *st, enum sr_region r,
                                                const char *account_id, const char *grantee_id,
                                                int64_t now, bool *ret_active);

/* Sessions of one user (listMySessions). */
SR_NODISCARD enum sr_rc sr_store_session_list_user(struct sr_store *st, enum sr_region r,
                                                   const char *account_id, const char *user_id,
                                                   struct sr_session_row **ret, size_t *ret_n);
void sr_session_rows_free(struct sr_session_row *rows, size_t n);
