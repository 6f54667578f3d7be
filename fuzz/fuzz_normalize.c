/* libFuzzer target: identifier and password normalisation
 * (domain/identity/normalize.c). Each function gets the input as a C
 * string; sr_norm_password also gets the raw bytes with their length,
 * as api/ hands it over. sodium_init() directly: sr_crypto_init() would
 * build an argon2 dummy hash on every start. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/secret.h"
#include "domain/identity/normalize.h"
#include "util/alloc.h"

#include "check.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc;
        (void)argv;
        if (sodium_init() < 0)
                abort();
        return 0;
}

static void
check_username(const char *s)
{
        char *out = NULL;
        if (sr_norm_username(s, &out) != SR_OK)
                return;
        size_t n = strlen(out);
        FUZZ_CHECK(n >= 1 && n <= 64 && n == strlen(s), "username keeps its length, 1..64");
        for (size_t i = 0; i < n; i++)
                FUZZ_CHECK((out[i] >= 'a' && out[i] <= 'z') || (out[i] >= '0' && out[i] <= '9') ||
                                   out[i] == '.' || out[i] == '_' || out[i] == '-',
                           "username matches [a-z0-9._-]");
        sr_free(out);
}

static void
check_email(const char *s)
{
        char *out = NULL;
        if (sr_norm_email(s, &out) != SR_OK)
                return;
        FUZZ_CHECK(strchr(out, '@') != NULL, "normalised e-mail keeps its @");
        sr_free(out);
}

static void
check_phone(const char *s)
{
        char *out = NULL;
        if (sr_norm_phone(s, &out) != SR_OK)
                return;
        size_t n = strlen(out);
        FUZZ_CHECK(n >= 8 && n <= 16 && out[0] == '+' && strcmp(out, s) == 0,
                   "phone is E.164 and unchanged");
        sr_free(out);
}

static void
check_password(const char *p, size_t len)
{
        struct sr_secret *sec = NULL;
        if (sr_norm_password(p, len, &sec) != SR_OK)
                return;
        FUZZ_CHECK(sec != NULL && sec->len <= SR_PASSWORD_MAX_BYTES,
                   "normalised password within 1024 bytes");
        sr_secret_free(sec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);
        if (s == NULL)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        check_username(s);
        check_email(s);
        check_phone(s);
        enum sr_ident_kind k = sr_norm_ident_kind(s);
        FUZZ_CHECK(k == SR_IDENT_USERNAME || k == SR_IDENT_EMAIL || k == SR_IDENT_PHONE,
                   "identifier kind is one of three");
        check_password((const char *)data, size); /* exact-size buffer: ASan sees overreads */
        check_password(s, strlen(s));
        free(s);
        return 0;
}
