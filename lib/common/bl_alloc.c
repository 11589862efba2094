/* Allocation wrappers: abort on failure so callers never check for NULL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <belay/common.h>

static void __attribute__((noreturn)) out_of_memory(size_t size)
{
    fprintf(stderr, "belay: out of memory allocating %zu bytes\n", size);
    abort();
}

void *
bl_malloc(size_t size)
{
    void *ptr = malloc(size ? size : 1);

    if (ptr == NULL) {
        out_of_memory(size);
    }
    return ptr;
}

void *
bl_calloc(size_t count, size_t size)
{
    void *ptr = calloc(count ? count : 1, size ? size : 1);

    if (ptr == NULL) {
        out_of_memory(count * size);
    }
    return ptr;
}

void *
bl_realloc(void *ptr, size_t size)
{
    void *result = realloc(ptr, size ? size : 1);

    if (result == NULL) {
        out_of_memory(size);
    }
    return result;
}

char *
bl_strdup(const char *text)
{
    return bl_strndup(text, strlen(text));
}

char *
bl_strndup(const char *text, size_t len)
{
    size_t n = strnlen(text, len);
    char *copy = bl_malloc(n + 1);

    memcpy(copy, text, n);
    copy[n] = '\0';
    return copy;
}

char *
bl_vasprintf(const char *fmt, va_list ap)
{
    char *result = NULL;

    if (vasprintf(&result, fmt, ap) < 0) {
        out_of_memory(strlen(fmt));
    }
    return result;
}

char *
bl_asprintf(const char *fmt, ...)
{
    va_list ap;
    char *result;

    va_start(ap, fmt);
    result = bl_vasprintf(fmt, ap);
    va_end(ap);
    return result;
}

void
bl_free(void *pptr)
{
    void **p = pptr;

    free(*p);
    *p = NULL;
}
