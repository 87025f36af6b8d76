#include "base/jsonstr.h"
#include "unit.h"

static const char *
q(const char *s, size_t n)
{
	static struct buf b = BUF_INIT(BUF_NOMAX);

	buf_reset(&b);
	CHECK_INT(jsonstr_add(&b, s, n), 0);
	return b.data;
}

int
main(void)
{
	struct labels l = LABELS_INIT;
	struct buf b = BUF_INIT(BUF_NOMAX);

	CHECK_STR(q("", 0), "\"\"");
	CHECK_STR(q("a\"b\\c", 5), "\"a\\\"b\\\\c\"");
	CHECK_STR(q("\n\r\t\x01", 4), "\"\\n\\r\\t\\u0001\"");
	/* A NUL inside a value is escaped, not a terminator. */
	CHECK_STR(q("a\0b", 3), "\"a\\u0000b\"");
	CHECK_STR(q("\xc3\xbc\xe2\x9c\x93", 5), "\"\xc3\xbc\xe2\x9c\x93\"");
	/* Invalid UTF-8 (a lone byte, an overlong form, a surrogate). */
	CHECK_STR(q("\xff", 1), "\"\\ufffd\"");
	CHECK_STR(q("\xc0\xaf", 2), "\"\\ufffd\\ufffd\"");
	CHECK_STR(q("\xed\xa0\x80", 3), "\"\\ufffd\\ufffd\\ufffd\"");
	CHECK_STR(q("\xe2\x9c", 2), "\"\\ufffd\\ufffd\"");
	labels_add(&l, STR("__name__"), STR("up"));
	labels_add(&l, STR("job"), STR("a\"b"));
	CHECK_INT(jsonstr_add_labels(&b, &l), 0);
	CHECK_STR(b.data, "{\"__name__\":\"up\",\"job\":\"a\\\"b\"}");
	buf_reset(&b);
	labels_reset(&l);
	CHECK_INT(jsonstr_add_labels(&b, &l), 0);
	CHECK_STR(b.data, "{}");
	buf_release(&b);
	labels_release(&l);
	return unit_done();
}
