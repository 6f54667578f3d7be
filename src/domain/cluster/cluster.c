/* Cache invalidation across serve nodes: "<fact>:<id>" messages. */
#include "domain/cluster/cluster.h"

#include <stdio.h>
#include <string.h>

#include "domain/session/session.h"
#include "domain/vault/vault.h"
#include "store/store.h"
#include "util/hmap.h"
#include "util/log.h"

static void
forget(struct sr_app *app, enum sr_cluster_fact fact, const char *id)
{
        switch (fact) {
        case SR_FACT_USER:
                sr_session_forget(app, fact, id);
                sr_vault_forget_owner(app->vault, id); /* an erased person's key */
                break;
        case SR_FACT_ACCOUNT:
        case SR_FACT_ACCOUNT_USERS:
        case SR_FACT_SESSION:
                sr_session_forget(app, fact, id);
                break;
        case SR_FACT_ALLOWLIST:
                sr_hmap_del(app->allowlists, id);
                break;
        }
}

void
sr_cluster_changed(struct sr_app *app, enum sr_cluster_fact fact, const char *id)
{
        forget(app, fact, id);
        if (!sr_store_shared(app->st))
                return;
        char payload[2 + SR_ID_LEN + 1];
        snprintf(payload, sizeof(payload), "%c:%s", (char)fact, id);
        if (sr_store_notify(app->st, payload) != SR_OK)
                sr_log(SR_LOG_WARN, "cluster message not sent", "fact", payload, NULL);
}

static bool
fact_known(char c)
{
        return c == SR_FACT_USER || c == SR_FACT_ACCOUNT || c == SR_FACT_ACCOUNT_USERS ||
               c == SR_FACT_SESSION || c == SR_FACT_ALLOWLIST;
}

void
sr_cluster_apply(struct sr_app *app, const char *payload)
{
        size_t n = strlen(payload);
        if (n < 3 || n > 2 + SR_ID_LEN || payload[1] != ':' || !fact_known(payload[0])) {
                /* Not ours or garbled: forgetting everything is always safe. */
                sr_cluster_forget_all(app);
                return;
        }
        forget(app, (enum sr_cluster_fact)payload[0], payload + 2);
}

static bool
any(const void *key, void *val, void *arg)
{
        (void)key;
        (void)val;
        (void)arg;
        return true;
}

void
sr_cluster_forget_all(struct sr_app *app)
{
        sr_session_forget_all(app);
        sr_hmap_sweep(app->allowlists, any, NULL);
        sr_vault_forget_all(app->vault);
}

static void
on_message(const char *payload, void *arg)
{
        sr_cluster_apply(arg, payload);
}

void
sr_cluster_listen(struct sr_app *app, struct sr_cluster_listener *cl, int timeout_ms)
{
        if (cl->l == NULL) {
                if (sr_store_listen(app->st, &cl->l) != SR_OK) {
                        cl->lost = true;
                        return; /* the caller's next turn tries again */
                }
                if (cl->lost) {
                        sr_log(SR_LOG_WARN, "cluster listener reconnected; caches dropped", NULL);
                        sr_cluster_forget_all(app);
                        cl->lost = false;
                }
        }
        if (sr_store_listen_wait(cl->l, timeout_ms, on_message, app) != SR_OK) {
                sr_log(SR_LOG_WARN, "cluster listener lost its connection", NULL);
                sr_store_listener_free(cl->l);
                cl->l = NULL;
                cl->lost = true;
                sr_cluster_forget_all(app);
        }
}

void
sr_cluster_listener_fini(struct sr_cluster_listener *cl)
{
        sr_store_listener_free(cl->l);
        cl->l = NULL;
}
