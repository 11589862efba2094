/* Test helper: one scheduler run on a CIB given as text (see sched_outcome.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/xpath.h>

#include <belay/cib.h>
#include <belay/scheduler.h>

#include "sched_outcome.h"

outcome_t
sched_outcome_of(char *cib_text)
{
    outcome_t out = {0};
    xmlDoc *doc = NULL;
    bl_sched_result_t *result = NULL;
    bl_sched_options_t opts = {.now = 1700000000};

    assert_int_equal(bl_cib_parse(cib_text, strlen(cib_text), "test", &doc, NULL), 0);
    out.rc = bl_sched_run(doc, &opts, &result, &out.err);
    if (out.rc == 0) {
        out.placement = bl_sched_result_placement(result);
        out.actions = bl_sched_result_actions(result);
    }
    bl_sched_result_free(result);
    xmlFreeDoc(doc);
    free(cib_text);
    return out;
}

void
sched_outcome_free(outcome_t *out)
{
    free(out->placement);
    free(out->actions);
    free(out->err);
}

int
sched_xpath_count(const xmlDoc *doc, const char *xpath)
{
    xmlXPathContext *ctx = xmlXPathNewContext((xmlDoc *) doc);
    xmlXPathObject *obj = xmlXPathEvalExpression((const xmlChar *) xpath, ctx);
    int n = obj != NULL && obj->nodesetval != NULL ? obj->nodesetval->nodeNr : -1;

    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
    return n;
}
