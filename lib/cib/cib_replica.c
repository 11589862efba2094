/*
 * The CIB replica of belay-based: what a write must pass before it is multicast, and
 * applying delivered diffs in order, each persisted before it is acknowledged.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <belay/cib.h>

#include "cib_private.h"

/* A journal this long is folded into cib.xml at the next flush (bounds replay time). */
#define CHECKPOINT_RECORDS 200

/* A checkpoint written by a thread of its own, so that writes need not wait for it. */
typedef struct checkpoint_job {
    char *dir;
    char *text; /* the CIB as formatted when the journal was rotated */
    unsigned keep;
    int rc;
    char *err;
    gint done; /* set (atomically) by the thread as it ends */
} checkpoint_job_t;

struct bl_cib_replica {
    char *dir;
    unsigned keep;
    xmlDoc *doc;
    bl__cib_journal_t *journal;
    char digest[BL_DIGEST_HEXLEN + 1]; /* of doc's configuration, once known */
    bool digest_known;
    GThread *checkpointer; /* the running or finished background checkpoint, if any */
    checkpoint_job_t *job;
    bool old_journal; /* cib.journal.old holds records that cib.xml may not */
};

/* The damaged-file fallback: refuse cib.xml, take the newest intact archive. */
static int
open_archive(const char *dir, const char *why, xmlDoc **doc, char **note, char **err)
{
    char *path = NULL;
    char *archive_err = NULL;
    int rc = bl_cib_store_read_archive(dir, doc, &path, &archive_err);

    if (rc == 0) {
        *note = bl_asprintf("%s; loaded the archive %s instead", why, path);
    } else {
        bl_err_set(err, "%s, and no intact archive remains", why);
    }
    free(path);
    free(archive_err);
    return rc;
}

static int open_journal(bl_cib_replica_t *replica, char **note, char **err);

int
bl_cib_replica_open(const char *dir, unsigned keep, bl_cib_replica_t **replica, char **note,
                    char **err)
{
    xmlDoc *doc = NULL;
    char *read_err = NULL;
    int rc = bl_cib_store_read(dir, &doc, &read_err);

    if (rc == 0) {
        *note = bl_asprintf("loaded %s/cib.xml", dir);
    } else if (rc == -ENOENT) {
        char *why = bl_asprintf("%s/cib.xml does not exist", dir);

        rc = open_archive(dir, why, &doc, note, err);
        free(why);
        if (rc == -ENOENT) {
            bl_free(err);
            doc = bl_cib_new_empty();
            *note = bl_asprintf("no CIB in %s; starting with an empty one", dir);
            rc = 0;
        }
    } else {
        char *why = bl_asprintf("refused the damaged %s", read_err);

        rc = open_archive(dir, why, &doc, note, err);
        free(why);
    }
    free(read_err);
    if (rc != 0) {
        return rc;
    }
    *replica = g_new0(bl_cib_replica_t, 1);
    (*replica)->dir = bl_strdup(dir);
    (*replica)->keep = keep;
    (*replica)->doc = doc;
    rc = open_journal(*replica, note, err);
    if (rc != 0) {
        bl_cib_replica_free(*replica);
        *replica = NULL;
    }
    return rc;
}

/* Replays the journal onto the CIB just loaded and folds it into cib.xml at once. */
static int
open_journal(bl_cib_replica_t *replica, char **note, char **err)
{
    char *replay_err = NULL;
    unsigned applied = 0;
    char *more = NULL;
    int rc = bl__cib_journal_open(replica->dir, &replica->journal, err);

    if (rc != 0) {
        return rc;
    }
    rc = bl__cib_journal_replay(replica->journal, replica->doc, &applied, &replay_err);
    if (rc != 0) {
        more = bl_asprintf("%s; dropped the rest of the journal (%s)", *note, replay_err);
    } else if (applied > 0) {
        more = bl_asprintf("%s and replayed %u journaled write(s)", *note, applied);
    }
    if (more != NULL) {
        free(*note);
        *note = more;
    }
    free(replay_err);
    rc = more != NULL ? bl_cib_store_write(replica->dir, replica->doc, replica->keep, err) : 0;
    return rc != 0 ? rc : bl__cib_journal_reset(replica->journal, err);
}

static int reap_checkpoint(bl_cib_replica_t *replica, bool wait, char **err);

void
bl_cib_replica_free(bl_cib_replica_t *replica)
{
    if (replica == NULL) {
        return;
    }
    reap_checkpoint(replica, true, NULL);
    xmlFreeDoc(replica->doc);
    bl__cib_journal_free(replica->journal);
    free(replica->dir);
    g_free(replica);
}

const xmlDoc *
bl_cib_replica_doc(const bl_cib_replica_t *replica)
{
    return replica->doc;
}

/* The document the write produces, in *next; the replica's CIB is not touched. */
static int
build_next(const bl_cib_replica_t *replica, const xmlDoc *payload, bool replace, xmlDoc **next,
           char **err)
{
    int rc;

    if (replace) {
        *next = xmlCopyDoc((xmlDoc *) payload, 1);
        return 0;
    }
    *next = xmlCopyDoc(replica->doc, 1);
    /* No digest here: every node checks it when the diff is delivered (bl_cib_patch()). */
    rc = bl__cib_patch_unverified(*next, payload, err);
    if (rc != 0) {
        xmlFreeDoc(*next);
        *next = NULL;
    }
    return rc;
}

/* A write must raise the version, so that every copy can tell old from new. */
static int
check_newer(const xmlDoc *old_doc, const xmlDoc *next, char **err)
{
    bl_cib_version_t old_version;
    bl_cib_version_t new_version;
    char *old_text;
    char *new_text;
    int rc = bl_cib_version_get(old_doc, &old_version, err);

    if (rc == 0) {
        rc = bl_cib_version_get(next, &new_version, err);
    }
    if (rc != 0 || bl_cib_version_compare(&new_version, &old_version) > 0) {
        return rc;
    }
    old_text = bl_cib_version_format(&old_version);
    new_text = bl_cib_version_format(&new_version);
    bl_err_set(err, "the new CIB's version %s is not newer than the current %s", new_text,
               old_text);
    free(old_text);
    free(new_text);
    return BL_EVERSION;
}

const char *
bl_cib_replica_digest(bl_cib_replica_t *replica)
{
    if (!replica->digest_known) {
        bl_cib_digest(replica->doc, replica->digest);
        replica->digest_known = true;
    }
    return replica->digest;
}

/*
 * A client's diff records the digest of the configuration it produces; a diff that lies
 * about it passes here but fails on delivery on every node (bl_cib_patch() checks it).
 */
static bool
configuration_changed(bl_cib_replica_t *replica, const xmlDoc *payload, bool replace,
                      const xmlDoc *next)
{
    char digest[BL_DIGEST_HEXLEN + 1];
    const char *next_digest = replace ? NULL : bl__cib_diff_digest(payload);

    if (next_digest == NULL) {
        bl_cib_digest(next, digest);
        next_digest = digest;
    }
    return strcmp(bl_cib_replica_digest(replica), next_digest) != 0;
}

int
bl_cib_replica_prepare(bl_cib_replica_t *replica, const xmlDoc *payload, bool replace, bool quorate,
                       xmlDoc **diff, bool *configuration, char **err)
{
    xmlDoc *next = NULL;
    int rc = build_next(replica, payload, replace, &next, err);

    if (rc == 0) {
        rc = check_newer(replica->doc, next, err);
    }
    if (rc == 0) {
        rc = bl_cib_validate(next, err);
        if (rc != 0) {
            bl_err_prefix(err, "the resulting CIB is invalid, nothing was written");
        }
    }
    if (rc == 0) {
        *configuration = configuration_changed(replica, payload, replace, next);
        if (*configuration && !quorate) {
            bl_err_set(err, "configuration changes are refused while this partition has no quorum");
            rc = -EPERM;
        }
    }
    /* A client's diff is known to apply and give NEXT: pass it on as it is. */
    if (rc == 0 && !replace) {
        *diff = xmlCopyDoc((xmlDoc *) payload, 1);
    } else if (rc == 0) {
        rc = bl_cib_diff(replica->doc, next, diff, err);
    }
    xmlFreeDoc(next);
    return rc;
}

int
bl_cib_replica_apply_deferred(bl_cib_replica_t *replica, const xmlDoc *diff, const char *text,
                              size_t len, char **err)
{
    char *formatted = NULL;
    int rc = bl_cib_patch(replica->doc, diff, err);

    if (rc != 0) {
        return rc;
    }
    /* bl_cib_patch() checked that the result has the digest the diff records. */
    memcpy(replica->digest, bl__cib_diff_digest(diff), BL_DIGEST_HEXLEN + 1);
    replica->digest_known = true;
    if (text == NULL) {
        formatted = bl_xml_format(xmlDocGetRootElement(diff));
        text = formatted;
        len = strlen(formatted);
    }
    bl__cib_journal_append(replica->journal, text, len);
    free(formatted);
    return 0;
}

/*
 * Versions NEXT, CHANGE's result from a CIB whose configuration digest is CURRENT: a
 * configuration change bumps epoch (refused without quorum), anything else num_updates.
 * VALIDATE: the result must validate. DIGEST gets NEXT's configuration digest.
 */
static int
check_change(const char *current, xmlDoc *next, bool quorate, bool validate, char digest[],
             char **err)
{
    bool configuration;
    int rc;

    bl_cib_digest(next, digest);
    configuration = strcmp(current, digest) != 0;
    if (configuration && !quorate) {
        bl_err_set(err, "configuration changes are refused while this partition has no quorum");
        return -EPERM;
    }
    bl_cib_version_bump(next, configuration);
    rc = validate ? bl_cib_validate(next, err) : 0;
    if (rc != 0) {
        bl_err_prefix(err, "the resulting CIB is invalid, nothing was written");
    }
    return rc;
}

/* True when DIFF changes more than the version attributes of the root. */
static bool
changes_content(const xmlDoc *diff)
{
    for (const xmlNode *change = bl_xml_first_child(xmlDocGetRootElement(diff), NULL);
         change != NULL; change = bl_xml_next(change, NULL)) {
        const char *name = bl_xml_attr(change, "name");

        if (bl_xml_is(change, "version")) {
            continue;
        }
        if (!bl_xml_is(change, "set") || g_strcmp0(bl_xml_attr(change, "path"), "/cib") != 0
            || (g_strcmp0(name, "epoch") != 0 && g_strcmp0(name, "num_updates") != 0)) {
            return true;
        }
    }
    return false;
}

/* One change on top of CURRENT (configuration digest CURRENT_DIGEST), CURRENT untouched. */
typedef struct change_step {
    bl_cib_change_fn change;
    void *data;
    bool quorate;
    bool validate;                     /* in: validate the result */
    xmlDoc *next;                      /* out: the result, NULL when nothing changed */
    char digest[BL_DIGEST_HEXLEN + 1]; /* out: its configuration digest */
    char *diff;                        /* out: the diff from CURRENT to NEXT */
} change_step_t;

static int
change_step(const xmlDoc *current, const char *current_digest, change_step_t *step, char **err)
{
    xmlDoc *next = xmlCopyDoc((xmlDoc *) current, 1);
    xmlDoc *changes = NULL;
    int rc = step->change(next, step->data, err);

    step->next = NULL;
    step->diff = NULL;
    if (rc == 0) {
        rc = check_change(current_digest, next, step->quorate, step->validate, step->digest, err);
    }
    if (rc == 0) {
        /* The version bump left the configuration, hence its digest, as it was. */
        rc = bl__cib_diff_known_digest(current, next, step->digest, &changes, err);
    }
    /* Nothing but the version bump: a change that changed nothing is not a write. */
    if (rc == 0 && changes_content(changes)) {
        step->next = g_steal_pointer(&next);
        step->diff = bl_xml_format(xmlDocGetRootElement(changes));
    }
    xmlFreeDoc(changes);
    xmlFreeDoc(next);
    return rc;
}

/* Makes STEP's result the replica's CIB and journals its diff (handed to *diff). */
static void
take_step(bl_cib_replica_t *replica, change_step_t *step, char **diff)
{
    xmlFreeDoc(replica->doc);
    replica->doc = g_steal_pointer(&step->next);
    memcpy(replica->digest, step->digest, sizeof(replica->digest));
    replica->digest_known = true;
    bl__cib_journal_append(replica->journal, step->diff, strlen(step->diff));
    *diff = g_steal_pointer(&step->diff);
}

int
bl_cib_replica_change_deferred(bl_cib_replica_t *replica, bl_cib_change_fn change, void *data,
                               bool quorate, char **diff, char **err)
{
    change_step_t step = {.change = change, .data = data, .quorate = quorate, .validate = true};
    const char *current = bl_cib_replica_digest(replica);
    int rc = change_step(replica->doc, current, &step, err);

    *diff = NULL;
    if (rc == 0 && step.next != NULL) {
        take_step(replica, &step, diff);
    }
    return rc;
}

static void
batch_clear(bl_cib_batch_item_t *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        items[i].rc = 0;
        bl_free(&items[i].diff);
        bl_free(&items[i].err);
    }
}

/*
 * A batch's pass: two copies of the CIB kept equal between changes, BEFORE (where a change
 * starts from) and AFTER (where it is made). A change made on AFTER is diffed against
 * BEFORE, then made again on BEFORE; so no change needs a copy of the whole CIB. Changes
 * are deterministic (every node relies on it), so both copies end up equal.
 */
typedef struct batch_pass {
    xmlDoc *before;
    xmlDoc *after;
    char digest[BL_DIGEST_HEXLEN + 1]; /* of both copies' configuration */
    bool changed;                      /* some change was taken */
} batch_pass_t;

/* ITEM's change in the pass, validated; false when BEFORE could not follow AFTER. */
static bool
batch_step(batch_pass_t *pass, bl_cib_change_fn change, bl_cib_batch_item_t *item)
{
    char digest[BL_DIGEST_HEXLEN + 1];
    xmlDoc *changes = NULL;
    char *why = NULL;
    bool in_step = true;

    item->rc = change(pass->after, item->data, &item->err);
    if (item->rc == 0) {
        item->rc = check_change(pass->digest, pass->after, item->quorate, true, digest, &item->err);
    }
    if (item->rc == 0) {
        item->rc =
            bl__cib_diff_known_digest(pass->before, pass->after, digest, &changes, &item->err);
    }
    if (item->rc == 0 && changes_content(changes)) {
        item->diff = bl_xml_format(xmlDocGetRootElement(changes));
        in_step = change(pass->before, item->data, &why) == 0;
        bl_cib_version_bump(pass->before, strcmp(pass->digest, digest) != 0);
        memcpy(pass->digest, digest, sizeof(digest));
        pass->changed = true;
    } else {
        /* refused, or changed nothing: AFTER goes back to what it was */
        xmlFreeDoc(pass->after);
        pass->after = xmlCopyDoc(pass->before, 1);
    }
    free(why);
    xmlFreeDoc(changes);
    return in_step;
}

/* The batch applied change by change, each validated; false when the pass went wrong. */
static bool
batch_pass(bl_cib_replica_t *replica, bl_cib_change_fn change, bl_cib_batch_item_t *items, size_t n,
           batch_pass_t *pass)
{
    bool in_step = true;

    pass->before = xmlCopyDoc(replica->doc, 1);
    pass->after = xmlCopyDoc(replica->doc, 1);
    pass->changed = false;
    memcpy(pass->digest, bl_cib_replica_digest(replica), sizeof(pass->digest));
    for (size_t i = 0; i < n && in_step; i++) {
        in_step = batch_step(pass, change, &items[i]);
    }
    return in_step;
}

void
bl_cib_replica_change_batch_deferred(bl_cib_replica_t *replica, bl_cib_change_fn change,
                                     bl_cib_batch_item_t *items, size_t n)
{
    batch_pass_t pass;

    /* One change alone needs one copy, not two. */
    if (n > 1 && batch_pass(replica, change, items, n, &pass)) {
        if (pass.changed) {
            xmlFreeDoc(replica->doc);
            replica->doc = g_steal_pointer(&pass.after);
            memcpy(replica->digest, pass.digest, sizeof(replica->digest));
            replica->digest_known = true;
        }
        for (size_t i = 0; i < n; i++) {
            if (items[i].diff != NULL) {
                bl__cib_journal_append(replica->journal, items[i].diff, strlen(items[i].diff));
            }
        }
        xmlFreeDoc(pass.before);
        xmlFreeDoc(pass.after);
        return;
    }
    /* A change that is not deterministic left the copies apart: each on its own instead. */
    if (n > 1) {
        xmlFreeDoc(pass.before);
        xmlFreeDoc(pass.after);
    }
    batch_clear(items, n);
    for (size_t i = 0; i < n; i++) {
        items[i].rc = bl_cib_replica_change_deferred(
            replica, change, items[i].data, items[i].quorate, &items[i].diff, &items[i].err);
    }
}

static gpointer
run_checkpoint(gpointer data)
{
    checkpoint_job_t *job = data;

    job->rc = bl__cib_store_write_text(job->dir, job->text, job->keep, &job->err);
    g_atomic_int_set(&job->done, 1);
    return NULL;
}

/*
 * Ends the background checkpoint when it is done (WAIT: waits for it): on success its
 * cib.xml holds the rotated journal's records, which go. Returns its outcome, or 0 when
 * none ran; -EINPROGRESS while it runs.
 */
static int
reap_checkpoint(bl_cib_replica_t *replica, bool wait, char **err)
{
    checkpoint_job_t *job = replica->job;
    int rc;

    if (job == NULL) {
        return 0;
    }
    if (!wait && !g_atomic_int_get(&job->done)) {
        return -EINPROGRESS;
    }
    g_thread_join(replica->checkpointer);
    rc = job->rc;
    if (rc == 0) {
        bl__cib_journal_drop_old(replica->journal);
        replica->old_journal = false;
    } else if (err != NULL) {
        bl_err_set(err, "%s", job->err);
    }
    free(job->dir);
    free(job->text);
    free(job->err);
    g_free(job);
    replica->job = NULL;
    replica->checkpointer = NULL;
    return rc;
}

int
bl_cib_replica_checkpoint_start(bl_cib_replica_t *replica, char **err)
{
    checkpoint_job_t *job;
    int rc = reap_checkpoint(replica, false, err);

    if (rc == -EINPROGRESS || bl__cib_journal_records(replica->journal) == 0) {
        return 0;
    }
    /* A failed one left cib.journal.old to keep: write it all in this thread. */
    if (rc != 0 || replica->old_journal) {
        bl_free(err);
        return bl_cib_replica_checkpoint(replica, err);
    }
    rc = bl__cib_journal_sync(replica->journal, err);
    if (rc == 0) {
        rc = bl__cib_journal_rotate(replica->journal, err);
    }
    if (rc != 0) {
        return rc;
    }
    replica->old_journal = true;
    job = g_new0(checkpoint_job_t, 1);
    job->dir = bl_strdup(replica->dir);
    job->keep = replica->keep;
    job->text = bl_xml_format(xmlDocGetRootElement(replica->doc));
    replica->job = job;
    replica->checkpointer = g_thread_new("cib-checkpoint", run_checkpoint, job);
    return 0;
}

int
bl_cib_replica_flush(bl_cib_replica_t *replica, char **err)
{
    int rc = bl__cib_journal_sync(replica->journal, err);

    if (rc == 0 && bl__cib_journal_records(replica->journal) >= CHECKPOINT_RECORDS) {
        char *why = NULL;

        /* The writes are durable already: a checkpoint that fails is tried again later. */
        bl_cib_replica_checkpoint_start(replica, &why);
        free(why);
    }
    return rc;
}

int
bl_cib_replica_checkpoint(bl_cib_replica_t *replica, char **err)
{
    char *why = NULL;
    int rc;

    reap_checkpoint(replica, true, &why);
    free(why);
    if (bl__cib_journal_records(replica->journal) == 0 && !replica->old_journal) {
        return 0;
    }
    rc = bl_cib_store_write(replica->dir, replica->doc, replica->keep, err);
    if (rc == 0) {
        replica->old_journal = false;
    }
    return rc != 0 ? rc : bl__cib_journal_reset(replica->journal, err);
}

bool
bl_cib_replica_dirty(const bl_cib_replica_t *replica)
{
    return bl__cib_journal_records(replica->journal) > 0 || replica->old_journal;
}

int
bl_cib_replica_apply(bl_cib_replica_t *replica, const xmlDoc *diff, char **err)
{
    int rc = bl_cib_replica_apply_deferred(replica, diff, NULL, 0, err);

    return rc != 0 ? rc : bl_cib_replica_flush(replica, err);
}

int
bl_cib_replica_take(bl_cib_replica_t *replica, const xmlDoc *doc, char **err)
{
    char *why = NULL;
    int rc;

    reap_checkpoint(replica, true, &why);
    free(why);
    xmlFreeDoc(replica->doc);
    replica->doc = xmlCopyDoc((xmlDoc *) doc, 1);
    replica->digest_known = false;
    rc = bl_cib_store_write(replica->dir, replica->doc, replica->keep, err);
    if (rc == 0) {
        replica->old_journal = false;
    }
    return rc != 0 ? rc : bl__cib_journal_reset(replica->journal, err);
}
