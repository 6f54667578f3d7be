/* Application context set-up. */
#include "domain/app.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "crypto/keyring.h"
#include "domain/access/access.h"
#include "domain/session/session.h"
#include "util/alloc.h"

static enum sr_rc
find_platform(struct sr_app *app)
{
        struct sr_dir_account d;
        enum sr_rc rc = sr_store_dir_find(app->st, "platform", &d);
        if (rc == SR_OK)
                snprintf(app->platform_account_id, sizeof(app->platform_account_id), "%s", d.id);
        return rc == SR_E_NOT_FOUND ? SR_OK : rc;
}

enum sr_rc
sr_app_open(const struct sr_config *cfg, struct sr_app **ret)
{
        struct sr_app *app = sr_calloc(1, sizeof(*app));
        if (app == NULL)
                return SR_E_NOMEM;
        app->cfg = cfg;
        struct sr_secret *master = NULL;
        enum sr_rc rc = sr_keyring_master_load(cfg->master_key_file, &master);
        if (rc == SR_OK)
                rc = sr_secret_guard(master);
        if (rc == SR_OK)
                rc = sr_store_open(cfg, false, &app->st);
        if (rc == SR_OK) {
                rc = sr_vault_new(app->st, master, &app->vault);
                if (rc == SR_OK)
                        master = NULL;
        }
        sr_secret_free(master);
        if (rc == SR_OK)
                rc = sr_audit_new(app->vault, &app->audit);
        if (rc == SR_OK)
                rc = sr_vault_purpose_key(app->vault, "csrf____", &app->csrf_key);
        if (rc == SR_OK)
                rc = sr_secret_guard(app->csrf_key);
        if (rc == SR_OK)
                rc = sr_session_state_init(app);
        if (rc == SR_OK)
                rc = sr_hmap_new(SR_ID_LEN, sr_allowlist_entry_size(), 1 << 10, &app->allowlists);
        if (rc == SR_OK)
                rc = sr_hmap_new(SR_ID_LEN, sizeof(int64_t), 1 << 10, &app->key_touch);
        if (rc == SR_OK)
                rc = find_platform(app);
        if (rc != SR_OK) {
                sr_app_free(app);
                return rc;
        }
        *ret = app;
        return SR_OK;
}

void
sr_app_free(struct sr_app *app)
{
        if (app == NULL)
                return;
        sr_hmap_free(app->sessions);
        sr_hmap_free(app->users);
        sr_hmap_free(app->accounts);
        sr_hmap_free(app->signup_rate);
        sr_hmap_free(app->signin_buckets);
        sr_hmap_free(app->allowlists);
        sr_hmap_free(app->key_touch);
        sr_secret_free(app->csrf_key);
        sr_audit_free(app->audit);
        sr_vault_free(app->vault);
        sr_store_free(app->st);
        sr_free(app);
}

void
sr_client_set_ip(struct sr_client *c, const char *ip)
{
        snprintf(c->ip, sizeof(c->ip), "%s", ip);
        unsigned char a[16];
        if (inet_pton(AF_INET, ip, a) == 1) {
                snprintf(c->ip_prefix, sizeof(c->ip_prefix), "%u.%u.%u.0/24", a[0], a[1], a[2]);
        } else if (inet_pton(AF_INET6, ip, a) == 1) {
                memset(a + 6, 0, 10);
                char buf[INET6_ADDRSTRLEN];
                inet_ntop(AF_INET6, a, buf, sizeof(buf));
                snprintf(c->ip_prefix, sizeof(c->ip_prefix), "%s/48", buf);
        } else {
                c->ip_prefix[0] = '\0';
        }
}
