/*
 * Quorum as belay-based's writes see it. Corosync tells CPG clients and votequorum clients
 * of a membership change separately, and the daemon reads them from two connections in
 * either order. A write delivered after CPG's change but before votequorum's notification
 * would pass as made with the quorum of the membership before: on a node cut off from the
 * majority it would then carry no minority mark, and its CIB could win the sync at the
 * heal over the majority's (see based_sync.c).
 *
 * So from a CPG change that moved nodes until votequorum's view agrees with it
 * (bl_quorum_view_agrees()), the partition counts as inquorate: configuration writes are
 * refused and the writes delivered meanwhile mark the CIB as a minority's. When the view
 * agrees and says quorate, a mark that only this wait put on is taken off again: those
 * writes were made by a quorate partition after all.
 *
 * Should votequorum not agree within UNCONFIRMED_MAX_MS (it always has, but its news can
 * be lost with a wedged corosync), the partition still counts as inquorate: votequorum's
 * last view predates the change, and taking it would be the very mistake this wait is
 * there to prevent (a node cut off from a quorate majority would go on writing as
 * quorate). The timer only says so, loudly, once; the wait ends when votequorum agrees.
 */
#include <inttypes.h>
#include <stdlib.h>

#include <belay/common.h>

#include "based_private.h"

/* How long votequorum may take to agree before the wait is reported as overdue. */
#define UNCONFIRMED_MAX_MS 10000

static void
end_wait(based_t *based)
{
    bl_cpg_membership_free(based->unconfirmed);
    based->unconfirmed = NULL;
    if (based->unconfirmed_timer != 0) {
        g_source_remove(based->unconfirmed_timer);
        based->unconfirmed_timer = 0;
    }
}

/* Ends the wait when votequorum's VIEW agrees with the membership change it is about. */
static void
confirm(based_t *based, const bl_quorum_view_t *view)
{
    const char *quorate = view->quorate ? "quorate" : "not quorate";

    if (based->unconfirmed_timer == 0) {
        /* the wait was reported as overdue: its end is news to the operator too */
        bl_warn(
            "votequorum agrees with the CIB group's membership at last, after more than %u ms: %s",
            based->unconfirmed_max_ms, quorate);
    } else {
        bl_info("votequorum agrees with the CIB group's membership: %s", quorate);
    }
    end_wait(based);
    if (view->quorate && based->minority && !based->minority_before) {
        bl_notice("writes made while votequorum caught up were made with quorum after all; "
                  "the CIB is not a minority's");
        based_sync_set_minority(based, false);
    }
}

/* Recomputes based->quorate from votequorum's view and the pending membership change. */
static void
update(based_t *based)
{
    const bl_quorum_view_t *view = bl_quorum_view(based->quorum);

    if (based->unconfirmed != NULL && view != NULL
        && bl_quorum_view_agrees(view, based->unconfirmed)) {
        confirm(based, view);
    }
    based->quorate = based->votequorum_quorate && based->unconfirmed == NULL;
}

/* The wait is overdue: the partition stays inquorate (see the top of this file). */
static gboolean
report_overdue(gpointer data)
{
    based_t *based = data;

    based->unconfirmed_timer = 0;
    bl_err(
        "votequorum has not agreed with the CIB group's membership (%zu members) after %u ms; the partition stays without quorum (configuration writes refused, other writes marked as a minority's) until it does; check corosync-quorumtool -s",
        based->unconfirmed->n_members, based->unconfirmed_max_ms);
    return G_SOURCE_REMOVE;
}

void
based_quorum_membership(based_t *based, const bl_cpg_membership_t *change)
{
    const bl_quorum_view_t *view = bl_quorum_view(based->quorum);

    if (!bl_cpg_membership_nodes_changed(change)
        || (view != NULL && bl_quorum_view_agrees(view, change))) {
        /* no node came or went, or votequorum told us first: its view holds */
        return;
    }
    if (based->unconfirmed == NULL) {
        based->minority_before = based->minority;
        based->unconfirmed_timer = g_timeout_add(based->unconfirmed_max_ms, report_overdue, based);
        bl_info("nodes joined or left the CIB group; writes count as made without quorum until "
                "votequorum agrees");
    }
    bl_cpg_membership_free(based->unconfirmed);
    based->unconfirmed = bl_cpg_membership_copy(change);
    based->quorate = false;
}

/* Takes in votequorum's latest view. */
static void
view_changed(based_t *based)
{
    const bl_quorum_view_t *view = bl_quorum_view(based->quorum);
    bool quorate = view != NULL && view->quorate;

    if (view != NULL && quorate != based->votequorum_quorate) {
        bl_notice("partition is %s (%" PRIu32 " of %" PRIu32 " expected votes, %" PRIu32 " needed)",
                  quorate ? "quorate" : "NOT quorate", view->total_votes, view->expected_votes,
                  view->quorum);
    }
    based->votequorum_quorate = quorate;
    update(based);
}

static gboolean
delayed_view(gpointer data)
{
    based_t *based = data;

    based->quorum_delay_timer = 0;
    view_changed(based);
    return G_SOURCE_REMOVE;
}

void
based_quorum_on_view(bl_quorum_t *quorum, const bl_quorum_view_t *view, void *user_data)
{
    based_t *based = user_data;

    (void) quorum;
    (void) view;
    if (based->quorum_delay_ms == 0) {
        view_changed(based);
    } else if (based->quorum_delay_timer == 0) {
        /* tests: votequorum's news arrives late, as it may under load */
        based->quorum_delay_timer = g_timeout_add(based->quorum_delay_ms, delayed_view, based);
    }
}

void
based_quorum_on_gone(bl_quorum_t *quorum, int rc, void *user_data)
{
    based_t *based = user_data;

    (void) quorum;
    bl_err("lost the connection to corosync (votequorum): %s", bl_strerror(rc));
    based->votequorum_quorate = false;
    based->quorate = false;
    based_reconnect_later(based);
}

void
based_quorum_init(based_t *based)
{
    const char *delay = getenv("BELAY_TEST_QUORUM_DELAY_MS");
    const char *overdue = getenv("BELAY_TEST_QUORUM_OVERDUE_MS");

    based->quorum_delay_ms = delay != NULL ? (guint) strtoul(delay, NULL, 10) : 0;
    if (based->quorum_delay_ms > 0) {
        bl_warn("BELAY_TEST_QUORUM_DELAY_MS: votequorum's notifications are taken in %u ms "
                "late (for tests only)",
                based->quorum_delay_ms);
    }
    based->unconfirmed_max_ms = overdue != NULL ? (guint) strtoul(overdue, NULL, 10) : 0;
    if (based->unconfirmed_max_ms > 0) {
        /* tests: an overdue wait without waiting UNCONFIRMED_MAX_MS for it */
        bl_warn("BELAY_TEST_QUORUM_OVERDUE_MS: votequorum is overdue after %u ms (for tests only)",
                based->unconfirmed_max_ms);
    } else {
        based->unconfirmed_max_ms = UNCONFIRMED_MAX_MS;
    }
}

void
based_quorum_free(based_t *based)
{
    end_wait(based);
    if (based->quorum_delay_timer != 0) {
        g_source_remove(based->quorum_delay_timer);
        based->quorum_delay_timer = 0;
    }
}
