/*
 * tools/crm: crmsh's configuration grammar over a CIB document — what `belay configure`
 * (and later the CIB daemon, for scripts) uses. Pure document manipulation: no I/O except
 * `load update FILE` (reads a file) and `filter CMD` (runs an admin's command).
 *
 * Errors: one sentence in *err naming the position and the object, e.g.
 *   "line 3: colocation web-with-vip: no resource 'webserverr' (did you mean 'webserver'?)"
 * On error the document's configuration is left as it was (a script is all or nothing):
 * the <configuration> element is then a restored copy, so pointers into it held from
 * before the call are no longer valid.
 *
 * Differences from crmsh 4.4.1, on purpose: `ms` writes a <clone> with meta
 * promotable=true (Pacemaker 2's form; a legacy <master> is still read and shown as ms);
 * show does not mask passwords and prints ids (params $id=…, op … id=…, rule $id=…) that
 * differ from the generated ones, so show → load gives back the same XML; a TYPE: prefix
 * on a rule value (`attr gt integer:5`) sets the expression's type.
 */
#ifndef BELAY_CRM_H
#define BELAY_CRM_H

#include <stdbool.h>

#include <glib.h>
#include <libxml/tree.h>

#include <belay/common.h>

/*
 * Splits one line of crm text into words with shell-like quoting ('…', "…", backslash
 * escapes). *words is a NULL-terminated array (free with g_strfreev()).
 * BL_EPARSE on an unbalanced quote, naming the column.
 */
int bl_crm_split(const char *line, char ***words, int *count, char **err);

/*
 * Executes one configure-level command on DOC. argv[0] is the verb: primitive, group,
 * clone, ms, location, colocation (collocation), order, property, rsc_defaults,
 * op_defaults, node, delete, rename, show [xml], verify, load update|replace FILE|-,
 * filter CMD [ID…], commit/end/up (no-ops). Text output (show) is appended to OUT (may be
 * NULL). Does not bump versions: that is the caller's job. verify calls bl_cib_validate().
 * Returns 0, or BL_EPARSE / BL_EUSAGE / BL_ENOTFOUND / BL_EEXISTS / BL_EINVALID / -errno.
 */
int bl_crm_configure(xmlDoc *doc, int argc, char *const argv[], GString *out, char **err);

/*
 * Executes a script of configure-level lines (as `configure load update FILE` reads):
 * '#' comments, blank lines and backslash-continued lines (a newline inside quotes also
 * continues the line). NAME labels messages ("upd.crm line 3: ..."). Stops at the first
 * error and then leaves DOC as it was before the script.
 */
int bl_crm_configure_script(xmlDoc *doc, const char *text, const char *name, GString *out,
                            char **err);

/*
 * Renders DOC's configuration in crm syntax the way `crm configure show` does (nodes,
 * primitives, groups, clones, constraints by id, property, rsc_defaults, op_defaults),
 * or only the objects named in IDS (NULL-terminated; NULL = everything).
 * Returns the text (caller frees) or NULL with BL_ENOTFOUND's message in *err.
 */
char *bl_crm_show(const xmlDoc *doc, char *const ids[], char **err);

#endif /* BELAY_CRM_H */
