#include "lib/core/sshkey.h"

#include <string.h>

/* The key types of OpenSSH 9 (sshkey.c's table), their certificate forms
 * ending in "-cert-v01@openssh.com" included by prefix. */
static const char *const types[] = {
	"ssh-ed25519", "ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
	"ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
	"ssh-ed25519-cert-v01@openssh.com", "ssh-rsa-cert-v01@openssh.com", "ecdsa-sha2-nistp256-cert-v01@openssh.com",
	"ecdsa-sha2-nistp384-cert-v01@openssh.com", "ecdsa-sha2-nistp521-cert-v01@openssh.com",
	"sk-ssh-ed25519-cert-v01@openssh.com", "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", NULL,
};

static bool is_blank_char(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_type(const char *w, size_t n)
{
	for (unsigned i = 0; types[i]; i++)
		if (strlen(types[i]) == n && !memcmp(types[i], w, n))
			return true;
	return false;
}

static bool is_base64(const char *w, size_t n)
{
	size_t pad = 0;

	/* the shortest real key (ed25519) is 68 characters */
	if (n < 40 || n % 4)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = w[i];

		if (c == '=') {
			pad++;
			continue;
		}
		if (pad || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
			     c == '/'))
			return false;
	}
	return pad <= 2;
}

bool sshkey_is_blank(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && is_blank_char(s[i]))
		i++;
	return i == n || s[i] == '#';
}

bool sshkey_line_ok(const char *s, size_t n, const char **why)
{
	const char *end = s + n;

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t') {
			*why = "a control character";
			return false;
		}
	if (n >= 5 && !memcmp(s, "-----", 5)) {
		*why = "a PEM block: is this a private key? give the .pub file's line";
		return false;
	}
	/* Options come first and hold no blank outside quotes; the key type
	 * is the first word that is one. */
	for (const char *w = s; w < end;) {
		const char *e;

		while (w < end && is_blank_char(*w))
			w++;
		for (e = w; e < end && !is_blank_char(*e); e++)
			;
		if (is_type(w, (size_t)(e - w))) {
			const char *k = e, *ke;

			while (k < end && is_blank_char(*k))
				k++;
			for (ke = k; ke < end && !is_blank_char(*ke); ke++)
				;
			if (is_base64(k, (size_t)(ke - k)))
				return true;
			*why = "the key after its type is not base64 (cut short?)";
			return false;
		}
		w = e;
	}
	*why = "no key type (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, ...)";
	return false;
}

bool sshkey_text_ok(const char *text, char sep, unsigned *bad_line, const char **why)
{
	unsigned line = 0;

	for (const char *s = text; *s || line == 0;) {
		size_t n = 0;

		while (s[n] && s[n] != '\n' && s[n] != sep)
			n++;
		line++;
		if (!sshkey_is_blank(s, n) && !sshkey_line_ok(s, n, why)) {
			*bad_line = line;
			return false;
		}
		s += n + (s[n] != '\0');
		if (!*s)
			break;
	}
	return true;
}
