/*
 * lib/cib: the CIB (cluster information base) as a document — Pacemaker's XML format,
 * our RELAX NG schema, semantic checks, versions, digests, diffs and persistence.
 *
 * A CIB is held as a libxml2 xmlDoc whose root is <cib>. Functions never log: errors
 * come back as a return code plus one sentence in *err (caller frees).
 */
#ifndef BELAY_CIB_H
#define BELAY_CIB_H

#include <stdbool.h>
#include <stdint.h>

#include <libxml/tree.h>

#include <belay/common.h>

/* ------------------------------------------------------------- documents */

/*
 * Returns a new empty, valid CIB: <cib admin_epoch="0" epoch="0" num_updates="0"
 * validate-with="belay-1.0"> with empty crm_config, nodes, resources, constraints and
 * an empty status. Free with xmlFreeDoc().
 */
xmlDoc *bl_cib_new_empty(void);

/*
 * Parses CIB XML text. Checks only well-formedness and that the root is <cib>
 * (use bl_cib_validate() for the rest). NAME labels messages ("cib.xml line 3: ...").
 * Returns 0 and *doc, or BL_EPARSE.
 */
int bl_cib_parse(const char *text, size_t len, const char *name, xmlDoc **doc, char **err);

/* Reads and parses the CIB file PATH (see bl_cib_parse()); -errno if unreadable. */
int bl_cib_load(const char *path, xmlDoc **doc, char **err);

/*
 * Writes DOC to PATH atomically (temp file, fsync, rename), indented as
 * bl_xml_format() does. Returns 0 or -errno.
 */
int bl_cib_save(const char *path, const xmlDoc *doc, char **err);

/* Section element of the CIB (e.g. "configuration", "resources", "status"), or NULL. */
xmlNode *bl_cib_section(const xmlDoc *doc, const char *name);

/*
 * The elements XPath expression EXPR selects in DOC, copied in document order under
 * the root <xpath-result> of a new *result (free with xmlFreeDoc()). Returns BL_EPARSE
 * for an expression that does not compile, BL_EINVALID when it selects something other
 * than elements (attributes, text, a number), BL_ENOTFOUND when it selects nothing.
 */
int bl_cib_xpath(const xmlDoc *doc, const char *expr, xmlDoc **result, char **err);

/* ------------------------------------------------------------ validation */

/*
 * Validates DOC against Belay's RELAX NG schema (xml/cib.rng, compiled into the
 * library and parsed once per process). On failure returns BL_ESCHEMA and names the
 * element and its line, and why when Belay refuses a Pacemaker feature on purpose:
 * "line 12: element 'bundle' is not allowed in 'resources' (Belay does not support
 * bundles)". Thread-safe.
 */
int bl_cib_validate_schema(const xmlDoc *doc, char **err);

/*
 * Checks what the schema cannot, in time linear in the document: configuration ids
 * unique and well-formed (node ids and unames unique among nodes; status ids unique
 * per node); every reference (constraint rsc/with-rsc/first/then, resource_ref,
 * id-ref) names an existing object of a kind that may be referenced; scores,
 * booleans, enumerations (roles, kinds, actions...) and durations (op interval,
 * timeout, start-delay) valid; no two ops of a primitive with the same name and
 * interval; no colocation or same-action order of a resource with itself; rules and
 * date expressions consistent. Does not require the schema check to have passed.
 * Returns BL_EINVALID with the first fault, naming the object and its line:
 * "line 40: rsc_colocation 'web-with-vip': with-rsc 'webserverr' does not exist (did
 * you mean 'webserver'?)".
 */
int bl_cib_validate_semantics(const xmlDoc *doc, char **err);

/* bl_cib_validate_schema() then bl_cib_validate_semantics(). */
int bl_cib_validate(const xmlDoc *doc, char **err);

/* -------------------------------------------------------------- versions */

typedef struct bl_cib_version {
    int64_t admin_epoch;
    int64_t epoch;
    int64_t num_updates;
} bl_cib_version_t;

/*
 * Reads the version attributes of the <cib> root (a missing one counts as 0).
 * Returns 0, or BL_EPARSE if one is not a non-negative integer.
 */
int bl_cib_version_get(const xmlDoc *doc, bl_cib_version_t *version, char **err);

/* Writes VERSION into the <cib> root's attributes. */
void bl_cib_version_set(xmlDoc *doc, const bl_cib_version_t *version);

/* Compares admin_epoch, then epoch, then num_updates: <0, 0 or >0. */
int bl_cib_version_compare(const bl_cib_version_t *a, const bl_cib_version_t *b);

/*
 * Bumps DOC's version after a change. A change to the configuration section bumps
 * epoch and resets num_updates to 0; a status-only change bumps num_updates.
 * admin_epoch only changes when an administrator sets it.
 */
void bl_cib_version_bump(xmlDoc *doc, bool configuration_changed);

/* "admin_epoch.epoch.num_updates" — caller frees. */
char *bl_cib_version_format(const bl_cib_version_t *version);

/* --------------------------------------------------------------- digests */

/*
 * Digest of the configuration section (SHA-256 hex of its canonical form): stable
 * under attribute order and whitespace, changed by any other edit. A CIB without a
 * configuration section has the digest of no bytes.
 */
void bl_cib_digest(const xmlDoc *doc, char out[BL_DIGEST_HEXLEN + 1]);

/* ------------------------------------------------------------ diff/patch */

/*
 * Computes the diff that turns OLD into NEW. The diff is an XML document
 * <cib-diff format="1"> recording both versions and the configuration digests and the
 * changes. Returns 0 and *diff (free with xmlFreeDoc()).
 */
int bl_cib_diff(const xmlDoc *old_doc, const xmlDoc *new_doc, xmlDoc **diff, char **err);

/*
 * Applies DIFF to DOC in place. Refuses (BL_EVERSION, DOC unchanged) when DOC's version
 * is not the diff's source version; BL_EPARSE for a malformed diff; BL_EDIGEST when DOC's
 * content is not the diff's source (a path names nothing, or the configuration digest
 * after applying is not the one recorded). Any refusal leaves DOC exactly as it was.
 * After a successful apply DOC equals the diff's NEW document (versions included).
 * The format is described at the top of lib/cib/cib_diff.c.
 */
int bl_cib_patch(xmlDoc *doc, const xmlDoc *diff, char **err);

/* True when the two documents are equal in canonical form. */
bool bl_cib_equal(const xmlDoc *a, const xmlDoc *b);

/* ----------------------------------------------------------- persistence */

/*
 * The CIB on disk, as the CIB daemon keeps it in its state directory DIR:
 *   DIR/cib.xml          the current CIB
 *   DIR/cib.xml.sig      SHA-256 of cib.xml's bytes (detects truncation and tampering):
 *                        64 lowercase hex digits and a newline
 *   DIR/cib-N.xml(.sig)  archives of previous versions, N increasing, the last KEEP kept
 * A write (1) hard-links the current pair to the next archive number, (2) replaces
 * cib.xml.sig, (3) replaces cib.xml — each file via temp file, fsync, rename — then
 * (4) prunes. A crash after (2) leaves a pair that does not match: the read refuses it
 * and says a write was interrupted; the archive from (1) holds the same bytes.
 */

/*
 * Writes DOC as the current CIB in DIR (which must exist), archiving the previous one
 * unless KEEP is 0, and deletes all but the KEEP newest archives. Returns 0 or -errno.
 */
int bl_cib_store_write(const char *dir, const xmlDoc *doc, unsigned keep, char **err);

/*
 * Reads DIR/cib.xml and checks it against cib.xml.sig. Returns -ENOENT when there is
 * none, BL_EDIGEST when the file does not match its signature (the message names the
 * file, why, and the newest intact archive), BL_EPARSE when it does not parse.
 */
int bl_cib_store_read(const char *dir, xmlDoc **doc, char **err);

/*
 * Reads the newest archive in DIR that passes its signature check and parses (for
 * recovery when cib.xml is damaged); *path is its file name (caller frees).
 * Returns -ENOENT when none.
 */
int bl_cib_store_read_archive(const char *dir, xmlDoc **doc, char **path, char **err);

/* ----------------------------------------------------------------- edits */

/*
 * An edit names the elements it changes, as cibadmin --modify/--create/--replace/--delete
 * do, instead of recording two whole versions as a diff does: belay-based applies it to
 * its CIB as it is when the write is delivered, so an edit never races another write.
 * <cib-edit> holds operations applied in order, all or nothing:
 *   <modify [section="S"] [create="true"]>E</modify>  sets E's attributes on the element of
 *       E's tag and id under S (or S itself when E is S), merging E's children alike
 *       (matched by tag and id, or by tag when they have none; missing ones are added);
 *       with create="true" a missing E is added to S
 *   <create section="S">E</create>   adds E to S (created when it is a missing configuration
 *       section); refused when S already holds an E of that id
 *   <replace [section="S"]>E</replace>   the element of E's tag and id becomes E
 *   <delete [section="S"]>E</delete>     removes the element of E's tag and id, when it also
 *       has the other attributes E gives
 *   <crm><arg>VERB</arg><arg>...</arg></crm>   a `belay configure` command, run by the daemon
 * S is a configuration section (crm_config, nodes, resources, constraints, rsc_defaults,
 * op_defaults), "configuration" or "status"; without it the whole CIB is searched.
 */

/* Handles an operation bl_cib_edit_op_apply() does not know (e.g. <crm>) on DOC. */
typedef int (*bl_cib_edit_hook_fn)(xmlDoc *doc, const xmlNode *op, void *data, char **err);

/* True for modify, create, replace and delete, the operations of bl_cib_edit_op_apply(). */
bool bl_cib_edit_is_element_op(const xmlNode *op);

/*
 * Applies one element operation OP to DOC. BL_ENOTFOUND when the element to modify, replace
 * or delete does not exist, BL_EEXISTS when the one to create does, BL_EPARSE for a
 * malformed operation. Does not validate or bump the version. On error DOC may be partly
 * changed: work on a copy.
 */
int bl_cib_edit_op_apply(xmlDoc *doc, const xmlNode *op, char **err);

/*
 * Applies every operation of EDIT (a <cib-edit>) to DOC in order; operations that are not
 * element operations go to HOOK (with DATA), or are refused when HOOK is NULL. With several
 * operations the message names the failing one ("operation 2: ..."). Does not validate
 * or bump the version; on error DOC may be partly changed: work on a copy.
 */
int bl_cib_edit_apply(xmlDoc *doc, const xmlDoc *edit, bl_cib_edit_hook_fn hook, void *data,
                      char **err);

/*
 * The configuration section NAME of DOC, created empty (with <configuration> if needed) in
 * Pacemaker's section order when missing.
 */
xmlNode *bl_cib_section_ensure(xmlDoc *doc, const char *name);

/* --------------------------------------------------------------- replica */

/*
 * The CIB as belay-based holds it: the document of a state directory and the rules a
 * write passes before it is multicast (prepare) and when it is delivered (apply). Every
 * node applies the same diffs in corosync's delivery order, so a diff prepared against
 * a version another write has since replaced fails on every node alike (BL_EVERSION).
 */
typedef struct bl_cib_replica bl_cib_replica_t;

/*
 * Opens the CIB in state directory DIR (which must exist), keeping KEEP archives. A
 * damaged cib.xml is refused and the newest intact archive used instead; with neither,
 * a new empty CIB. *note gets one sentence for the log saying what was loaded
 * (caller frees). Returns 0 and *replica, or an error when DIR holds files but none
 * is usable.
 */
int bl_cib_replica_open(const char *dir, unsigned keep, bl_cib_replica_t **replica, char **note,
                        char **err);

/* Frees REPLICA (NULL is fine). */
void bl_cib_replica_free(bl_cib_replica_t *replica);

/* The current CIB (borrowed, valid until the next apply). */
const xmlDoc *bl_cib_replica_doc(const bl_cib_replica_t *replica);

/*
 * Checks a client's write and returns the diff to multicast in *diff. PAYLOAD is a
 * <cib-diff> against the current CIB, or (REPLACE) a whole new CIB whose version must
 * be newer than the current one. Refused: a diff against another version
 * (BL_EVERSION), a result that does not validate, one that does not raise the version,
 * and a change to the configuration section while QUORATE is false (-EPERM).
 * *configuration tells whether the configuration changes.
 */
int bl_cib_replica_prepare(bl_cib_replica_t *replica, const xmlDoc *payload, bool replace,
                           bool quorate, xmlDoc **diff, bool *configuration, char **err);

/* The configuration digest of the current CIB (bl_cib_digest(), kept between writes). */
const char *bl_cib_replica_digest(bl_cib_replica_t *replica);

/*
 * Applies a delivered DIFF and writes it to disk (bl_cib_replica_apply_deferred() and
 * bl_cib_replica_flush()). A diff that does not apply leaves the CIB unchanged (the
 * bl_cib_patch() error). When the write to disk fails the CIB in memory keeps the change
 * (the other nodes have it) and the -errno is returned, so that the write is not
 * acknowledged as durable.
 */
int bl_cib_replica_apply(bl_cib_replica_t *replica, const xmlDoc *diff, char **err);

/*
 * Persistence is a journal of diffs beside cib.xml ($DIR/cib.journal, see
 * lib/cib/cib_journal.c): opening the replica replays it; a checkpoint writes cib.xml
 * (archiving the previous one) and empties it.
 *
 * Applies DIFF in memory and adds it to the journal without flushing, so that several
 * writes delivered together share one flush (group commit). TEXT (LEN bytes) is DIFF as
 * delivered, or NULL to format it. Nothing may be acknowledged before the next
 * bl_cib_replica_flush() returns 0.
 */
int bl_cib_replica_apply_deferred(bl_cib_replica_t *replica, const xmlDoc *diff, const char *text,
                                  size_t len, char **err);

/*
 * Applies a write given as a change rather than a diff (an edit, see bl_cib_edit_apply())
 * in memory and journals it like bl_cib_replica_apply_deferred(): CHANGE (with DATA) edits
 * a copy of the current CIB; the result is versioned (a configuration change bumps epoch,
 * else num_updates), must validate, and must not change the configuration unless QUORATE
 * (-EPERM). *diff gets the text of the diff from the old CIB to the new one (as journaled,
 * for subscribers; caller frees), or NULL when the change changed nothing (then nothing is
 * journaled).
 * A refusal leaves the CIB as it was. Every node that applies the same changes in the
 * same order gets the same CIB.
 */
typedef int (*bl_cib_change_fn)(xmlDoc *doc, void *data, char **err);
int bl_cib_replica_change_deferred(bl_cib_replica_t *replica, bl_cib_change_fn change, void *data,
                                   bool quorate, char **diff, char **err);

/* One change of a batch (bl_cib_replica_change_batch_deferred()): DATA and QUORATE in,
 * the outcome out, as bl_cib_replica_change_deferred() gives it (DIFF and ERR: caller frees). */
typedef struct bl_cib_batch_item {
    void *data;
    bool quorate;
    int rc;
    char *diff;
    char *err;
} bl_cib_batch_item_t;

/*
 * Applies the N changes of ITEMS in order with the outcomes N calls of
 * bl_cib_replica_change_deferred() would give: each change is validated on its own result,
 * so a change that is invalid alone is refused even when a later one would repair it, and
 * the outcome never depends on how writes were batched. What is saved is the copying: the
 * changes are made on two working copies kept equal (CHANGE runs twice per change taken),
 * so no change copies the whole CIB. CHANGE must be deterministic and leave DATA as it was,
 * as replicated changes must anyway; should the copies differ, each change is applied again
 * on its own.
 */
void bl_cib_replica_change_batch_deferred(bl_cib_replica_t *replica, bl_cib_change_fn change,
                                          bl_cib_batch_item_t *items, size_t n);

/*
 * Makes every write applied so far durable (one fdatasync); starts a background
 * checkpoint (bl_cib_replica_checkpoint_start()) of a long journal.
 */
int bl_cib_replica_flush(bl_cib_replica_t *replica, char **err);

/*
 * Writes the whole CIB to cib.xml and empties the journal (nothing to do when empty),
 * waiting first for a background checkpoint.
 */
int bl_cib_replica_checkpoint(bl_cib_replica_t *replica, char **err);

/*
 * The same in a thread of its own, so that writes and their flushes go on meanwhile: the
 * journal is rotated (cib.journal.old holds what the new cib.xml will), the CIB formatted
 * here, and the files written by the thread; cib.journal.old is deleted when the next
 * call (or flush, or bl_cib_replica_checkpoint()) finds the thread done. Nothing to do
 * while one runs or when the journal is empty; after one failed, it writes in this thread.
 */
int bl_cib_replica_checkpoint_start(bl_cib_replica_t *replica, char **err);

/* True when the journal holds writes not yet in cib.xml (or a checkpoint is unfinished). */
bool bl_cib_replica_dirty(const bl_cib_replica_t *replica);

/*
 * Replaces the CIB with a copy of DOC, whole (a peer's newer CIB after a membership
 * change), and writes it to disk. The in-memory CIB is replaced even when the write
 * fails (-errno), as for bl_cib_replica_apply().
 */
int bl_cib_replica_take(bl_cib_replica_t *replica, const xmlDoc *doc, char **err);

/* ------------------------------------------------------------ sync rule */

/* What a member of the CIB group holds, as it offers it after a membership change. */
typedef struct bl_cib_offer {
    uint32_t nodeid;
    uint32_t pid;
    bool minority; /* its CIB was changed without quorum since a quorate partition agreed */
    bl_cib_version_t version;
    char digest[BL_DIGEST_HEXLEN + 1]; /* of the whole document */
} bl_cib_offer_t;

/*
 * The offer whose CIB every member takes, as an index into OFFERS (N > 0): a CIB that
 * is not a minority's beats one that is (a cut-off node's status writes may raise its
 * version past the majority's); then the higher version; then, for equal versions with
 * different contents, the digest held by more members; then the lowest node id and pid.
 * *all_same tells whether all offers hold the same document (nothing to send).
 */
size_t bl_cib_offer_pick(const bl_cib_offer_t *offers, size_t n, bool *all_same);

/* ---------------------------------------------------------------- client */

/* IPC service of belay-based: $BELAY_CIB_IPC when set, else "belay-based". */
#define BL_CIB_IPC_NAME "belay-based"
const char *bl_cib_ipc_name(void);

/*
 * The libqb buffer size of that IPC: the largest frame. Larger requests, replies and
 * events travel as several frames (see "IPC of any size" in belay/common.h). Small,
 * because libqb sets up three rings of this size for every connection: at 4 MB that
 * was most of a CLI command's time.
 */
#define BL_CIB_MAX_MSG (256 * 1024)

/*
 * The buffer size of a short-lived client (bl_cib_client_connect_small(), the CLI), and the
 * smallest that belay-based accepts. Setting up a connection clears its rings and buffers:
 * at BL_CIB_MAX_MSG that was ~1.4 M instructions and ~250 page faults per connection, more
 * than the write a `belay configure` command makes.
 */
#define BL_CIB_MIN_MSG (16 * 1024)

/* Request ids (the IPC header's id); bodies and replies are XML text. */
enum bl_cib_msg {
    BL_CIB_MSG_QUERY = 1,     /* body <cib-query section="NAME"/> (reply holds the section)
                               * or <cib-query xpath="EXPR"/> (reply holds <xpath-result>) */
    BL_CIB_MSG_VERSION = 2,   /* body <cib-version/>; reply carries the version and digest */
    BL_CIB_MSG_PATCH = 3,     /* body a <cib-diff>; reply after it is applied and on disk */
    BL_CIB_MSG_REPLACE = 4,   /* body a whole <cib>; likewise */
    BL_CIB_MSG_SUBSCRIBE = 5, /* body <cib-subscribe/>; then an event per change */
    BL_CIB_MSG_EDIT = 6,      /* body a <cib-edit> (see bl_cib_edit_apply()), applied to the
                               * CIB as it is when delivered; reply once it is on disk */
};

/*
 * A write request's root may carry ref="N" (at most BL_CIB_REF_MAX digits), which its
 * reply echoes: a client with several writes in flight pairs replies with requests so.
 */
#define BL_CIB_REF_MAX 20

/*
 * A reply: <cib-reply rc="RC" message="..." admin_epoch= epoch= num_updates= digest=>
 * holding CONTENT (may be NULL) and the version of DOC (may be NULL). Caller frees.
 */
char *bl_cib_reply_format(int rc, const char *message, const xmlDoc *doc, const xmlNode *content);

/* The same with DOC's configuration digest given (not computed again) when not NULL. */
char *bl_cib_reply_format_digest(int rc, const char *message, const xmlDoc *doc, const char *digest,
                                 const xmlNode *content);

/* The same with REF (NULL: none) echoed as the reply's ref attribute. */
char *bl_cib_reply_format_ref(int rc, const char *message, const xmlDoc *doc, const char *digest,
                              const char *ref, const xmlNode *content);

typedef struct bl_cib_client bl_cib_client_t;

/* Connects to belay-based (NAME NULL: bl_cib_ipc_name()). Returns 0 or -errno. */
int bl_cib_client_connect(const char *name, bl_cib_client_t **client, char **err);

/*
 * The same with BL_CIB_MIN_MSG buffers, for a client that makes a few requests and goes
 * (the CLI): quicker to set up; large messages still pass, in more frames. Not for
 * subscribers: their events would overflow the small event buffer sooner.
 */
int bl_cib_client_connect_small(const char *name, bl_cib_client_t **client, char **err);

/* Disconnects and frees CLIENT (NULL is fine). */
void bl_cib_client_free(bl_cib_client_t *client);

/* The whole CIB (SECTION NULL) or one section as a new document. */
int bl_cib_client_query(bl_cib_client_t *client, const char *section, xmlDoc **doc, char **err);

/*
 * The elements XPath expression EXPR selects in the daemon's CIB, as bl_cib_xpath():
 * *result's root <xpath-result> holds them; BL_EPARSE, BL_EINVALID or BL_ENOTFOUND.
 */
int bl_cib_client_xpath(bl_cib_client_t *client, const char *expr, xmlDoc **result, char **err);

/* The daemon's CIB version and configuration digest. */
int bl_cib_client_version(bl_cib_client_t *client, bl_cib_version_t *version,
                          char digest[BL_DIGEST_HEXLEN + 1], char **err);

/*
 * Sends a write: DIFF from bl_cib_diff() against the daemon's current version, or a
 * whole new CIB (bl_cib_client_replace()). Returns once it is applied and on disk on
 * this node, or with the daemon's refusal (its rc and sentence).
 */
int bl_cib_client_patch(bl_cib_client_t *client, const xmlDoc *diff, char **err);
int bl_cib_client_replace(bl_cib_client_t *client, const xmlDoc *cib, char **err);

/*
 * Sends EDIT (a <cib-edit>, see bl_cib_edit_apply()): the daemon applies it to its CIB as
 * it is when the write is delivered, so there is nothing to fetch first and no version to
 * race. Returns once it is applied and on disk on this node, or with the refusal (the
 * edit's element is missing, the result does not validate...; nothing changed then).
 */
int bl_cib_client_edit(bl_cib_client_t *client, const xmlDoc *edit, char **err);

/*
 * Writes in flight: bl_cib_client_submit() sends EDIT without waiting for its outcome, so
 * several writes of one client are ordered and committed together; bl_cib_client_collect()
 * returns the outcome of the oldest one not yet collected (acknowledgements come in the
 * order of submission), waiting at most TIMEOUT_MS (-1: the usual write time-out) —
 * -ETIMEDOUT when it has not come, else the write's rc (0 when applied and on disk) with
 * its refusal in *err. While writes are in flight, other requests on CLIENT are refused
 * with -EBUSY. bl_cib_client_in_flight() counts submitted writes not yet collected.
 */
int bl_cib_client_submit(bl_cib_client_t *client, const xmlDoc *edit, char **err);
int bl_cib_client_collect(bl_cib_client_t *client, int timeout_ms, char **err);
unsigned bl_cib_client_in_flight(const bl_cib_client_t *client);

/*
 * Asks for change notifications on this connection: from now on every change applied to
 * the daemon's CIB comes as an event, in order — the <cib-diff> of a write, or
 * <cib-replaced source="V" target="V"/> when the CIB was taken whole from a peer after
 * a membership change (re-query it then), or <cib-resync-needed reason="..."/> when
 * this subscriber did not read for so long that changes had to be dropped (re-query it).
 */
int bl_cib_client_subscribe(bl_cib_client_t *client, char **err);

/*
 * Waits at most TIMEOUT_MS (-1: forever) for the next event; returns 0 and *event (free
 * with xmlFreeDoc()), -ETIMEDOUT, or -ENOTCONN when the daemon went away.
 */
int bl_cib_client_event(bl_cib_client_t *client, int timeout_ms, xmlDoc **event, char **err);

/* The descriptor that becomes readable when an event waits (for a main loop). */
int bl_cib_client_fd(bl_cib_client_t *client);

#endif /* BELAY_CIB_H */
