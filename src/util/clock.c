/* Policy clock with the test offset file of CONTRACTS.md. The file is
 * re-checked (mtime, size, inode) on every call, so a test moves time by
 * rewriting it; it is ignored unless owned by us and not group/other
 * writable, so nobody else can move our clock. */
#include "util/clock.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *offset_path;
static atomic_llong offset_s;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct stat last_st;

void
sr_clock_init(void)
{
        const char *p = getenv("STRONGROOM_CLOCK_OFFSET_FILE");
        offset_path = (p != NULL && p[0] != '\0') ? p : NULL;
}

bool
sr_clock_is_test(void)
{
        return offset_path != NULL;
}

void
sr_clock_set_offset(int64_t v)
{
        atomic_store(&offset_s, v);
}

static int64_t
read_offset_file(const struct stat *st)
{
        if (st->st_uid != geteuid() || (st->st_mode & (S_IWGRP | S_IWOTH)))
                return 0;
        FILE *f = fopen(offset_path, "re");
        if (f == NULL)
                return 0;
        char line[64] = {0};
        size_t n = fread(line, 1, sizeof(line) - 1, f);
        fclose(f);
        line[n] = '\0';
        char *end = NULL;
        long long v = strtoll(line, &end, 10);
        if (end == line)
                return 0;
        while (*end == ' ' || *end == '\n' || *end == '\t' || *end == '\r')
                end++;
        return *end == '\0' ? (int64_t)v : 0;
}

static void
refresh_offset(void)
{
        struct stat st;
        if (stat(offset_path, &st) != 0) {
                atomic_store(&offset_s, 0);
                memset(&last_st, 0, sizeof(last_st));
                return;
        }
        pthread_mutex_lock(&lock);
        if (st.st_ino != last_st.st_ino || st.st_size != last_st.st_size ||
            st.st_mtim.tv_sec != last_st.st_mtim.tv_sec ||
            st.st_mtim.tv_nsec != last_st.st_mtim.tv_nsec) {
                atomic_store(&offset_s, read_offset_file(&st));
                last_st = st;
        }
        pthread_mutex_unlock(&lock);
}

int64_t
sr_clock_now(void)
{
        if (offset_path != NULL)
                refresh_offset();
        return (int64_t)time(NULL) + atomic_load(&offset_s);
}

uint64_t
sr_clock_mono_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
 * civil_from_days). Every log line and rendered time comes through here;
 * gmtime_r takes glibc's time-zone lock on each call, which the HTTP
 * threads then contend for. */
static void
civil_from_days(int64_t z, int64_t *ret_y, unsigned *ret_m, unsigned *ret_d)
{
        z += 719468;
        int64_t era = (z >= 0 ? z : z - 146096) / 146097;
        unsigned doe = (unsigned)(z - era * 146097);
        unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        unsigned mp = (5 * doy + 2) / 153;
        unsigned d = doy - (153 * mp + 2) / 5 + 1;
        unsigned m = mp < 10 ? mp + 3 : mp - 9;
        *ret_y = (int64_t)yoe + era * 400 + (m <= 2);
        *ret_m = m;
        *ret_d = d;
}

void
sr_clock_format(int64_t t, char *out, size_t out_len)
{
        int64_t days = t / 86400, secs = t % 86400;
        if (secs < 0) {
                secs += 86400;
                days--;
        }
        int64_t y;
        unsigned m, d;
        civil_from_days(days, &y, &m, &d);
        snprintf(out, out_len, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, d,
                 (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
}

enum sr_rc
sr_clock_parse(const char *s, int64_t *ret_t)
{
        struct tm tm = {0};
        const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
        if (end == NULL)
                return SR_E_VALIDATION;
        if (*end == '.') {
                end++;
                while (*end >= '0' && *end <= '9')
                        end++;
        }
        if (strcmp(end, "Z") != 0 && strcmp(end, "+00:00") != 0)
                return SR_E_VALIDATION;
        *ret_t = (int64_t)timegm(&tm);
        return SR_OK;
}
