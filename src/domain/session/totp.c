/* TOTP codes through liboath (AUTH-8). liboath is initialised once; the
 * base32 secret is decoded into memory that is wiped before it is freed,
 * and codes are compared in constant time through the validate callback.
 * No HOTP arithmetic lives here. */
#include "domain/session/totp.h"

#include <liboath/oath.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static int oath_status = -1;

static void
oath_setup(void)
{
        oath_status = oath_init();
}

static enum sr_rc
ready(void)
{
        pthread_once(&oath_once, oath_setup);
        return oath_status == OATH_OK ? SR_OK : SR_E_CRYPTO;
}

enum sr_rc
sr_totp_secret_new(struct sr_secret **ret_b32)
{
        enum sr_rc rc = ready();
        if (rc != SR_OK)
                return rc;
        unsigned char raw[SR_TOTP_SECRET_BYTES];
        randombytes_buf(raw, sizeof(raw));
        char *b32 = NULL;
        size_t len = 0;
        int orc = oath_base32_encode((const char *)raw, sizeof(raw), &b32, &len);
        sodium_memzero(raw, sizeof(raw));
        if (orc != OATH_OK)
                return orc == OATH_MALLOC_ERROR ? SR_E_NOMEM : SR_E_CRYPTO;
        rc = len == SR_TOTP_SECRET_CHARS ? sr_secret_new(b32, len, ret_b32) : SR_E_CRYPTO;
        sodium_memzero(b32, len);
        free(b32);
        return rc;
}

bool
sr_totp_code_format_ok(const char *code)
{
        if (code == NULL || strlen(code) != SR_TOTP_DIGITS)
                return false;
        for (size_t i = 0; i < SR_TOTP_DIGITS; i++)
                if (code[i] < '0' || code[i] > '9')
                        return false;
        return true;
}

int64_t
sr_totp_step(int64_t t)
{
        return t >= 0 ? t / SR_TOTP_STEP_S : -1;
}

/* The secret's raw bytes (malloc'd by liboath; free with raw_free). */
static enum sr_rc
raw_secret(const struct sr_secret *b32, char **ret, size_t *ret_len)
{
        enum sr_rc rc = ready();
        if (rc != SR_OK)
                return rc;
        if (b32 == NULL || b32->bytes == NULL || b32->len == 0)
                return SR_E_INTERNAL;
        int orc = oath_base32_decode((const char *)b32->bytes, b32->len, ret, ret_len);
        if (orc != OATH_OK)
                return orc == OATH_MALLOC_ERROR ? SR_E_NOMEM : SR_E_CRYPTO;
        return SR_OK;
}

static void
raw_free(char *raw, size_t len)
{
        if (raw == NULL)
                return;
        sodium_memzero(raw, len);
        free(raw);
}

/* liboath's compare hook: 0 on a match, in constant time. */
static int
same_code(void *handle, const char *test_otp)
{
        const char *code = handle;
        return sodium_memcmp(code, test_otp, SR_TOTP_DIGITS) == 0 ? 0 : 1;
}

enum sr_rc
sr_totp_check(const struct sr_secret *secret_b32, int64_t now, const char *code,
              int64_t after_step, int64_t *ret_step)
{
        if (!sr_totp_code_format_ok(code) || now < SR_TOTP_STEP_S)
                return SR_E_INVALID_CREDENTIALS;
        char *raw = NULL;
        size_t raw_len = 0;
        enum sr_rc rc = raw_secret(secret_b32, &raw, &raw_len);
        if (rc != SR_OK)
                return rc;
        int pos = 0;
        uint64_t counter = 0;
        int orc = oath_totp_validate3_callback(raw, raw_len, (time_t)now, SR_TOTP_STEP_S, 0,
                                               SR_TOTP_DIGITS, SR_TOTP_WINDOW, &pos, &counter,
                                               same_code, (void *)code);
        raw_free(raw, raw_len);
        if (orc < 0)
                return orc == OATH_MALLOC_ERROR ? SR_E_NOMEM : SR_E_INVALID_CREDENTIALS;
        /* AUTH-8: a step at or before the last accepted one is a replay. */
        if ((int64_t)counter <= after_step)
                return SR_E_INVALID_CREDENTIALS;
        *ret_step = (int64_t)counter;
        return SR_OK;
}

enum sr_rc
sr_totp_code(const struct sr_secret *secret_b32, int64_t t, char out[SR_TOTP_DIGITS + 1])
{
        char *raw = NULL;
        size_t raw_len = 0;
        enum sr_rc rc = raw_secret(secret_b32, &raw, &raw_len);
        if (rc != SR_OK)
                return rc;
        char buf[SR_TOTP_DIGITS + 1];
        int orc = oath_totp_generate2(raw, raw_len, (time_t)t, SR_TOTP_STEP_S, 0, SR_TOTP_DIGITS,
                                      0, buf);
        raw_free(raw, raw_len);
        if (orc != OATH_OK)
                return SR_E_CRYPTO;
        memcpy(out, buf, sizeof(buf));
        return SR_OK;
}
