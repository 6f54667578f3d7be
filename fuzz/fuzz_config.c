/* libFuzzer target: the configuration reader (util/config.c, inih). The
 * input becomes DIR/strongroom.conf in a temporary directory made once
 * ($TMPDIR, else /dev/shm, else /tmp) and removed at exit;
 * a loaded config's trusted_proxies and platform_region then go through
 * the parsers the server and `init` use on them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cidr.h"
#include "util/config.h"
#include "util/region.h"

#include "check.h"

static char dir[4096];
static char path[4096 + 32];

static void
cleanup(void)
{
        unlink(path);
        rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc;
        (void)argv;
        /* tmpfs when there is one: on disk the writes cost 10x the execs. */
        const char *tmp = getenv("TMPDIR");
        if (tmp == NULL || tmp[0] == '\0')
                tmp = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(dir, sizeof(dir), "%s/sr-fuzz-config.XXXXXX", tmp);
        if (mkdtemp(dir) == NULL)
                abort();
        snprintf(path, sizeof(path), "%s/strongroom.conf", dir);
        atexit(cleanup);
        return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        FILE *f = fopen(path, "we");
        if (f == NULL)
                abort();
        if (size > 0 && fwrite(data, 1, size, f) != size)
                abort();
        if (fclose(f) != 0)
                abort();

        struct sr_config c;
        char err[256];
        err[0] = '\0';
        memset(&c, 0, sizeof(c));
        if (sr_config_load(dir, &c, err, sizeof(err)) != SR_OK) {
                FUZZ_CHECK(memchr(err, 0, sizeof(err)) != NULL, "error message terminated");
                return 0;
        }
        /* config.h: every setting has a default, so a loaded config always
         * has these; cli/init.c, serve.c and http/ use them unchecked. */
        FUZZ_CHECK(c.data_dir != NULL, "data_dir set after SR_OK");
        FUZZ_CHECK(c.public_url != NULL, "public_url set after SR_OK (http/server.c origin_of() strstr()s it)");
        FUZZ_CHECK(c.platform_region != NULL,
                   "platform_region set after SR_OK (cli/init.c strcmp()s it)");
        FUZZ_CHECK(c.master_key_file != NULL,
                   "master_key_file set after SR_OK (serve.c reads NULL as out of memory)");
        FUZZ_CHECK(c.worker_threads >= 1 && c.worker_threads <= 64, "worker_threads in 1..64");
        FUZZ_CHECK(c.http_threads >= 1 && c.http_threads <= 64, "http_threads in 1..64");
        FUZZ_CHECK(c.worker_queue >= 1 && c.worker_queue <= 65536, "worker_queue in 1..65536");
        struct sr_cidr proxies[SR_CONFIG_MAX_PROXIES];
        size_t n = 0;
        sr_rc_ignore(sr_cidr_parse_list(c.trusted_proxies, proxies, SR_CONFIG_MAX_PROXIES, &n));
        enum sr_region r;
        sr_rc_ignore(sr_region_parse(c.platform_region, &r)); /* bad value is init's error */
        sr_config_fini(&c);
        return 0;
}
