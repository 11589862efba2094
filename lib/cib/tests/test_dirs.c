/* Scratch directories for the lib/cib unit tests that write files. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <belay/common.h>

#include "test_dirs.h"

char *
test_dir_make(const char *prefix)
{
    g_autofree char *template = g_strdup_printf("%s-XXXXXX", prefix);
    gchar *dir = g_dir_make_tmp(template, NULL);
    char *copy;

    assert_non_null(dir);
    copy = bl_strdup(dir);
    g_free(dir);
    return copy;
}

void
test_dir_remove(char *dir)
{
    DIR *handle = NULL;
    struct dirent *entry;

    /* a test may have made it read-only */
    chmod(dir, 0700);
    handle = opendir(dir);
    while (handle != NULL && (entry = readdir(handle)) != NULL) {
        if (entry->d_name[0] != '.') {
            unlinkat(dirfd(handle), entry->d_name, 0);
        }
    }
    if (handle != NULL) {
        closedir(handle);
    }
    assert_int_equal(rmdir(dir), 0);
    free(dir);
}
