/* password.c -- verify and make password hashes with libxcrypt */
#include "config.h"

#include <crypt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "password.h"

static const struct {
	const char	*prefix;
	const char	*name;
} schemes[] = {
	{ "$y$",	"yescrypt" },
	{ "$gy$",	"gost-yescrypt" },
	{ "$7$",	"scrypt" },
	{ "$2b$",	"bcrypt" },
	{ "$2y$",	"bcrypt" },
	{ "$2a$",	"bcrypt" },
	{ "$6$",	"sha512crypt" },
	{ "$5$",	"sha256crypt" },
};

static int	const_time_streq(const char *, const char *);

/*
 * Compare two strings without stopping at the first difference (as
 * lighttpd's ck_memeq_const_time): the loop runs over the longer one.
 */
static int
const_time_streq(const char *a, const char *b)
{
	size_t		 alen = strlen(a), blen = strlen(b), i, n;
	unsigned char	 diff = alen != blen;
	unsigned char	 ca, cb;

	n = alen > blen ? alen : blen;
	for (i = 0; i < n; i++) {
		ca = i < alen ? (unsigned char)a[i] : 0;
		cb = i < blen ? (unsigned char)b[i] : 0;
		diff |= ca ^ cb;
	}
	return diff == 0;
}

const char *
password_scheme_name(const char *hash)
{
	size_t	 i;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strncmp(hash, schemes[i].prefix,
		    strlen(schemes[i].prefix)) == 0)
			return schemes[i].name;
	return "unknown";
}

int
password_hash_usable(const char *hash)
{
	if (strcmp(password_scheme_name(hash), "unknown") == 0)
		return 0;
	return crypt_checksalt(hash) == CRYPT_SALT_OK;
}

int
password_verify(const char *password, const char *hash, int *match)
{
	struct crypt_data	*cd;
	const char		*out;
	int			 ret = -1;

	*match = 0;
	/*
	 * libxcrypt refuses passphrases of CRYPT_MAX_PASSPHRASE_SIZE bytes
	 * or more (crypt_rn fails, ERANGE), so no hash matches one.  That is
	 * a wrong password, not an unusable hash: a 500 for known users
	 * only would tell an attacker which names exist.
	 */
	if (strlen(password) >= CRYPT_MAX_PASSPHRASE_SIZE)
		return 0;
	/* Heap, not stack: struct crypt_data is 32 KiB. */
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return -1;
	out = crypt_rn(password, hash, cd, sizeof(*cd));
	/* libxcrypt returns NULL, or a "*" string, for a hash it cannot use. */
	if (out != NULL && out[0] != '*') {
		*match = const_time_streq(out, hash);
		ret = 0;
	}
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ret;
}

int
password_hash(const char *password, const char *prefix, unsigned long cost,
    char *out, size_t outlen)
{
	struct crypt_data	*cd;
	char			 setting[CRYPT_GENSALT_OUTPUT_SIZE];
	const char		*h;
	size_t			 len;
	int			 ret = -1;

	len = strlen(password);
	if (len == 0 || len > PASSWORD_MAX_BYTES || outlen < PASSWORD_HASH_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (crypt_gensalt_rn(prefix, cost, NULL, 0, setting,
	    sizeof(setting)) == NULL)
		return -1;
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return -1;
	h = crypt_rn(password, setting, cd, sizeof(*cd));
	if (h == NULL || h[0] == '*' || strlen(h) >= outlen) {
		errno = EINVAL;
		goto done;
	}
	memcpy(out, h, strlen(h) + 1);
	ret = 0;
done:
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ret;
}
