/* lib/core/words: shell-like splitting of CONFIG_GUESTn_QEMU_ARGS, each
 * case checked against what `sh -c 'printf "[%s]" ...'` prints. */
#include <string.h>

#include "lib/core/words.h"
#include "t.h"

/* The words of s joined as "[a][b]", or "ERR:why". */
static const char *split(const char *s, unsigned max)
{
	static char out[512];
	char buf[256], *w[9];
	const char *why;
	int n = words_split(s, buf, sizeof(buf), w, max, &why);

	if (n < 0) {
		snprintf(out, sizeof(out), "ERR:%s", why);
		return out;
	}
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		strcat(out, "[");
		strcat(out, w[i]);
		strcat(out, "]");
	}
	return w[n] == NULL ? out : "words[n] is not NULL";
}

#define SPLITS(s, want) CHECK_MSG(!strcmp(split(s, 8), want), "%s -> %s, want %s", s, split(s, 8), want)

int main(void)
{
	SPLITS("", "");
	SPLITS("  \t ", "");
	SPLITS("-device e1000", "[-device][e1000]");
	SPLITS("  -a\t b  ", "[-a][b]");
	SPLITS("-append 'console=ttyS0 quiet'", "[-append][console=ttyS0 quiet]");
	SPLITS("\"a b\"c'd e'f", "[a bcd ef]");
	SPLITS("\"\\\" \\\\ \\$ \\` \\n\"", "[\" \\ $ ` \\n]");
	SPLITS("'\\n'", "[\\n]");
	SPLITS("a\\ b \\'c", "[a b]['c]");
	SPLITS("'' \"\"", "[][]");
	SPLITS("$HOME `x`", "[$HOME][`x`]");
	SPLITS("'open", "ERR:a ' is not closed");
	SPLITS("\"open", "ERR:a \" is not closed");
	SPLITS("end\\", "ERR:a \\ ends the line");
	SPLITS("a\nb", "ERR:a control character");
	SPLITS("'a\x01'", "ERR:a control character");
	SPLITS("a\x7f", "ERR:a control character");
	CHECK(!strcmp(split("1 2 3", 3), "[1][2][3]"));
	CHECK(!strcmp(split("1 2 3 4", 3), "ERR:too many words"));
	{
		char big[400];
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		CHECK(!strcmp(split(big, 8), "ERR:the words are too long"));
	}
	return T_DONE();
}
