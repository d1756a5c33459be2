/* password.c -- verify and make password hashes with libxcrypt */
#include "config.h"

#include <crypt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "password.h"

/*
 * How a scheme writes its cost after the prefix: one '$'-ended field of
 * parameters ($y$j9T$), an optional "rounds=N$" ($6$rounds=5000$), or a
 * fixed number of characters ($2b$12$, $7$ and 11 of N, r and p).
 */
enum setting_kind { SETTING_FIELD, SETTING_ROUNDS, SETTING_FIXED };

/*
 * The schemes a users file may use, how each writes its cost, and how
 * long the checksum after the last '$' is in each: crypt_checksalt()
 * looks at the setting only, so a truncated hash would pass it.  bcrypt
 * has no '$' before its checksum; its 22 salt and 31 checksum characters
 * are counted together.
 */
static const struct {
	const char		*prefix;
	const char		*name;
	enum setting_kind	 setting;
	size_t			 setting_len;	/* SETTING_FIXED */
	size_t			 tail_len;
} schemes[] = {
	{ "$y$",	"yescrypt",	 SETTING_FIELD,	 0,	43 },
	{ "$gy$",	"gost-yescrypt", SETTING_FIELD,	 0,	43 },
	{ "$7$",	"scrypt",	 SETTING_FIXED,	 11,	43 },
	{ "$2b$",	"bcrypt",	 SETTING_FIXED,	 3,	53 },
	{ "$2y$",	"bcrypt",	 SETTING_FIXED,	 3,	53 },
	{ "$2a$",	"bcrypt",	 SETTING_FIXED,	 3,	53 },
	{ "$6$",	"sha512crypt",	 SETTING_ROUNDS, 0,	86 },
	{ "$5$",	"sha256crypt",	 SETTING_ROUNDS, 0,	43 },
};

_Static_assert(PASSWORD_MAX_BYTES < CRYPT_MAX_PASSPHRASE_SIZE,
    "libxcrypt refuses passphrases this long");
_Static_assert(PASSWORD_HASH_MAX >= CRYPT_OUTPUT_SIZE,
    "room for any crypt_rn output");

static int	const_time_streq(const char *, const char *);
static int	scheme_index(const char *);

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

static int
scheme_index(const char *hash)
{
	size_t	 i;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strncmp(hash, schemes[i].prefix,
		    strlen(schemes[i].prefix)) == 0)
			return (int)i;
	return -1;
}

const char *
password_scheme_name(const char *hash)
{
	int	 i = scheme_index(hash);

	return i == -1 ? "unknown" : schemes[i].name;
}

size_t
password_setting_len(const char *hash)
{
	const char	*field, *end;
	size_t		 len = strlen(hash), n;
	int		 i;

	if ((i = scheme_index(hash)) == -1)
		return len;
	n = strlen(schemes[i].prefix);
	field = hash + n;
	if (schemes[i].setting == SETTING_FIXED)
		n += schemes[i].setting_len;
	else if (schemes[i].setting == SETTING_FIELD ||
	    strncmp(field, "rounds=", 7) == 0) {
		if ((end = strchr(field, '$')) == NULL)
			return len;
		n = (size_t)(end + 1 - hash);
	}
	return n < len ? n : len;
}

int
password_hash_usable(const char *hash)
{
	const char	*tail;
	size_t		 len, setting;
	int		 i, salt;

	if ((i = scheme_index(hash)) == -1)
		return 0;
	/* sha256crypt is "legacy" to libxcrypt, but still verifiable. */
	salt = crypt_checksalt(hash);
	if (salt != CRYPT_SALT_OK && salt != CRYPT_SALT_METHOD_LEGACY)
		return 0;
	setting = password_setting_len(hash);
	if (setting >= strlen(hash))
		return 0;	/* no room for a salt: "$y$" and 43 characters */
	if (strncmp(schemes[i].name, "bcrypt", 6) == 0)
		tail = hash + setting;	/* $2b$NN$, salt and checksum */
	else if (strchr(hash + setting, '$') == NULL ||
	    strchr(hash + setting, '$') != strrchr(hash, '$'))
		return 0;	/* after the setting, not "salt$checksum" */
	else
		tail = strrchr(hash, '$') + 1;
	len = strlen(tail);
	return len == schemes[i].tail_len &&
	    strspn(tail, "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz") == len;
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
	 * only would tell an attacker which names exist.  Callers refuse
	 * them first anyway (PASSWORD_MAX_BYTES).
	 */
	if (strlen(password) > PASSWORD_MAX_BYTES)
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
