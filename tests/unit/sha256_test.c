#include <stdlib.h>
#include <string.h>

#include "base/sha256.h"
#include "unit.h"

static void
hexof(const void *p, size_t n, char out[SHA256_HEXLEN])
{
	unsigned char d[SHA256_LEN];

	sha256_digest(p, n, d);
	sha256_hex(d, out);
}

static void
hmac_hexof(const void *k, size_t kn, const void *m, size_t mn,
    char out[SHA256_HEXLEN])
{
	unsigned char d[SHA256_LEN];

	hmac_sha256(k, kn, m, mn, d);
	sha256_hex(d, out);
}

static void
test_nist(void)
{
	char hex[SHA256_HEXLEN];
	const char *m448 =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	const char *m896 =
	    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	    "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

	hexof("", 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	hexof(NULL, 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	hexof("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	hexof(m448, strlen(m448), hex);
	CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
	hexof(m896, strlen(m896), hex);
	CHECK_STR(hex, "cf5b16a778af8380036ce59e7b049237"
	    "0b249b11e8f07a51afac45037afee9d1");
}

/* One million 'a', fed in pieces of odd sizes that straddle blocks. */
static void
test_million(void)
{
	static const size_t sizes[] = { 1, 7, 63, 64, 65, 127, 1000, 3 };
	char buf[1000], hex[SHA256_HEXLEN];
	unsigned char d[SHA256_LEN];
	struct sha256 c;
	size_t left = 1000000, n, i = 0;

	memset(buf, 'a', sizeof(buf));
	sha256_init(&c);
	while (left > 0) {
		n = sizes[i++ % (sizeof(sizes) / sizeof(sizes[0]))];
		if (n > left)
			n = left;
		sha256_update(&c, buf, n);
		sha256_update(&c, buf, 0);
		left -= n;
	}
	sha256_final(&c, d);
	sha256_hex(d, hex);
	CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0");
}

/* Lengths around the padding edges (55/56 bytes: one or two final
 * blocks), and byte-at-a-time feeding agreeing with one shot. */
static void
test_edges(void)
{
	static const struct {
		size_t		 n;
		const char	*hex;
	} v[] = {
		{ 55, "9f4390f8d30c2dd92ec9f095b65e2b9a"
		      "e9b0a925a5258e241c9f1e910f734318" },
		{ 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f"
		      "590ce20f1bde7090ef7970686ec6738a" },
		{ 63, "7d3e74a05d7db15bce4ad9ec0658ea98"
		      "e3f06eeecf16b4c6fff2da457ddc2f34" },
		{ 64, "ffe054fe7ae0cb6dc65c3af9b61d5209"
		      "f439851db43d0ba5997337df154668eb" },
		{ 65, "635361c48bb9eab14198e76ea8ab7f1a"
		      "41685d6ad62aa9146d301d4f17eb0ae0" },
		{ 119, "31eba51c313a5c08226adf18d4a359cf"
		       "dfd8d2e816b13f4af952f7ea6584dcfb" },
		{ 120, "2f3d335432c70b580af0e8e1b3674a7c"
		       "020d683aa5f73aaaedfdc55af904c21c" },
		{ 128, "6836cf13bac400e9105071cd6af47084"
		       "dfacad4e5e302c94bfed24e013afb73e" },
	};
	unsigned char buf[200], d1[SHA256_LEN], d2[SHA256_LEN];
	char hex[SHA256_HEXLEN];
	struct sha256 c;
	size_t i, n;
	int same = 1;

	memset(buf, 'a', sizeof(buf));
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		hexof(buf, v[i].n, hex);
		CHECK_STR(hex, v[i].hex);
	}
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7 + 1);
	for (n = 0; n <= sizeof(buf); n++) {
		sha256_digest(buf, n, d1);
		sha256_init(&c);
		for (i = 0; i < n; i++)
			sha256_update(&c, buf + i, 1);
		sha256_final(&c, d2);
		if (memcmp(d1, d2, sizeof(d1)) != 0)
			same = 0;
	}
	CHECK(same);
}

/* RFC 4231 section 4: test cases 1-4, 6 and 7 (5 is truncated output). */
static void
test_hmac(void)
{
	unsigned char key[131], data[50];
	char hex[SHA256_HEXLEN];
	const char *m6 = "Test Using Larger Than Block-Size Key - "
	    "Hash Key First";
	const char *m7 = "This is a test using a larger than block-size key "
	    "and a larger than block-size data. The key needs to be hashed "
	    "before being used by the HMAC algorithm.";
	size_t i;

	memset(key, 0x0b, 20);
	hmac_hexof(key, 20, "Hi There", 8, hex);
	CHECK_STR(hex, "b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7");

	hmac_hexof("Jefe", 4, "what do ya want for nothing?", 28, hex);
	CHECK_STR(hex, "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843");

	memset(key, 0xaa, 20);
	memset(data, 0xdd, 50);
	hmac_hexof(key, 20, data, 50, hex);
	CHECK_STR(hex, "773ea91e36800e46854db8ebd09181a7"
	    "2959098b3ef8c122d9635514ced565fe");

	for (i = 0; i < 25; i++)
		key[i] = (unsigned char)(i + 1);
	memset(data, 0xcd, 50);
	hmac_hexof(key, 25, data, 50, hex);
	CHECK_STR(hex, "82558a389a443c0ea4cc819899f2083a"
	    "85f0faa3e578f8077a2e3ff46729665b");

	memset(key, 0xaa, 131);
	hmac_hexof(key, 131, m6, strlen(m6), hex);
	CHECK_STR(hex, "60e431591ee0b67f0d8a26aacbf5b77f"
	    "8e0bc6213728c5140546040f0ee37f54");
	hmac_hexof(key, 131, m7, strlen(m7), hex);
	CHECK_STR(hex, "9b09ffa71b942fcb27635fbcd5b0e944"
	    "bfdc63644f0713938a7f51535c3a35e2");
}

/* SigV4 feeds each HMAC into the next as its key, in place. */
static void
test_hmac_alias(void)
{
	unsigned char k[SHA256_LEN], want[SHA256_LEN];

	hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, k);
	hmac_sha256(k, sizeof(k), "20150830", 8, want);
	hmac_sha256(k, sizeof(k), "20150830", 8, k);
	CHECK(memcmp(k, want, sizeof(k)) == 0);
}

int
main(void)
{
	test_nist();
	test_million();
	test_edges();
	test_hmac();
	test_hmac_alias();
	return unit_done();
}
