/* The one RFC 1123 name check (lib/core/name.c). */
#include <string.h>

#include "lib/core/name.h"
#include "t.h"

static bool label(const char *s, size_t max)
{
	return name_is_label(s, strlen(s), max);
}

static bool domain(const char *s)
{
	return name_is_domain(s, strlen(s));
}

int main(void)
{
	char long64[65];

	CHECK(label("vm1", 63));
	CHECK(label("a-b", 63));
	CHECK(label("9", 63));
	CHECK(!label("", 63));
	CHECK(!label("-a", 63));
	CHECK(!label("a-", 63));
	CHECK(!label("a_b", 63));
	CHECK(!label("a.b", 63));
	CHECK(!label("abcdef", 5));
	memset(long64, 'a', 64);
	long64[64] = '\0';
	CHECK(!label(long64, 100)); /* never past 63 (RFC 1035 §2.3.4) */
	CHECK(label(long64 + 1, 63));
	CHECK(!name_is_label("a\0b", 3, 63)); /* a NUL from a packet */

	CHECK(domain("lab"));
	CHECK(domain("lab.example.org"));
	CHECK(!domain(""));
	CHECK(!domain(".lab"));
	CHECK(!domain("lab."));
	CHECK(!domain("lab..org"));
	CHECK(!domain("lab.-x"));
	CHECK(!domain("lab.x-"));
	CHECK(!domain("l b"));
	return T_DONE();
}
