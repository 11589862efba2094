/* Scores: integers saturating at +/-INFINITY (1000000), with Pacemaker's rules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <belay/common.h>

static int
clamp(long long value)
{
    if (value >= BL_SCORE_INFINITY) {
        return BL_SCORE_INFINITY;
    }
    if (value <= -BL_SCORE_INFINITY) {
        return -BL_SCORE_INFINITY;
    }
    return (int) value;
}

int
bl_score_parse(const char *text, int *score, char **err)
{
    const char *p = text;
    int sign = 1;
    char *end = NULL;
    long long value;

    if (text == NULL || *text == '\0') {
        bl_err_set(err, "empty score (expected an integer, INFINITY or -INFINITY)");
        return BL_EPARSE;
    }
    if (*p == '+' || *p == '-') {
        sign = (*p == '-') ? -1 : 1;
        p++;
    }
    if (strcasecmp(p, "INFINITY") == 0 || strcasecmp(p, "inf") == 0) {
        *score = sign * BL_SCORE_INFINITY;
        return 0;
    }
    if (*p < '0' || *p > '9') {
        bl_err_set(err, "invalid score '%s' (expected an integer, INFINITY or -INFINITY)", text);
        return BL_EPARSE;
    }
    errno = 0;
    value = strtoll(p, &end, 10);
    if (*end != '\0') {
        bl_err_set(err, "invalid score '%s' (expected an integer, INFINITY or -INFINITY)", text);
        return BL_EPARSE;
    }
    if (errno == ERANGE) {
        value = BL_SCORE_INFINITY; /* beyond long long: certainly beyond INFINITY */
    }
    *score = clamp(sign * value);
    return 0;
}

bool
bl_score_valid(const char *text)
{
    int score;

    return bl_score_parse(text, &score, NULL) == 0;
}

int
bl_score_add(int a, int b)
{
    if (a <= -BL_SCORE_INFINITY || b <= -BL_SCORE_INFINITY) {
        return -BL_SCORE_INFINITY;
    }
    if (a >= BL_SCORE_INFINITY || b >= BL_SCORE_INFINITY) {
        return BL_SCORE_INFINITY;
    }
    return clamp((long long) a + (long long) b);
}

const char *
bl_score_format(int score, char buf[BL_SCORE_BUFSZ])
{
    if (score >= BL_SCORE_INFINITY) {
        snprintf(buf, BL_SCORE_BUFSZ, "INFINITY");
    } else if (score <= -BL_SCORE_INFINITY) {
        snprintf(buf, BL_SCORE_BUFSZ, "-INFINITY");
    } else {
        snprintf(buf, BL_SCORE_BUFSZ, "%d", score);
    }
    return buf;
}
