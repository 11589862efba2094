/* Listing installed agents: OCF_ROOT/resource.d/PROVIDER/TYPE. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <belay/common.h>
#include <belay/exec.h>

static bool
is_agent(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

static int
list_provider(const char *dir_path, const char *provider, GPtrArray *agents, char **err)
{
    GError *error = NULL;
    GDir *dir = g_dir_open(dir_path, 0, &error);
    const char *type;

    if (dir == NULL) {
        int rc = -(error->code == G_FILE_ERROR_NOENT ? ENOENT : EACCES);

        bl_err_set(err, "%s: %s", dir_path, error->message);
        g_error_free(error);
        return rc;
    }
    while ((type = g_dir_read_name(dir)) != NULL) {
        g_autofree char *path = g_build_filename(dir_path, type, NULL);

        if (type[0] != '.' && is_agent(path)) {
            g_ptr_array_add(agents, g_strdup_printf("ocf:%s:%s", provider, type));
        }
    }
    g_dir_close(dir);
    return 0;
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

int
bl_agent_list(const char *ocf_root, const char *provider, GPtrArray **agents, char **err)
{
    g_autofree char *base =
        g_build_filename(ocf_root != NULL ? ocf_root : BL_OCF_ROOT_DEFAULT, "resource.d", NULL);
    GPtrArray *found = g_ptr_array_new_with_free_func(g_free);
    GDir *dir = NULL;
    const char *name;
    int rc = 0;

    if (provider != NULL) {
        g_autofree char *path = g_build_filename(base, provider, NULL);

        rc = list_provider(path, provider, found, err);
        goto done;
    }
    dir = g_dir_open(base, 0, NULL);
    if (dir == NULL) {
        rc = -errno;
        bl_err_set(err, "%s: %s", base, g_strerror(errno));
        goto done;
    }
    while (rc == 0 && (name = g_dir_read_name(dir)) != NULL) {
        g_autofree char *path = g_build_filename(base, name, NULL);

        if (name[0] != '.' && g_file_test(path, G_FILE_TEST_IS_DIR)) {
            rc = list_provider(path, name, found, err);
        }
    }
    g_dir_close(dir);
done:
    if (rc != 0) {
        g_ptr_array_unref(found);
        return rc;
    }
    g_ptr_array_sort(found, compare_names);
    *agents = found;
    return 0;
}
