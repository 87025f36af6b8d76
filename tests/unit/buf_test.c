#include <errno.h>
#include <stdlib.h>

#include "base/buf.h"
#include "unit.h"

int
main(void)
{
	struct buf b = BUF_INIT(8);
	char *p;
	size_t n;

	CHECK_INT(buf_addstr(&b, "abc"), 0);
	CHECK_INT(b.len, 3);
	CHECK_STR(b.data, "abc");
	CHECK_INT(buf_addf(&b, "%d%d", 12, 34), 0);
	CHECK_STR(b.data, "abc1234");
	/* One past the cap fails and leaves the buffer as it was. */
	CHECK_INT(buf_addstr(&b, "xy"), -1);
	CHECK_INT(errno, ENOBUFS);
	CHECK_STR(b.data, "abc1234");
	CHECK_INT(buf_addch(&b, 'z'), 0);
	CHECK_INT(b.len, 8);
	p = buf_detach(&b, &n);
	CHECK_STR(p, "abc1234z");
	CHECK_INT(n, 8);
	CHECK(b.data == NULL && b.len == 0);
	free(p);

	/* Detaching an empty buffer still gives a string. */
	p = buf_detach(&b, &n);
	CHECK_STR(p, "");
	CHECK_INT(n, 0);
	free(p);

	buf_init(&b, BUF_NOMAX);
	for (int i = 0; i < 10000; i++)
		CHECK_INT(buf_addch(&b, 'a' + i % 26), 0);
	CHECK_INT(b.len, 10000);
	CHECK(b.data[9999] == 'a' + 9999 % 26 && b.data[10000] == '\0');
	buf_reset(&b);
	CHECK_INT(b.len, 0);
	CHECK_STR(b.data, "");
	buf_release(&b);
	return unit_done();
}
