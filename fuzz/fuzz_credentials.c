/* libFuzzer target: credential extraction (http/credentials.c) — the
 * Authorization header and the session cookie value. Input:
 * "AUTHORIZATION\nCOOKIE"; a leading '-' on a part means "absent". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/credentials.h"

#include "check.h"

static const char *
part(char *s)
{
        return s[0] == '-' ? NULL : s;
}

static int
inside(const char *p, const char *s)
{
        return s != NULL && p >= s && p <= s + strlen(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *buf = malloc(size + 1);
        if (buf == NULL)
                return 0;
        memcpy(buf, data, size);
        buf[size] = '\0';
        char *nl = strchr(buf, '\n');
        char *cookie = NULL;
        if (nl != NULL) {
                *nl = '\0';
                cookie = nl + 1;
        }
        const char *auth = part(buf);
        const char *ck = cookie ? part(cookie) : NULL;
        const char *token = NULL;
        enum sr_cred_kind k = sr_http_credential(auth, ck, &token);
        switch (k) {
        case SR_CRED_BEARER:
                FUZZ_CHECK(auth != NULL && inside(token, auth) && token[0] != '\0' &&
                                   token[0] != ' ',
                           "bearer token lies inside the header and is not empty");
                break;
        case SR_CRED_COOKIE:
                FUZZ_CHECK(auth == NULL && token == ck && token[0] != '\0',
                           "the cookie is used only without an Authorization header");
                break;
        case SR_CRED_BAD:
                FUZZ_CHECK(auth != NULL && token == NULL, "a bad header sets no token");
                break;
        case SR_CRED_NONE:
                FUZZ_CHECK(auth == NULL && token == NULL, "no credential, no token");
                break;
        }
        free(buf);
        return 0;
}
