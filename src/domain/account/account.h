#pragma once
/* Accounts: sign-up (AUTH-10), the platform account created by `init`,
 * per-account settings (AUTH-7) and their sign-up record. */
#include <stdbool.h>
#include <stdint.h>

#include "domain/app.h"
#include "domain/authz/authz.h"
#include "domain/identity/users.h"

#define SR_IDLE_TIMEOUT_DEFAULT_S 600
#define SR_MAX_LIFETIME_DEFAULT_S 43200

struct sr_signup {
        const char *company;
        const char *name;     /* optional */
        const char *email;
        const char *phone;    /* optional */
        const char *country;  /* ISO 3166-1 alpha-2 */
        enum sr_region region;
        const char *password;
        size_t password_len;
        const char *slug;     /* optional */
};

struct sr_signup_result {
        char account_id[SR_ID_LEN + 1];
        char slug[SR_SLUG_MAX + 1];
        char user_id[SR_ID_LEN + 1];
        enum sr_region region;
};

/* createAccount (slow: hashes the password). SR_E_RATE_LIMITED when the
 * client address used up its sign-ups, SR_E_FORBIDDEN when sign-up is
 * closed, SR_E_CONFLICT when the chosen slug is taken. */
SR_NODISCARD enum sr_rc sr_account_signup(struct sr_app *app, const struct sr_client *client,
                                          const struct sr_signup *in,
                                          struct sr_signup_result *ret);

/* `strongroom init`: creates the platform account and its first operator
 * with a one-time password (returned; caller frees). */
SR_NODISCARD enum sr_rc sr_account_bootstrap(struct sr_app *app, enum sr_region region,
                                             char ret_user_id[SR_ID_LEN + 1],
                                             struct sr_secret **ret_otp);

/* Start-up recovery of sign-ups cut short by a crash: a pending directory
 * row whose region half committed becomes active; one whose region half
 * never committed is removed with its keys. Run before serving. On a
 * store shared by several nodes only rows older than a grace period are
 * touched (another node may be mid-sign-up), and serve repeats the
 * recovery every minute. */
SR_NODISCARD enum sr_rc sr_account_recover(struct sr_app *app);

struct sr_account_settings {
        int64_t idle_timeout_s;
        int64_t max_lifetime_s;
        int64_t lockout_threshold;     /* AUTH-3: failures before the lock, 1..20 */
        int64_t lockout_period_s;      /* AUTH-3: 60..86400 */
        int64_t require_second_factor; /* AUTH-8: 0 or 1 */
};
SR_NODISCARD enum sr_rc sr_account_settings_get(struct sr_app *app,
                                                const struct sr_account_ref *acct,
                                                struct sr_account_settings *ret);
/* Fields < 0 are left unchanged. SR_E_VALIDATION when out of range. */
SR_NODISCARD enum sr_rc sr_account_settings_update(struct sr_app *app,
                                                   const struct sr_client *client,
                                                   const struct sr_actor *actor,
                                                   const struct sr_account_ref *acct,
                                                   const struct sr_account_settings *in,
                                                   struct sr_account_settings *ret);

/* The account record as its managers see it (getAccount). Strings are
 * sr_malloc'd; sr_account_view_fini frees them. */
struct sr_account_view {
        char id[SR_ID_LEN + 1];
        char slug[SR_SLUG_MAX + 1];
        enum sr_region region;
        char country[3];
        char state[16];
        int64_t created_at;
        char *company;
        bool personal_data_withheld;
        char signup_ip_prefix[64];
        char *signup_ip, *signup_browser, *signup_os;
};
void sr_account_view_fini(struct sr_account_view *v);
SR_NODISCARD enum sr_rc sr_account_get(struct sr_app *app, const struct sr_actor *actor,
                                       const struct sr_account_ref *acct,
                                       struct sr_account_view *ret);
