/* Word splitting of crm lines with shell-like quoting (what admins type after `crm`). */
#include <string.h>

#include <belay/crm.h>

typedef struct split_state {
    GPtrArray *words;
    GString *word;
    bool in_word;
} split_state_t;

static void
end_word(split_state_t *st)
{
    if (st->in_word) {
        g_ptr_array_add(st->words, g_strdup(st->word->str));
        g_string_truncate(st->word, 0);
        st->in_word = false;
    }
}

/* Inside "…" a backslash escapes only these, as in the shell. */
static bool
dquote_escapable(char c)
{
    return c == '"' || c == '\\' || c == '$' || c == '`' || c == '\n';
}

/* Consumes a quoted string starting at *p (the quote); false when it is not closed. */
static bool
take_quoted(split_state_t *st, const char **p)
{
    char quote = **p;
    const char *q = *p + 1;

    while (*q != '\0' && *q != quote) {
        if (quote == '"' && *q == '\\' && dquote_escapable(q[1])) {
            q++;
        }
        g_string_append_c(st->word, *q);
        q++;
    }
    if (*q == '\0') {
        return false;
    }
    *p = q + 1;
    st->in_word = true;
    return true;
}

/* XML cannot hold control characters other than tab, newline and carriage return. */
static const char *
first_control(const char *line)
{
    for (const char *p = line; *p != '\0'; p++) {
        if ((unsigned char) *p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') {
            return p;
        }
    }
    return NULL;
}

int
bl_crm_split(const char *line, char ***words, int *count, char **err)
{
    split_state_t st = {g_ptr_array_new_with_free_func(g_free), g_string_new(NULL), false};
    const char *p = line;
    const char *bad = NULL;
    int rc = 0;

    if (!g_utf8_validate(line, -1, &bad) || (bad = first_control(line)) != NULL) {
        bool utf8 = *bad == '\0' || (unsigned char) *bad >= 0x80;

        bl_err_set(err, "column %ld: %s", (long) (bad - line) + 1,
                   utf8 ? "not valid UTF-8" : "control character");
        rc = BL_EPARSE;
        goto done;
    }
    while (*p != '\0') {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            end_word(&st);
            p++;
        } else if (*p == '\'' || *p == '"') {
            const char *start = p;

            if (!take_quoted(&st, &p)) {
                bl_err_set(err, "column %ld: unbalanced %c quote", (long) (start - line) + 1,
                           *start);
                rc = BL_EPARSE;
                goto done;
            }
        } else if (*p == '\\' && p[1] != '\0') {
            g_string_append_c(st.word, p[1]);
            st.in_word = true;
            p += 2;
        } else {
            g_string_append_c(st.word, *p);
            st.in_word = true;
            p++;
        }
    }
    end_word(&st);
    if (count != NULL) {
        *count = (int) st.words->len;
    }
    g_ptr_array_add(st.words, NULL);
    g_ptr_array_set_free_func(st.words, NULL);
    *words = (char **) g_ptr_array_free(st.words, FALSE);
    st.words = NULL;
done:
    if (st.words != NULL) {
        g_ptr_array_free(st.words, TRUE);
    }
    g_string_free(st.word, TRUE);
    return rc;
}
