/*
 * rules: one fingerprint for everything in the rule directories, so a
 * change to any rule file (added, removed, renamed, edited) is seen.
 *
 * Each directory is walked recursively in byte order of names.  Files are
 * read through symlinks; symlinked directories are not descended (loops),
 * and neither are directories whose name starts with ".." (kubelet's
 * ConfigMap internals: the files are already seen through their links, and
 * hashing the timestamped directory's name would make every ConfigMap
 * update look like a change, as it does in Thanos).  The fingerprint is
 * SHA-256 over 0xff, each file's path relative to its rule dir, 0xff, and
 * its content, so names count as well as bytes.
 */
#ifndef RULES_H
#define RULES_H

#include "base/fswatch.h"

/* Fingerprint the n dirs into out; when w is not NULL also watch every
 * directory walked and the directories that file symlinks resolve into.
 * files gets the number of files hashed.  -1 with a message in err (a rule
 * dir that is missing or unreadable is an error). */
int	rules_hash(char *const *dirs, size_t n, struct fswatch *w,
	    unsigned char out[32], size_t *files, char *err);

#endif
