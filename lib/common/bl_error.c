/* Error codes and the one-sentence messages parsers hand back to their callers. */
#include <stdlib.h>
#include <string.h>

#include <belay/common.h>

const char *
bl_strerror(int rc)
{
    switch (rc) {
    case 0:
        return "success";
    case BL_EPARSE:
        return "parse error";
    case BL_ESCHEMA:
        return "does not match the CIB schema";
    case BL_EINVALID:
        return "invalid configuration";
    case BL_ENOTFOUND:
        return "not found";
    case BL_EEXISTS:
        return "already exists";
    case BL_EDIGEST:
        return "digest mismatch";
    case BL_EVERSION:
        return "version mismatch";
    case BL_EUNSUPPORTED:
        return "not supported";
    case BL_EUSAGE:
        return "usage error";
    default:
        break;
    }
    if (rc < 0 && rc > -1000) {
        return strerror(-rc);
    }
    return "unknown error";
}

void
bl_err_set(char **err, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || *err != NULL) {
        return;
    }
    va_start(ap, fmt);
    *err = bl_vasprintf(fmt, ap);
    va_end(ap);
}

void
bl_err_prefix(char **err, const char *fmt, ...)
{
    va_list ap;
    char *prefix;

    if (err == NULL) {
        return;
    }
    va_start(ap, fmt);
    prefix = bl_vasprintf(fmt, ap);
    va_end(ap);
    if (*err == NULL) {
        *err = prefix;
        return;
    }
    char *joined = bl_asprintf("%s: %s", prefix, *err);

    free(prefix);
    free(*err);
    *err = joined;
}

unsigned
bl_edit_distance(const char *a, const char *b, unsigned max)
{
    size_t la = strlen(a);
    size_t lb = strlen(b);
    unsigned *row;
    unsigned result;

    if ((la > lb ? la - lb : lb - la) > max) {
        return max + 1;
    }
    row = bl_calloc(lb + 1, sizeof(*row));
    for (size_t j = 0; j <= lb; j++) {
        row[j] = (unsigned) j;
    }
    for (size_t i = 1; i <= la; i++) {
        unsigned diagonal = row[0];

        row[0] = (unsigned) i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned above = row[j];
            unsigned cost = (a[i - 1] == b[j - 1]) ? 0 : 1;
            unsigned best = diagonal + cost;

            if (above + 1 < best) {
                best = above + 1;
            }
            if (row[j - 1] + 1 < best) {
                best = row[j - 1] + 1;
            }
            row[j] = best;
            diagonal = above;
        }
    }
    result = row[lb];
    free(row);
    return result > max ? max + 1 : result;
}
