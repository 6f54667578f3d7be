/* Self-signed certificate generation through GnuTLS (DATA-1). */
#include "http/tlscert.h"

#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum sr_rc
write_file(const char *path, const gnutls_datum_t *d)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
                return SR_E_IO;
        ssize_t n = write(fd, d->data, d->size);
        int ok = n == (ssize_t)d->size && fsync(fd) == 0;
        close(fd);
        return ok ? SR_OK : SR_E_IO;
}

static int
fill_cert(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key)
{
        static const unsigned char v4[4] = {127, 0, 0, 1};
        static const unsigned char v6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        unsigned char serial[16];
        randombytes_buf(serial, sizeof(serial));
        serial[0] &= 0x7f; /* positive */
        time_t now = time(NULL);
        int r = gnutls_x509_crt_set_version(crt, 3);
        if (r >= 0)
                r = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
        if (r >= 0)
                r = gnutls_x509_crt_set_activation_time(crt, now - 3600);
        if (r >= 0)
                r = gnutls_x509_crt_set_expiration_time(crt, now + 398L * 86400);
        if (r >= 0)
                r = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, "localhost",
                                                  9);
        if (r >= 0)
                r = gnutls_x509_crt_set_key(crt, key);
        if (r >= 0)
                r = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost", 9,
                                                         GNUTLS_FSAN_SET);
        if (r >= 0)
                r = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, v4, 4,
                                                         GNUTLS_FSAN_APPEND);
        if (r >= 0)
                r = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, v6, 16,
                                                         GNUTLS_FSAN_APPEND);
        if (r >= 0)
                r = gnutls_x509_crt_set_basic_constraints(crt, 0, -1);
        if (r >= 0)
                r = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE);
        if (r >= 0)
                r = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0);
        if (r >= 0)
                r = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0);
        return r;
}

enum sr_rc
sr_tls_make_selfsigned(const char *key_path, const char *cert_path)
{
        gnutls_x509_privkey_t key = NULL;
        gnutls_x509_crt_t crt = NULL;
        gnutls_datum_t kd = {NULL, 0}, cd = {NULL, 0};
        enum sr_rc rc = SR_E_CRYPTO;
        if (gnutls_x509_privkey_init(&key) < 0 || gnutls_x509_crt_init(&crt) < 0)
                goto out;
        if (gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                         GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) < 0)
                goto out;
        if (fill_cert(crt, key) < 0)
                goto out;
        if (gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &kd) < 0 ||
            gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cd) < 0)
                goto out;
        rc = write_file(key_path, &kd);
        if (rc == SR_OK)
                rc = write_file(cert_path, &cd);
out:
        if (kd.data != NULL) {
                sodium_memzero(kd.data, kd.size);
                gnutls_free(kd.data);
        }
        gnutls_free(cd.data);
        if (crt != NULL)
                gnutls_x509_crt_deinit(crt);
        if (key != NULL)
                gnutls_x509_privkey_deinit(key);
        return rc;
}
