/* Durations for op intervals and timeouts: "30s", "1min", "500ms", "PT1M30S"... */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <belay/common.h>

/* Largest accepted duration: about 136 years, far beyond any sensible timeout. */
#define MAX_MS (UINT64_C(1) << 42)

struct unit {
    const char *name;
    uint64_t us; /* microseconds per unit */
};

static const struct unit units[] = {
    {"", 1000000},        {"s", 1000000},        {"sec", 1000000},
    {"ms", 1000},         {"msec", 1000},        {"us", 1},
    {"usec", 1},          {"m", 60000000},       {"min", 60000000},
    {"h", 3600000000ULL}, {"hr", 3600000000ULL},
};

static int
parse_iso8601(const char *text, uint64_t *ms, char **err)
{
    const char *p = text + 1; /* after 'P' */
    bool in_time = false;
    bool any = false;
    uint64_t total = 0;

    while (*p != '\0') {
        char *end;
        unsigned long long n;
        uint64_t scale;

        if (*p == 'T' && !in_time) {
            in_time = true;
            p++;
            continue;
        }
        if (*p < '0' || *p > '9') {
            goto bad;
        }
        errno = 0;
        n = strtoull(p, &end, 10);
        if (errno != 0 || n > MAX_MS) {
            goto bad;
        }
        switch (*end) {
        case 'W':
            scale = in_time ? 0 : 604800000ULL;
            break;
        case 'D':
            scale = in_time ? 0 : 86400000ULL;
            break;
        case 'H':
            scale = 3600000ULL; /* Pacemaker also takes H and S before the T */
            break;
        case 'M':
            scale = in_time ? 60000ULL : 0;
            break;
        case 'S':
            scale = 1000ULL;
            break;
        default:
            scale = 0;
            break;
        }
        if (scale == 0) {
            goto bad;
        }
        total += n * scale;
        if (total > MAX_MS) {
            goto bad;
        }
        any = true;
        p = end + 1;
    }
    if (!any) {
        goto bad;
    }
    *ms = total;
    return 0;
bad:
    bl_err_set(err, "invalid ISO 8601 duration '%s' (e.g. PT30S, PT1M, P1D)", text);
    return BL_EPARSE;
}

int
bl_duration_parse_ms(const char *text, uint64_t *ms, char **err)
{
    char *end = NULL;
    unsigned long long n;

    if (text == NULL || *text == '\0') {
        bl_err_set(err, "empty duration (expected e.g. 30s, 1min, 500ms)");
        return BL_EPARSE;
    }
    if (text[0] == 'P') {
        return parse_iso8601(text, ms, err);
    }
    if (text[0] < '0' || text[0] > '9') {
        goto bad;
    }
    errno = 0;
    n = strtoull(text, &end, 10);
    if (errno != 0) {
        goto bad;
    }
    while (*end == ' ') {
        end++;
    }
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcasecmp(end, units[i].name) == 0) {
            if (n > MAX_MS * 1000 / units[i].us) {
                goto bad;
            }
            *ms = (n * units[i].us + 999) / 1000;
            return 0;
        }
    }
bad:
    bl_err_set(
        err,
        "invalid duration '%s' (expected a number with an optional unit: ms, s, min, h; e.g. 30s)",
        text);
    return BL_EPARSE;
}
