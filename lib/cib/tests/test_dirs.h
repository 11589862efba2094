/* Scratch directories for the lib/cib unit tests that write files. */
#ifndef BELAY_CIB_TEST_DIRS_H
#define BELAY_CIB_TEST_DIRS_H

/* A new empty directory under $TMPDIR named PREFIX-XXXXXX (free with test_dir_remove()). */
char *test_dir_make(const char *prefix);
/* Removes DIR and the files in it (made writable first), and frees DIR. */
void test_dir_remove(char *dir);

#endif /* BELAY_CIB_TEST_DIRS_H */
