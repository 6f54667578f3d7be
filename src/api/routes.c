/* The route table: path, operationId, the action the central check
 * enforces (ACC-4) and how the route runs. tests/unit/test_routes.c checks
 * it against openapi/openapi.json. */
#include "api/handlers.h"

#define PUB SR_ROUTE_PUBLIC
#define SLOW SR_ROUTE_WORKER
#define PWOK SR_ROUTE_PW_CHANGE_OK
#define BODY SR_ROUTE_BODY
#define ACCT SR_ROUTE_ACCOUNT

const struct sr_route sr_routes[] = {
        {"GET", "/", "getWebApp", SR_ACT_NONE, PUB, sr_api_get_web_app},
        {"GET", "/openapi.json", "getOpenApi", SR_ACT_NONE, PUB, sr_api_get_openapi},
        {"GET", "/v1/health", "getHealth", SR_ACT_NONE, PUB, sr_api_get_health},
        {"GET", "/v1/metrics", "getMetrics", SR_ACT_METRICS_READ, 0, sr_api_get_metrics},
        {"POST", "/v1/accounts", "createAccount", SR_ACT_NONE, PUB | SLOW | BODY,
         sr_api_create_account},
        {"GET", "/v1/accounts/{accountId}", "getAccount", SR_ACT_ACCOUNT_READ, ACCT,
         sr_api_get_account},
        {"POST", "/v1/session", "createSession", SR_ACT_NONE, PUB | SLOW | BODY,
         sr_api_create_session},
        {"GET", "/v1/session", "getCurrentSession", SR_ACT_SELF, PWOK,
         sr_api_get_current_session},
        {"DELETE", "/v1/session", "deleteSession", SR_ACT_SELF, PWOK, sr_api_delete_session},
        {"GET", "/v1/me", "getMe", SR_ACT_SELF, PWOK, sr_api_get_me},
        {"POST", "/v1/me/password", "changePassword", SR_ACT_SELF, PWOK | SLOW | BODY,
         sr_api_change_password},
        {"POST", "/v1/accounts/{accountId}/users", "createUser", SR_ACT_USERS_WRITE,
         ACCT | SLOW | BODY, sr_api_create_user},
        {"GET", "/v1/accounts/{accountId}/users", "listUsers", SR_ACT_USERS_READ, ACCT,
         sr_api_list_users},
        {"GET", "/v1/accounts/{accountId}/users/{userId}", "getUser", SR_ACT_USERS_READ, ACCT,
         sr_api_get_user},
        {"PATCH", "/v1/accounts/{accountId}/users/{userId}", "updateUser", SR_ACT_USERS_WRITE,
         ACCT | BODY, sr_api_update_user},
        {"DELETE", "/v1/accounts/{accountId}/users/{userId}", "deleteUser", SR_ACT_USERS_WRITE,
         ACCT, sr_api_delete_user},
        {"GET", "/v1/accounts/{accountId}/audit-events", "listAuditEvents", SR_ACT_AUDIT_READ,
         ACCT, sr_api_list_audit_events},
        {"GET", "/v1/accounts/{accountId}/settings", "getAccountSettings", SR_ACT_SETTINGS_READ,
         ACCT, sr_api_get_account_settings},
        {"PATCH", "/v1/accounts/{accountId}/settings", "updateAccountSettings",
         SR_ACT_SETTINGS_WRITE, ACCT | BODY, sr_api_update_account_settings},
        {NULL, NULL, NULL, SR_ACT_NONE, 0, NULL},
};
