/*
 * Membership sync: when processes join the CIB group, every member multicasts an offer
 * (its CIB's version, whole-CIB digest and minority mark). Corosync delivers the offers
 * in the same order to all, so once every member's offer is in, all pick the same
 * winner by the same rule (bl_cib_offer_pick() in lib/cib): a CIB that was never
 * changed without quorum beats one that was (a cut-off node may write status and so
 * raise num_updates past the majority's version, but the majority's CIB is the one the
 * cluster acted on); then the higher version; then, for equal versions with different
 * contents, the digest held by more members, then the lowest node id and pid.
 * If the offers differ, the winner multicasts its whole CIB and the others take it.
 * Writes delivered meanwhile are refused on every node alike (based_cib.c), so none is
 * applied to some copies and not others.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <belay/common.h>

#include "based_private.h"

static uint64_t
peer_key(uint32_t nodeid, uint32_t pid)
{
    return ((uint64_t) nodeid << 32) | pid;
}

static bool
is_me(const based_t *based, uint32_t nodeid, uint32_t pid)
{
    return nodeid == bl_cpg_local_nodeid(based->cpg) && pid == (uint32_t) getpid();
}

static void
send_offer(based_t *based)
{
    const xmlDoc *doc = bl_cib_replica_doc(based->replica);
    bl_cib_version_t version = {0};
    char digest[BL_DIGEST_HEXLEN + 1];
    char *msg;
    int rc;

    bl_cib_version_get(doc, &version, NULL);
    bl_xml_digest(xmlDocGetRootElement(doc), digest);
    msg = bl_asprintf("%c %d %" PRId64 " %" PRId64 " %" PRId64 " %s\n", BASED_MSG_OFFER,
                      based->minority ? 1 : 0, version.admin_epoch, version.epoch,
                      version.num_updates, digest);
    rc = based_send(based, msg, strlen(msg) + 1);
    if (rc != 0) {
        bl_err("cannot offer our CIB to the group: %s", bl_strerror(rc));
    }
    free(msg);
}

void
based_sync_membership(based_t *based, const bl_cpg_membership_t *change)
{
    if (change->n_joined == 0 && !based->syncing) {
        /* Members only left: the others applied the same writes in the same order. */
        return;
    }
    /* Offers describe what is on disk: commit what was delivered before the change. */
    based_cib_flush(based);
    based->syncing = true;
    based->winner = 0;
    if (based->round == NULL) {
        based->round = g_array_new(FALSE, FALSE, sizeof(based_peer_t));
        based->offers = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    }
    g_array_set_size(based->round, 0);
    g_hash_table_remove_all(based->offers);
    for (size_t i = 0; i < change->n_members; i++) {
        based_peer_t peer = {change->members[i].nodeid, change->members[i].pid};

        g_array_append_val(based->round, peer);
    }
    bl_info("membership changed: comparing CIBs with %zu member(s)", change->n_members);
    send_offer(based);
}

static bool
in_round(const based_t *based, uint32_t nodeid, uint32_t pid)
{
    for (guint i = 0; i < based->round->len; i++) {
        const based_peer_t *peer = &g_array_index(based->round, based_peer_t, i);

        if (peer->nodeid == nodeid && peer->pid == pid) {
            return true;
        }
    }
    return false;
}

/* The winner of this round's offers (bl_cib_offer_pick()); *all_same as there. */
static bl_cib_offer_t
best_offer(const based_t *based, bool *all_same)
{
    GArray *all = g_array_new(FALSE, FALSE, sizeof(bl_cib_offer_t));
    GHashTableIter iter;
    gpointer value;
    bl_cib_offer_t best;

    g_hash_table_iter_init(&iter, based->offers);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        g_array_append_val(all, *(const bl_cib_offer_t *) value);
    }
    best = g_array_index(all, bl_cib_offer_t,
                         bl_cib_offer_pick((const bl_cib_offer_t *) all->data, all->len, all_same));
    g_array_free(all, TRUE);
    return best;
}

/* The members agree on a CIB; it is a majority's once a quorate partition holds it. */
static void
round_done(based_t *based, bool winner_minority)
{
    based->syncing = false;
    based_sync_set_minority(based, winner_minority && !based->quorate);
}

/* All offers are in: done when they agree, else the winner sends its CIB. */
static void
decide(based_t *based)
{
    bool all_same;
    bl_cib_offer_t best = best_offer(based, &all_same);

    if (all_same) {
        round_done(based, best.minority);
        bl_info("all %u member(s) hold the same CIB", based->round->len);
        return;
    }
    based->winner = peer_key(best.nodeid, best.pid);
    based->winner_minority = best.minority;
    bl_info("CIB sync: the members differ; node %" PRIu32 " holds the CIB to keep (%s)",
            best.nodeid, best.minority ? "changed without quorum" : "quorate");
    if (is_me(based, best.nodeid, best.pid)) {
        char *text = bl_xml_format(xmlDocGetRootElement(bl_cib_replica_doc(based->replica)));
        char *msg = bl_asprintf("%c\n%s", BASED_MSG_SYNC, text);
        int rc = based_send(based, msg, strlen(msg) + 1);

        if (rc != 0) {
            bl_err("cannot send our CIB to the group: %s", bl_strerror(rc));
        }
        free(msg);
        free(text);
    }
}

static void
on_offer(based_t *based, uint32_t nodeid, uint32_t pid, const char *msg)
{
    bl_cib_offer_t *offer = g_new0(bl_cib_offer_t, 1);

    offer->nodeid = nodeid;
    offer->pid = pid;
    int minority = 0;

    if (sscanf(msg, "O %d %" SCNd64 " %" SCNd64 " %" SCNd64 " %64s", &minority,
               &offer->version.admin_epoch, &offer->version.epoch, &offer->version.num_updates,
               offer->digest)
        != 5) {
        bl_warn("ignored a malformed CIB offer from node %" PRIu32, nodeid);
        g_free(offer);
        return;
    }
    offer->minority = minority != 0;
    g_hash_table_insert(based->offers, g_memdup2(&(uint64_t){peer_key(nodeid, pid)}, 8), offer);
    if (based->winner == 0 && g_hash_table_size(based->offers) == based->round->len) {
        decide(based);
    }
}

static void
notify_replaced(based_t *based, const char *from, const char *to)
{
    xmlNode *event = xmlNewNode(NULL, (const xmlChar *) "cib-replaced");
    char *text;

    bl_xml_set_attr(event, "source", from);
    bl_xml_set_attr(event, "target", to);
    text = bl_xml_format(event);
    based_cib_notify(based, text);
    free(text);
    xmlFreeNode(event);
}

static void
on_sync(based_t *based, uint32_t nodeid, const char *text, size_t len)
{
    xmlDoc *doc = NULL;
    char *err = NULL;
    bl_cib_version_t ours = {0};
    bl_cib_version_t theirs = {0};
    int rc;

    round_done(based, based->winner_minority);
    based_cib_flush(based);
    bl_cib_version_get(bl_cib_replica_doc(based->replica), &ours, NULL);
    rc = bl_xml_parse(text, len, "CIB from a peer", &doc, &err);
    if (rc == 0 && !bl_cib_equal(doc, bl_cib_replica_doc(based->replica))) {
        char *from = NULL;
        char *to = NULL;

        bl_cib_version_get(doc, &theirs, NULL);
        rc = bl_cib_replica_take(based->replica, doc, &err);
        from = bl_cib_version_format(&ours);
        to = bl_cib_version_format(&theirs);
        bl_notice("CIB sync: took the CIB %s from node %" PRIu32 " (ours was %s)", to, nodeid,
                  from);
        notify_replaced(based, from, to);
        free(from);
        free(to);
    }
    if (rc != 0) {
        bl_err("CIB sync from node %" PRIu32 " failed: %s", nodeid, err);
    }
    free(err);
    xmlFreeDoc(doc);
}

void
based_sync_deliver(based_t *based, uint32_t nodeid, uint32_t pid, const char *msg, size_t len)
{
    /* Only the current round counts: older rounds' messages are overtaken by events. */
    if (!based->syncing || based->round == NULL || !in_round(based, nodeid, pid)) {
        return;
    }
    if (msg[0] == BASED_MSG_OFFER && based->winner == 0) {
        on_offer(based, nodeid, pid, msg);
    } else if (msg[0] == BASED_MSG_SYNC && based->winner == peer_key(nodeid, pid) && len > 2) {
        on_sync(based, nodeid, msg + 2, len - 3);
    }
}

void
based_sync_free(based_t *based)
{
    if (based->round != NULL) {
        g_array_free(based->round, TRUE);
        g_hash_table_destroy(based->offers);
    }
}

static char *
minority_path(const based_t *based)
{
    return bl_asprintf("%s/cib.minority", based->state_dir);
}

void
based_sync_load_minority(based_t *based)
{
    char *path = minority_path(based);

    based->minority = access(path, F_OK) == 0;
    if (based->minority) {
        bl_notice("%s: this CIB was changed without quorum; a quorate CIB wins over it", path);
    }
    free(path);
}

void
based_sync_set_minority(based_t *based, bool minority)
{
    char *path;
    char *err = NULL;

    if (based->minority == minority) {
        return;
    }
    based->minority = minority;
    path = minority_path(based);
    if (minority && bl_file_write_atomic(path, "1\n", 2, &err) != 0) {
        bl_warn("cannot mark the CIB as changed without quorum: %s", err);
    } else if (!minority && unlink(path) != 0 && errno != ENOENT) {
        bl_warn("cannot remove %s: %s", path, g_strerror(errno));
    }
    free(err);
    free(path);
}
