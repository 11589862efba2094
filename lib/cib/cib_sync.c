/*
 * The rule by which the members of the CIB group agree on one CIB after a membership
 * change (see bl_cib_offer_pick() in cib.h). It is a total order on the offers, so
 * every member picks the same winner whatever order it saw the offers in.
 */
#include <string.h>

#include <belay/cib.h>

static size_t
holders(const bl_cib_offer_t *offers, size_t n, const char *digest)
{
    size_t count = 0;

    for (size_t i = 0; i < n; i++) {
        count += strcmp(offers[i].digest, digest) == 0;
    }
    return count;
}

static uint64_t
peer_key(const bl_cib_offer_t *offer)
{
    return ((uint64_t) offer->nodeid << 32) | offer->pid;
}

/* True when A's CIB wins over B's. */
static bool
better(const bl_cib_offer_t *offers, size_t n, const bl_cib_offer_t *a, const bl_cib_offer_t *b)
{
    int cmp;

    if (a->minority != b->minority) {
        return !a->minority;
    }
    cmp = bl_cib_version_compare(&a->version, &b->version);
    if (cmp != 0) {
        return cmp > 0;
    }
    if (strcmp(a->digest, b->digest) != 0) {
        size_t na = holders(offers, n, a->digest);
        size_t nb = holders(offers, n, b->digest);

        if (na != nb) {
            return na > nb;
        }
    }
    return peer_key(a) < peer_key(b);
}

size_t
bl_cib_offer_pick(const bl_cib_offer_t *offers, size_t n, bool *all_same)
{
    size_t best = 0;

    *all_same = true;
    for (size_t i = 1; i < n; i++) {
        if (strcmp(offers[i].digest, offers[best].digest) != 0) {
            *all_same = false;
        }
        if (better(offers, n, &offers[i], &offers[best])) {
            best = i;
        }
    }
    return best;
}
