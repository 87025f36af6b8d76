#include <stdlib.h>

#include "base/labels.h"
#include "unit.h"

static void
set(struct labels *l, const char *const *kv)
{
	labels_reset(l);
	for (; kv[0]; kv += 2)
		labels_add(l, str_of(kv[0]), str_of(kv[1]));
}

int
main(void)
{
	struct labels a = LABELS_INIT, b = LABELS_INIT, e = LABELS_INIT;
	const struct str *v;

	CHECK(str_cmp(STR("a"), STR("b")) < 0);
	CHECK(str_cmp(STR("ab"), STR("a")) > 0);
	CHECK(str_cmp(STR(""), STR("")) == 0);
	/* Unsigned bytes: 0xc3 sorts after 'z'. */
	CHECK(str_cmp(STR("\xc3\xbc"), STR("z")) > 0);
	/* Byte order puts uppercase, then __name__, then _under, then
	 * lowercase (prometheus-formats 8.3). */
	set(&a, (const char *const[]){ "alpha", "a", "_under", "u",
	    "__name__", "m", "Zeta", "z", NULL });
	labels_sort(&a);
	CHECK(str_eq(a.v[0].name, "Zeta"));
	CHECK(str_eq(a.v[1].name, "__name__"));
	CHECK(str_eq(a.v[2].name, "_under"));
	CHECK(str_eq(a.v[3].name, "alpha"));
	v = labels_get(&a, STR("_under"));
	CHECK(v && str_eq(*v, "u"));
	CHECK(labels_get(&a, STR("nope")) == NULL);

	/* Compare: name decides first, then value, then length. */
	set(&a, (const char *const[]){ "a", "2", NULL });
	set(&b, (const char *const[]){ "b", "1", NULL });
	CHECK(labels_compare(&a, &b) < 0);
	set(&b, (const char *const[]){ "a", "10", NULL });
	CHECK(labels_compare(&a, &b) > 0);
	set(&b, (const char *const[]){ "a", "2", "b", "", NULL });
	CHECK(labels_compare(&a, &b) < 0);
	CHECK(labels_compare(&b, &a) > 0);
	CHECK(labels_compare(&a, &a) == 0);

	/* External labels win over series labels with the same name. */
	set(&a, (const char *const[]){ "__name__", "up", "job", "x",
	    "replica", "series", NULL });
	set(&e, (const char *const[]){ "cluster", "eu1", "replica", "a",
	    NULL });
	CHECK_INT(labels_extend(&a, &e), 0);
	CHECK_INT(a.n, 4);
	CHECK(str_eq(a.v[0].name, "__name__"));
	CHECK(str_eq(a.v[1].name, "cluster") && str_eq(a.v[1].value, "eu1"));
	CHECK(str_eq(a.v[2].name, "job"));
	CHECK(str_eq(a.v[3].name, "replica") && str_eq(a.v[3].value, "a"));
	labels_reset(&e);
	CHECK_INT(labels_extend(&a, &e), 0);
	CHECK_INT(a.n, 4);
	CHECK_INT(labels_copy(&b, &a), 0);
	CHECK(labels_compare(&a, &b) == 0);

	labels_release(&a);
	labels_release(&b);
	labels_release(&e);
	return unit_done();
}
