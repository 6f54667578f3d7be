/* The key hierarchy (DATA-2, DATA-4): a master key file of exactly 32 raw
 * bytes, created mode 0600 with O_EXCL and fsync'd, and refused on load
 * when group or others have any permission on it or its size is wrong.
 * Account and subject keys are random, and stored only wrapped with
 * sr_aead_seal under their parent with the owner's id as associated data,
 * so a wrapped key copied to another owner does not open. Purpose keys are
 * derived with crypto_kdf. Where wrapped keys are stored is not this
 * file's job. */
#include "crypto/keyring.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/aead.h"
#include "util/alloc.h"

_Static_assert(SR_KEY_BYTES == SR_AEAD_KEY_BYTES, "wrapping key size");
_Static_assert(SR_KEY_BYTES == crypto_kdf_KEYBYTES, "kdf parent size");
_Static_assert(SR_KEY_BYTES >= crypto_kdf_BYTES_MIN && SR_KEY_BYTES <= crypto_kdf_BYTES_MAX,
               "kdf subkey size");

static int
write_all(int fd, const unsigned char *p, size_t n)
{
        while (n > 0) {
                ssize_t w = write(fd, p, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return -1;
                p += w;
                n -= (size_t)w;
        }
        return 0;
}

/* Makes the new directory entry durable too, not just the file's bytes. */
static int
fsync_parent(char *path_copy)
{
        int dfd = open(dirname(path_copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -1;
        int r = fsync(dfd);
        if (close(dfd) != 0)
                r = -1;
        return r;
}

enum sr_rc
sr_keyring_master_create(const char *path)
{
        if (path == NULL)
                return SR_E_INTERNAL;
        SR_CLEANUP(sr_freep) char *path_copy = sr_strdup(path);
        if (path_copy == NULL)
                return SR_E_NOMEM;
        unsigned char key[SR_KEY_BYTES];

        /* O_EXCL: never overwrite (or follow a planted symlink to) a key. */
        int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
        if (fd < 0)
                return errno == EEXIST ? SR_E_CONFLICT : SR_E_IO;
        randombytes_buf(key, sizeof(key));
        int r = write_all(fd, key, sizeof(key));
        sodium_memzero(key, sizeof(key));
        if (r == 0)
                r = fsync(fd);
        if (close(fd) != 0)
                r = -1;
        if (r == 0)
                r = fsync_parent(path_copy);
        if (r != 0) {
                /* Leave no half-written key behind to be loaded later. A
                 * failed unlink changes nothing: the answer is SR_E_IO. */
                (void)unlink(path);
                return SR_E_IO;
        }
        return SR_OK;
}

static int
read_exact(int fd, unsigned char *p, size_t n)
{
        while (n > 0) {
                ssize_t r = read(fd, p, n);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        return -1;
                p += r;
                n -= (size_t)r;
        }
        return 0;
}

enum sr_rc
sr_keyring_master_load(const char *path, struct sr_secret **ret_master)
{
        if (path == NULL)
                return SR_E_INTERNAL;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return SR_E_IO;
        struct stat st;
        /* A key others can read (or write) may already be someone else's. */
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
            (st.st_mode & (S_IRWXG | S_IRWXO)) != 0 || st.st_size != SR_KEY_BYTES) {
                (void)close(fd); /* read-only: nothing to lose */
                return SR_E_IO;
        }
        struct sr_secret *key = NULL;
        enum sr_rc rc = sr_secret_new_random(SR_KEY_BYTES, &key);
        if (rc != SR_OK) {
                (void)close(fd);
                return rc;
        }
        unsigned char extra;
        if (read_exact(fd, key->bytes, SR_KEY_BYTES) != 0 || read(fd, &extra, 1) != 0)
                rc = SR_E_IO; /* short, or grew since fstat */
        if (close(fd) != 0)
                rc = SR_E_IO;
        if (rc != SR_OK) {
                sr_secret_free(key);
                return rc;
        }
        *ret_master = key;
        return SR_OK;
}

static int
key_ok(const struct sr_secret *k)
{
        return k != NULL && k->bytes != NULL && k->len == SR_KEY_BYTES;
}

enum sr_rc
sr_keyring_new_wrapped(const struct sr_secret *wrapping, const char *owner_id,
                       struct sr_secret **ret_key, unsigned char **ret_wrapped,
                       size_t *ret_wrapped_len)
{
        if (!key_ok(wrapping) || owner_id == NULL)
                return SR_E_INTERNAL;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *key = NULL;
        enum sr_rc rc = sr_secret_new_random(SR_KEY_BYTES, &key);
        if (rc != SR_OK)
                return rc;
        unsigned char *wrapped = NULL;
        size_t wrapped_len = 0;
        /* DATA-2: the owner's id is the AD, so the blob only opens for it. */
        rc = sr_aead_seal(wrapping->bytes, owner_id, strlen(owner_id), key->bytes,
                          key->len, &wrapped, &wrapped_len);
        if (rc != SR_OK)
                return rc;
        *ret_key = SR_TAKE(key);
        *ret_wrapped = wrapped;
        *ret_wrapped_len = wrapped_len;
        return SR_OK;
}

enum sr_rc
sr_keyring_unwrap(const struct sr_secret *wrapping, const char *owner_id,
                  const unsigned char *wrapped, size_t wrapped_len,
                  struct sr_secret **ret_key)
{
        if (!key_ok(wrapping) || owner_id == NULL)
                return SR_E_INTERNAL;
        char *pt = NULL;
        size_t pt_len = 0;
        enum sr_rc rc = sr_aead_open(wrapping->bytes, owner_id, strlen(owner_id), wrapped,
                                     wrapped_len, &pt, &pt_len);
        if (rc != SR_OK)
                return rc;
        struct sr_secret *key = NULL;
        if (pt_len != SR_KEY_BYTES)
                rc = SR_E_CRYPTO; /* authentic, but not one of our keys */
        else
                rc = sr_secret_new(pt, pt_len, &key);
        sodium_memzero(pt, pt_len);
        sr_free(pt);
        if (rc != SR_OK)
                return rc;
        *ret_key = key;
        return SR_OK;
}

enum sr_rc
sr_keyring_derive(const struct sr_secret *parent, const char context[8],
                  unsigned long long subkey_id, struct sr_secret **ret_subkey)
{
        if (!key_ok(parent) || context == NULL)
                return SR_E_INTERNAL;
        struct sr_secret *sub = NULL;
        enum sr_rc rc = sr_secret_new_random(SR_KEY_BYTES, &sub);
        if (rc != SR_OK)
                return rc;
        if (crypto_kdf_derive_from_key(sub->bytes, sub->len, subkey_id, context,
                                       parent->bytes) != 0) {
                sr_secret_free(sub);
                return SR_E_CRYPTO;
        }
        *ret_subkey = sub;
        return SR_OK;
}
