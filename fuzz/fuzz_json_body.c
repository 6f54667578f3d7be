/* libFuzzer target: request body decoding as http/server.c does it
 * (json_loadb with JSON_REJECT_DUPLICATES, object check), then the
 * field decoders of every body-taking handler in the order the handlers
 * call them, then the pure normalisers the domain would apply next.
 * Nothing here touches the app or the store; handlers are not called. */
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/call.h"
#include "api/decode.h"
#include "crypto/secret.h"
#include "domain/identity/normalize.h"
#include "util/alloc.h"
#include "util/region.h"

#include "check.h"

static const char *
no_query(void *ctx, const char *name)
{
        (void)ctx;
        (void)name;
        return NULL;
}

static void
call_reset(struct sr_call *call, json_t *body)
{
        memset(call, 0, sizeof(*call));
        call->body = body;
        call->query = no_query;
        call->status = 200;
}

/* Every decoded string must be NUL-terminated, control-free and within
 * its byte cap; a broken invariant here is a decoder bug. */
static void
check_string(const char *s, size_t max_cp)
{
        if (s == NULL)
                return;
        size_t n = strlen(s);
        FUZZ_CHECK(n <= 4 * max_cp, "decoded string within its byte cap");
        for (size_t i = 0; i < n; i++)
                FUZZ_CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f,
                           "decoded string has no control characters");
        FUZZ_CHECK(sr_norm_codepoints((const unsigned char *)s, n) <= max_cp,
                   "decoded string within its code point cap");
}

static void
check_errors(const struct sr_call *call)
{
        FUZZ_CHECK(call->n_errors <= SR_CALL_MAX_ERRORS, "error count within the array");
        for (size_t i = 0; i < call->n_errors; i++)
                FUZZ_CHECK(memchr(call->errors[i].field, 0, sizeof(call->errors[i].field)) &&
                                   memchr(call->errors[i].reason, 0,
                                          sizeof(call->errors[i].reason)),
                           "field error strings terminated");
}

static void
norm_str(enum sr_rc (*fn)(const char *, char **), const char *s)
{
        char *out = NULL;
        if (s != NULL && fn(s, &out) == SR_OK)
                sr_free(out);
}

static void
norm_secret(const char *s, size_t len)
{
        struct sr_secret *sec = NULL;
        if (s == NULL)
                return;
        FUZZ_CHECK(strlen(s) == len, "sr_decode_secret: no NUL inside, length matches");
        if (sr_norm_password(s, len, &sec) == SR_OK) {
                FUZZ_CHECK(sec->len <= SR_PASSWORD_MAX_BYTES, "normalised password within cap");
                sr_secret_free(sec);
        }
}

/* api/accounts.c sr_api_create_account */
static void
create_account(json_t *body)
{
        static const char *const fields[] = {"company", "name",   "email",    "phone",
                                             "country", "region", "password", "slug", NULL};
        struct sr_call call;
        const char *company, *name, *email, *phone, *country, *region, *password, *slug;
        size_t password_len;
        call_reset(&call, body);
        if (sr_decode_fields(&call, fields) != SR_OK)
                return;
        sr_decode_string(&call, "company", true, 1, 200, &company);
        sr_decode_string(&call, "name", false, 1, 200, &name);
        sr_decode_string(&call, "email", true, 3, 254, &email);
        sr_decode_string(&call, "phone", false, 1, 16, &phone);
        sr_decode_string(&call, "country", true, 2, 2, &country);
        sr_decode_string(&call, "region", true, 2, 2, &region);
        sr_decode_secret(&call, "password", true, SR_PASSWORD_MAX_BYTES + 1, &password,
                         &password_len);
        sr_decode_string(&call, "slug", false, 3, 63, &slug);
        enum sr_region r;
        if (region != NULL && sr_region_parse(region, &r) == SR_OK)
                FUZZ_CHECK(sr_region_name(r) != NULL, "parsed region has a name");
        check_string(company, 200);
        check_string(name, 200);
        check_string(email, 254);
        check_string(phone, 16);
        check_string(country, 2);
        check_string(slug, 63);
        check_errors(&call);
        if (sr_decode_done(&call) != SR_OK)
                return;
        norm_str(sr_norm_email, email);
        norm_str(sr_norm_phone, phone);
        norm_secret(password, password_len);
}

/* api/sessions.c sr_api_create_session */
static void
create_session(json_t *body)
{
        static const char *const fields[] = {"account", "identifier", "password", NULL};
        struct sr_call call;
        const char *account, *identifier, *password;
        size_t password_len;
        call_reset(&call, body);
        if (sr_decode_fields(&call, fields) != SR_OK)
                return;
        sr_decode_string(&call, "account", true, 1, 64, &account);
        sr_decode_string(&call, "identifier", true, 1, 254, &identifier);
        sr_decode_secret(&call, "password", true, SR_PASSWORD_MAX_BYTES, &password,
                         &password_len);
        check_string(account, 64);
        check_string(identifier, 254);
        check_errors(&call);
        if (sr_decode_done(&call) != SR_OK)
                return;
        switch (sr_norm_ident_kind(identifier)) {
        case SR_IDENT_EMAIL:
                norm_str(sr_norm_email, identifier);
                break;
        case SR_IDENT_PHONE:
                norm_str(sr_norm_phone, identifier);
                break;
        case SR_IDENT_USERNAME:
                norm_str(sr_norm_username, identifier);
                break;
        }
        norm_secret(password, password_len);
}

/* api/me.c sr_api_change_password */
static void
change_password(json_t *body)
{
        static const char *const fields[] = {"current_password", "new_password", NULL};
        struct sr_call call;
        const char *cur, *next;
        size_t cur_len, next_len;
        call_reset(&call, body);
        if (sr_decode_fields(&call, fields) != SR_OK)
                return;
        sr_decode_secret(&call, "current_password", true, SR_PASSWORD_MAX_BYTES, &cur, &cur_len);
        sr_decode_secret(&call, "new_password", true, SR_PASSWORD_MAX_BYTES + 1, &next,
                         &next_len);
        check_errors(&call);
        if (sr_decode_done(&call) != SR_OK)
                return;
        norm_secret(cur, cur_len);
        norm_secret(next, next_len);
}

/* api/users.c sr_api_create_user and sr_api_update_user */
static void
create_user(json_t *body)
{
        static const char *const fields[] = {"username", "email", "phone", "name", "password",
                                             NULL};
        struct sr_call call;
        const char *username, *email, *phone, *name, *password;
        size_t password_len;
        call_reset(&call, body);
        if (sr_decode_fields(&call, fields) != SR_OK)
                return;
        sr_decode_string(&call, "username", true, 1, 64, &username);
        sr_decode_string(&call, "email", false, 3, 254, &email);
        sr_decode_string(&call, "phone", false, 1, 16, &phone);
        sr_decode_string(&call, "name", false, 1, 200, &name);
        sr_decode_secret(&call, "password", false, SR_PASSWORD_MAX_BYTES + 1, &password,
                         &password_len);
        check_string(username, 64);
        check_string(email, 254);
        check_string(phone, 16);
        check_string(name, 200);
        check_errors(&call);
        if (sr_decode_done(&call) != SR_OK)
                return;
        norm_str(sr_norm_username, username);
        norm_str(sr_norm_email, email);
        norm_str(sr_norm_phone, phone);
        norm_secret(password, password_len);
}

static void
update_user(json_t *body)
{
        static const char *const fields[] = {"username", "email", "phone", "name", NULL};
        struct sr_call call;
        const char *username, *email, *phone, *name;
        bool email_set, phone_set, name_set;
        call_reset(&call, body);
        if (sr_decode_fields(&call, fields) != SR_OK)
                return;
        if (json_object_size(call.body) == 0)
                sr_decode_error(&call, "", "at least one field is required");
        sr_decode_string(&call, "username", false, 1, 64, &username);
        sr_decode_string_nullable(&call, "email", 3, 254, &email, &email_set);
        sr_decode_string_nullable(&call, "phone", 1, 16, &phone, &phone_set);
        sr_decode_string_nullable(&call, "name", 1, 200, &name, &name_set);
        FUZZ_CHECK((email == NULL || email_set) && (phone == NULL || phone_set) &&
                           (name == NULL || name_set),
                   "a nullable value is only returned when present");
        check_string(username, 64);
        check_string(email, 254);
        check_string(phone, 16);
        check_string(name, 200);
        check_errors(&call);
        if (sr_decode_done(&call) != SR_OK)
                return;
        norm_str(sr_norm_username, username);
        norm_str(sr_norm_email, email);
        norm_str(sr_norm_phone, phone);
}

/* api/settings.c sr_api_update_account_settings, plus ?limit/?cursor. */
static void
update_settings(json_t *body)
{
        static const char *const fields[] = {"idle_timeout_s", "max_lifetime_s", NULL};
        struct sr_call call;
        int64_t idle = -1, life = -1;
        call_reset(&call, body);
        if (sr_decode_fields(&call, fields) != SR_OK)
                return;
        if (json_object_size(call.body) == 0)
                sr_decode_error(&call, "", "at least one field is required");
        sr_decode_int(&call, "idle_timeout_s", false, 60, 86400, &idle);
        sr_decode_int(&call, "max_lifetime_s", false, 300, 2592000, &life);
        FUZZ_CHECK(idle == -1 || (idle >= 60 && idle <= 86400), "idle_timeout_s in range");
        FUZZ_CHECK(life == -1 || (life >= 300 && life <= 2592000), "max_lifetime_s in range");
        check_errors(&call);
        sr_rc_ignore(sr_decode_done(&call)); /* outcome checked by invariants above */
        unsigned limit;
        const char *cursor;
        FUZZ_CHECK(sr_decode_page(&call, &limit, &cursor) == SR_OK && limit == 50 &&
                           cursor[0] == '\0',
                   "no query parameters give the default page");
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc;
        (void)argv;
        if (sodium_init() < 0)
                abort();
        return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        json_error_t err;
        json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &err);
        if (j == NULL)
                return 0;
        if (json_is_object(j)) {
                create_account(j);
                create_session(j);
                change_password(j);
                create_user(j);
                update_user(j);
                update_settings(j);
        } else {
                /* server.c records one error and stops. */
                struct sr_call call;
                call_reset(&call, j);
                sr_decode_error(&call, "", "must be a JSON object");
                FUZZ_CHECK(sr_decode_done(&call) == SR_E_VALIDATION, "recorded error fails");
        }
        json_decref(j);
        return 0;
}
