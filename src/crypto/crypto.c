/* Crypto start-up: sodium_init() and the dummy password hash. The dummy
 * lets sr_pwhash_verify() spend one full argon2id run on an unknown user, so
 * a failed sign-in costs the same whether or not the user exists (AUTH-4).
 * It is built once, under pthread_once, from a random password nobody
 * knows; it is not a secret. This file holds no keys. */
#include "crypto/crypto.h"

#include <pthread.h>

#include <sodium.h>

#include "crypto/pwhash.h"

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_str[SR_PWHASH_STR_BYTES];
static int dummy_ok;

static void
dummy_build(void)
{
        unsigned char pw[32];
        randombytes_buf(pw, sizeof(pw));
        int r = crypto_pwhash_str(dummy_str, (const char *)pw, sizeof(pw),
                                  SR_PWHASH_OPSLIMIT, SR_PWHASH_MEMLIMIT_BYTES);
        sodium_memzero(pw, sizeof(pw));
        dummy_ok = (r == 0);
}

const char *
sr_crypto_pwhash_dummy(void)
{
        if (pthread_once(&dummy_once, dummy_build) != 0 || !dummy_ok)
                return NULL;
        return dummy_str;
}

enum sr_rc
sr_crypto_init(void)
{
        if (sodium_init() < 0)
                return SR_E_CRYPTO;
        if (sr_crypto_pwhash_dummy() == NULL)
                return SR_E_NOMEM;
        return SR_OK;
}
