#pragma once
/* The application context every domain call receives: store, vault,
 * audit chain, in-memory session state and limits. Built once by `serve`
 * (or a CLI command) and shared by all threads. */
#include <stdbool.h>
#include <stdint.h>

#include "domain/audit/audit.h"
#include "domain/vault/vault.h"
#include "store/store.h"
#include "util/config.h"
#include "util/hmap.h"

struct sr_app {
        const struct sr_config *cfg; /* borrowed */
        struct sr_store *st;
        struct sr_vault *vault;
        struct sr_audit *audit;
        struct sr_secret *csrf_key;
        struct sr_hmap *sessions;     /* token hash → struct sr_session_entry */
        struct sr_hmap *users;        /* user id → struct sr_user_entry */
        struct sr_hmap *accounts;     /* account id → struct sr_account_entry */
        struct sr_hmap *signup_rate;  /* client address → bucket */
        char platform_account_id[SR_ID_LEN + 1];
        struct sr_hmap *allowlists; /* account id → parsed IP allowlist */
        struct sr_hmap *key_touch;  /* API key id → last last_used_at write */
        struct sr_hmap *signin_buckets; /* AUTH-3: client address → struct sr_bucket */
        uint64_t cache_gen; /* bumped by every forget (domain/cluster); atomic */
};

/* Where a request comes from; everything here is for audit and limits.
 * ip is personal data: it is only stored encrypted, ip_prefix in clear. */
struct sr_client {
        char ip[64];
        char ip_prefix[64]; /* /24 for IPv4, /48 for IPv6 */
        const char *user_agent;
        const char *request_id;
};

/* Loads the master key, opens the store, derives purpose keys. */
SR_NODISCARD enum sr_rc sr_app_open(const struct sr_config *cfg, struct sr_app **ret);
void sr_app_free(struct sr_app *app);

/* Fills ip_prefix from ip. */
void sr_client_set_ip(struct sr_client *c, const char *ip);
