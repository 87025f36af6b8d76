/*
 * labels: label sets as Prometheus orders and compares them.
 *
 * A string here is (pointer, length), not NUL-terminated: names and values
 * usually point straight into an index's symbol table (memory-mapped or
 * fetched), which holds no terminators.  A struct labels owns its array of
 * pairs, never the bytes they point to; whoever filled it keeps those
 * alive.  Comparison is Prometheus' labels.Compare: pair by pair, name
 * first, then value, bytes compared unsigned (memcmp, then length); a set
 * that is a prefix of the other sorts first.
 */
#ifndef BASE_LABELS_H
#define BASE_LABELS_H

#include <stddef.h>

struct str {
	const char	*p;
	size_t		 n;
};

#define STR(s)	((struct str){ (s), sizeof(s) - 1 })

struct label {
	struct str	name;
	struct str	value;
};

struct labels {
	struct label	*v;
	size_t		 n, cap;
};

#define LABELS_INIT	{ NULL, 0, 0 }

/* A struct str for a C string (borrowed). */
struct str	str_of(const char *s);
/* memcmp order, then shorter first: <0, 0, >0. */
int	str_cmp(struct str a, struct str b);
int	str_eq(struct str a, const char *s);

/* Is s a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)? */
int	labels_valid_name(const char *s);

/* Append a pair (not sorted: call labels_sort if order is not known).
 * -1 on ENOMEM. */
int	labels_add(struct labels *l, struct str name, struct str value);
/* Sort by name (stable for equal names). */
void	labels_sort(struct labels *l);
/* The value of name, or NULL when the set has no such label. */
const struct str *labels_get(const struct labels *l, struct str name);
int	labels_compare(const struct labels *a, const struct labels *b);
/* Copy of a into out (out is reset first).  -1 on ENOMEM. */
int	labels_copy(struct labels *out, const struct labels *a);
/* Add every label of ext to l, replacing a label of l with the same name
 * (Thanos: external labels win), result sorted.  Both must be sorted. */
int	labels_extend(struct labels *l, const struct labels *ext);
void	labels_reset(struct labels *l);
void	labels_release(struct labels *l);

#endif
