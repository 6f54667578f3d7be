/* Maildir delivery for installs with no SMTP relay (CONTRACTS.md "Mail"):
 * the message is written to tmp/ under a unique name, fsynced, renamed
 * into new/ and the directory fsynced, so a reader never sees half a
 * message and an acknowledged delivery survives a crash. Names follow the
 * Maildir convention time.P<pid>R<random>.host. The files are private to
 * the server's user (0600 in 0700 directories). */
#include "mailer/mailer.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/token.h"
#include "util/clock.h"

static enum sr_rc
make_dir(const char *path)
{
        if (mkdir(path, 0700) != 0 && errno != EEXIST)
                return SR_E_IO;
        return SR_OK;
}

static enum sr_rc
make_dirs(const char *dir)
{
        char sub[4200];
        enum sr_rc rc = make_dir(dir);
        static const char *const names[] = {"tmp", "new", "cur"};
        for (size_t i = 0; rc == SR_OK && i < 3; i++) {
                snprintf(sub, sizeof(sub), "%s/%s", dir, names[i]);
                rc = make_dir(sub);
        }
        return rc;
}

static void
unique_name(char *out, size_t out_len)
{
        char host[64] = "localhost";
        if (gethostname(host, sizeof(host) - 1) != 0)
                snprintf(host, sizeof(host), "localhost");
        host[sizeof(host) - 1] = '\0';
        for (char *p = host; *p; p++) /* '/' and ':' are not allowed in names */
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
                        *p = '_';
        unsigned char rnd[8];
        char rnd_hex[2 * sizeof(rnd) + 1];
        randombytes_buf(rnd, sizeof(rnd));
        sr_hex(rnd, sizeof(rnd), rnd_hex);
        snprintf(out, out_len, "%lld.P%ldR%s.%s", (long long)sr_clock_now(), (long)getpid(),
                 rnd_hex, host);
}

static bool
write_all(int fd, const char *p, size_t n)
{
        while (n > 0) {
                ssize_t w = write(fd, p, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return false;
                p += w;
                n -= (size_t)w;
        }
        return true;
}

/* Writes msg with CRLF turned into LF, through a buffer wiped afterwards. */
static bool
write_lf(int fd, const char *msg, size_t len)
{
        char buf[4096];
        size_t n = 0;
        bool ok = true;
        for (size_t i = 0; ok && i < len; i++) {
                if (msg[i] == '\r' && i + 1 < len && msg[i + 1] == '\n')
                        continue;
                buf[n++] = msg[i];
                if (n == sizeof(buf)) {
                        ok = write_all(fd, buf, n);
                        n = 0;
                }
        }
        if (ok && n > 0)
                ok = write_all(fd, buf, n);
        sodium_memzero(buf, sizeof(buf));
        return ok;
}

static bool
fsync_dir(const char *path)
{
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return false;
        bool ok = fsync(fd) == 0;
        close(fd);
        return ok;
}

enum sr_rc
sr_mailer_maildir_write(const char *dir, const char *msg, size_t len)
{
        enum sr_rc rc = make_dirs(dir);
        if (rc != SR_OK)
                return rc;
        char name[200], tmp[4400], dst[4400], newdir[4300];
        unique_name(name, sizeof(name));
        snprintf(tmp, sizeof(tmp), "%s/tmp/%s", dir, name);
        snprintf(dst, sizeof(dst), "%s/new/%s", dir, name);
        snprintf(newdir, sizeof(newdir), "%s/new", dir);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
                return SR_E_IO;
        bool ok = write_lf(fd, msg, len) && fsync(fd) == 0;
        ok = close(fd) == 0 && ok;
        if (ok)
                ok = rename(tmp, dst) == 0;
        if (!ok) {
                unlink(tmp);
                return SR_E_IO;
        }
        return fsync_dir(newdir) ? SR_OK : SR_E_IO;
}
