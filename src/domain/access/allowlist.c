/* Per-account IP allowlists (ACC-8). Lists are cached in memory per
 * account and reloaded after a change; a request for an account with a
 * list from an address outside it is refused and audited. */
#include <stdio.h>
#include <string.h>

#include "domain/access/access.h"
#include "domain/cluster/cluster.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/cidr.h"
#include "util/clock.h"

struct allow_entry {
        size_t n;
        struct sr_cidr cidrs[SR_ALLOWLIST_MAX];
        uint64_t loaded_ms;
};

size_t
sr_allowlist_entry_size(void)
{
        return sizeof(struct allow_entry);
}

static enum sr_rc
load(struct sr_app *app, const char *account_id, enum sr_region r, struct allow_entry *ret)
{
        if (sr_hmap_get(app->allowlists, account_id, ret) && sr_cluster_fresh(app, ret->loaded_ms))
                return SR_OK;
        uint64_t gen = sr_cluster_gen(app);
        SR_CLEANUP(sr_freep) char *text = NULL;
        enum sr_rc rc = sr_store_allowlist_get(app->st, r, account_id, &text);
        if (rc != SR_OK)
                return rc;
        struct allow_entry e = {0};
        rc = sr_cidr_parse_list(text, e.cidrs, SR_ALLOWLIST_MAX, &e.n);
        if (rc != SR_OK)
                return SR_E_STORE;
        e.loaded_ms = sr_clock_mono_ms();
        rc = sr_cluster_cache_put(app, app->allowlists, account_id, &e, gen);
        if (rc == SR_OK)
                *ret = e;
        return rc;
}

static bool
allowed(const struct allow_entry *e, const char *ip)
{
        if (e->n == 0)
                return true;
        struct sr_cidr addr;
        if (sr_ip_parse(ip, &addr) != SR_OK)
                return false;
        for (size_t i = 0; i < e->n; i++)
                if (sr_cidr_contains(&e->cidrs[i], &addr))
                        return true;
        return false;
}

enum sr_rc
sr_allowlist_check(struct sr_app *app, const struct sr_client *client, const char *account_id,
                   enum sr_region region, const char *actor_id)
{
        struct allow_entry e;
        enum sr_rc rc = load(app, account_id, region, &e);
        if (rc != SR_OK)
                return rc;
        if (allowed(&e, client->ip))
                return SR_OK;
        /* ACC-8: every refusal is visible to the account's managers. */
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        struct sr_audit_event ev = {actor_id, actor_id ? "user" : "system", "ipNotAllowed",
                                    "account", account_id, "denied", client->ip_prefix,
                                    client->request_id};
        if (sr_store_begin(app->st, region, &tx) == SR_OK &&
            sr_audit_append(app->audit, tx, account_id, &ev) == SR_OK)
                sr_rc_ignore(sr_store_commit(tx)); /* the refusal stands either way */
        return SR_E_IP_NOT_ALLOWED;
}

enum sr_rc
sr_allowlist_get(struct sr_app *app, const struct sr_account_ref *acct, char **ret)
{
        return sr_store_allowlist_get(app->st, acct->region, acct->id, ret);
}

enum sr_rc
sr_allowlist_set(struct sr_app *app, const struct sr_client *client, const struct sr_actor *actor,
                 const struct sr_account_ref *acct, const char *const *cidrs, size_t n,
                 bool confirm_self_lockout)
{
        if (n > SR_ALLOWLIST_MAX)
                return SR_E_VALIDATION;
        struct allow_entry e = {0};
        struct sr_buf text;
        sr_buf_init(&text, SR_ALLOWLIST_MAX * 48);
        enum sr_rc rc = sr_buf_puts(&text, "");
        for (size_t i = 0; rc == SR_OK && i < n; i++) {
                rc = sr_cidr_parse(cidrs[i], &e.cidrs[e.n]);
                if (rc == SR_OK) {
                        e.n++;
                        rc = sr_buf_printf(&text, "%s%s", i ? "," : "", cidrs[i]);
                }
        }
        /* ACC-8: a manager cannot lock themself out by accident. */
        if (rc == SR_OK && !confirm_self_lockout && !allowed(&e, client->ip))
                rc = SR_E_CONFLICT;
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        if (rc == SR_OK)
                rc = sr_store_begin(app->st, acct->region, &tx);
        if (rc == SR_OK)
                rc = sr_store_allowlist_set(tx, acct->id, text.data, sr_clock_now());
        struct sr_audit_event ev = {sr_actor_id(actor), sr_actor_type(app, actor),
                                    "setIpAllowlist", "account", acct->id, "success",
                                    client->ip_prefix, client->request_id};
        if (rc == SR_OK)
                rc = sr_audit_append(app->audit, tx, acct->id, &ev);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        sr_buf_fini(&text);
        if (rc == SR_OK)
                sr_cluster_changed(app, SR_FACT_ALLOWLIST, acct->id);
        return rc;
}
