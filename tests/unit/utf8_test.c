#include <errno.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "unit.h"

int
main(void)
{
	struct buf b = BUF_INIT(BUF_NOMAX);
	size_t len;

	CHECK_INT(utf8_decode("a", 1, &len), 'a');
	CHECK_INT(len, 1);
	CHECK_INT(utf8_decode("\xc3\xa9", 2, &len), 0xe9);
	CHECK_INT(len, 2);
	CHECK_INT(utf8_decode("\xe2\x82\xac", 3, &len), 0x20ac);
	CHECK_INT(utf8_decode("\xf0\x9f\x98\x80", 4, &len), 0x1f600);
	CHECK_INT(len, 4);
	/* Cut short, overlong, surrogate, past U+10FFFF, stray bytes. */
	CHECK_INT(utf8_decode("\xe2\x82", 2, &len), -1);
	CHECK_INT(len, 1);
	CHECK_INT(utf8_decode("\xc0\xaf", 2, &len), -1);
	CHECK_INT(utf8_decode("\xe0\x80\xaf", 3, &len), -1);
	CHECK_INT(utf8_decode("\xed\xa0\x80", 3, &len), -1);
	CHECK_INT(utf8_decode("\xf4\x90\x80\x80", 4, &len), -1);
	CHECK_INT(utf8_decode("\x80", 1, &len), -1);
	CHECK_INT(utf8_decode("", 0, &len), -1);
	/* Every code point round-trips. */
	for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
		buf_reset(&b);
		if (cp >= 0xd800 && cp <= 0xdfff) {
			if (utf8_append(&b, cp) != -1 || errno != EINVAL)
				CHECK(0);
			continue;
		}
		if (utf8_append(&b, cp) != 0 ||
		    utf8_decode(b.data, b.len, &len) != (int32_t)cp ||
		    len != b.len)
			CHECK(0);
	}
	CHECK_INT(utf8_append(&b, 0x110000), -1);
	buf_release(&b);
	return unit_done();
}
