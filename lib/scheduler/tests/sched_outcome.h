/* Test helper for the scheduler's whole-run tests: schedule a CIB given as text and keep
 * what the tests assert on. */
#ifndef BELAY_SCHED_OUTCOME_H
#define BELAY_SCHED_OUTCOME_H

#include <libxml/tree.h>

typedef struct outcome {
    int rc;          /* bl_sched_run()'s */
    char *placement; /* NULL unless rc == 0 */
    char *actions;   /* NULL unless rc == 0 */
    char *err;       /* NULL if rc == 0 */
} outcome_t;

/* Parses CIB_TEXT (which must be valid) and schedules it with a fixed "now"; takes and
 * frees CIB_TEXT. */
outcome_t sched_outcome_of(char *cib_text);

void sched_outcome_free(outcome_t *out);

/* How many nodes XPATH selects in DOC (a graph or a CIB); -1 when it is not an XPath. */
int sched_xpath_count(const xmlDoc *doc, const char *xpath);

#endif /* BELAY_SCHED_OUTCOME_H */
