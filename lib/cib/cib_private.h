/* lib/cib internals shared between its files (not part of the public API). */
#ifndef BELAY_CIB_PRIVATE_H
#define BELAY_CIB_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>
#include <libxml/tree.h>

/* xml/cib.rng, embedded at build time (cib_schema_data.c is generated). */
extern const unsigned char bl__cib_schema_rng[];
extern const size_t bl__cib_schema_rng_len;

/*
 * What the schema allows, element by element, read from xml/cib.rng itself so that
 * explanations of schema errors can never disagree with the schema
 * (cib_schema_model.c). Names are borrowed from the schema document.
 */
typedef struct bl__schema_model bl__schema_model_t;

/* One way to write an element: the attributes and children it may and must have. */
typedef struct bl__schema_alt {
    GPtrArray *attributes;
    GPtrArray *required_attributes;
    GPtrArray *children;
    GPtrArray *required_children;
    GPtrArray *single_children; /* children that may appear at most once */
    bool any_attribute;         /* <anyName/>: daemon bookkeeping in the status */
} bl__schema_alt_t;

typedef struct bl__schema_element {
    GPtrArray *alternatives; /* bl__schema_alt_t: valid iff one of them fits */
    bl__schema_alt_t *all;   /* everything allowed by any; required by all */
} bl__schema_element_t;

/* Builds the model from the schema document RNG (borrowed; must outlive the model). */
bl__schema_model_t *bl__schema_model_new(const xmlDoc *rng);
void bl__schema_model_free(bl__schema_model_t *model);

/* The model of elements named NAME, or NULL when the schema has none. */
const bl__schema_element_t *bl__schema_model_element(const bl__schema_model_t *model,
                                                     const char *name);

/* True when NAMES (a GPtrArray of strings) holds NAME. */
bool bl__names_contains(const GPtrArray *names, const char *name);

/*
 * Looks for the first place in document order where DOC breaks a rule the model can
 * see (an element or attribute not allowed where it is, a required attribute or child
 * missing, text inside an element). Returns true and sets *err (one sentence starting
 * "line N: ") when it finds one; false when the fault is subtler than the model.
 */
bool bl__schema_explain(const bl__schema_model_t *model, const xmlDoc *doc, char **err);

/*
 * How messages name an element: "primitive 'web'" when it has an id, "nvpair (id-ref
 * 'x')" for a reference, else "element 'op'". Caller frees.
 */
char *bl__cib_describe(const xmlNode *node);

/* ------------------------------------------------------ semantic checks */

/* State of one bl_cib_validate_semantics() run. */
typedef struct bl__semantic {
    GHashTable *ids;      /* configuration id -> defining element */
    GHashTable *node_ids; /* <node> id -> element (nodes have their own id space) */
    GHashTable *unames;   /* <node> uname -> element */
    GPtrArray *resources; /* primitives, groups, clones, masters (for hints) */
    char **err;
} bl__semantic_t;

/*
 * Checks of attribute values that need no cross-reference: enumerations, booleans,
 * scores and durations, by table. Returns true (and sets *err) on the first fault.
 */
bool bl__semantic_check_values(const bl__semantic_t *sem, const xmlNode *node);

/*
 * Checks of one element beyond its values: references, self-constraints, duplicate
 * operations, rule and date expression consistency. Returns true on a fault.
 */
bool bl__semantic_check_element(const bl__semantic_t *sem, const xmlNode *node);

/* Primitives: class and provider, and operations Pacemaker would refuse (cib_semantic_ops.c). */
bool bl__semantic_check_primitive(const bl__semantic_t *sem, const xmlNode *node);

/* date_expression consistency and date_spec/duration fields (cib_semantic_ops.c). */
bool bl__semantic_check_date(const bl__semantic_t *sem, const xmlNode *node);
bool bl__semantic_check_date_fields(const bl__semantic_t *sem, const xmlNode *node);

/* ---------------------------------------------------- cib_journal.c */

/* The replica's journal of applied diffs (format at the top of cib_journal.c). */
typedef struct bl__cib_journal bl__cib_journal_t;

/* Opens (creates) DIR/cib.journal for appending. */
int bl__cib_journal_open(const char *dir, bl__cib_journal_t **journal, char **err);

void bl__cib_journal_free(bl__cib_journal_t *journal);

/* Applies the journal's records that follow DOC's version to DOC; *applied counts them. */
int bl__cib_journal_replay(bl__cib_journal_t *journal, xmlDoc *doc, unsigned *applied, char **err);

/* Adds a record (LEN bytes of diff TEXT), written by the next sync. */
void bl__cib_journal_append(bl__cib_journal_t *journal, const char *text, size_t len);

/* Records since the last reset. */
unsigned bl__cib_journal_records(const bl__cib_journal_t *journal);

/* Writes the records added since the last sync and flushes them to disk (fdatasync). */
int bl__cib_journal_sync(bl__cib_journal_t *journal, char **err);

/* Empties the journal (after a checkpoint wrote the whole CIB), cib.journal.old included. */
int bl__cib_journal_reset(bl__cib_journal_t *journal, char **err);

/*
 * Renames the journal cib.journal.old and starts an empty one, for a checkpoint written in
 * the background (nothing may be pending: sync first). -EBUSY when something is.
 */
int bl__cib_journal_rotate(bl__cib_journal_t *journal, char **err);

/* Deletes cib.journal.old once the checkpoint that holds its records is on disk. */
void bl__cib_journal_drop_old(bl__cib_journal_t *journal);

/*
 * bl_cib_diff() with the configuration digest of NEW_DOC already known (DIGEST; NULL:
 * computed), so that a caller that needed it first does not compute it twice.
 */
int bl__cib_diff_known_digest(const xmlDoc *old_doc, const xmlDoc *new_doc, const char *digest,
                              xmlDoc **diff, char **err);

/* ---------------------------------------------------- cib_store.c */

/* bl_cib_store_write() of TEXT, the CIB already formatted (safe in another thread). */
int bl__cib_store_write_text(const char *dir, const char *text, unsigned keep, char **err);

/* ------------------------------------------------------- cib_diff.c */

/*
 * bl_cib_patch() without the configuration digest check at the end (versions are still
 * checked): for a result that is verified by other means, e.g. a client's diff that the
 * replica applies to a scratch copy before multicasting it, and that every node applies
 * with bl_cib_patch() on delivery.
 */
int bl__cib_patch_unverified(xmlDoc *doc, const xmlDoc *diff, char **err);

/* The configuration digest a diff records for its target (borrowed), or NULL. */
const char *bl__cib_diff_digest(const xmlDoc *diff);

#endif /* BELAY_CIB_PRIVATE_H */
