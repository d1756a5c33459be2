/* password.c -- verify and make password hashes with libxcrypt */
#include "config.h"

#include <crypt.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "password.h"

/* How each scheme writes its setting, and so how it is parsed. */
enum scheme_kind { KIND_YESCRYPT, KIND_SCRYPT, KIND_BCRYPT, KIND_SHACRYPT };

/*
 * The schemes a users file may use.  tail_len is the checksum's length
 * and tail_zero the bits of its last character's value that are always
 * 0 (that character holds the checksum's last 2 or 4 bits): libxcrypt
 * never writes one with them set, so a hash that has one matches no
 * password.  bcrypt has no '$' before its checksum.
 *
 * The cost model (password_hash_parse's cost_ns) is CPU nanoseconds per
 * verification as measured with libxcrypt 4.4.33 on a 2-core x86-64 VM
 * (docs/design.md has the figures), for a password of 8 to 16 bytes:
 *   bcrypt       per * 2^cost + base
 *   sha-crypt    per * rounds (5000 when not given)
 *   yescrypt     N * (base_n + per * r) + base
 *   scrypt       N * p * (base_n + per * r) + base
 * Within 10% for bcrypt, scrypt and yescrypt from libxcrypt's cost 3 up,
 * 25% for yescrypt's costs 1 and 2 and for sha-crypt (its cost grows with
 * the password's length), about 30% for settings libxcrypt does not write
 * (yescrypt and scrypt with r below 8 are latency-bound).  Other machines
 * differ most between the CPU-bound schemes (bcrypt, sha-crypt) and the
 * memory-bound ones (yescrypt, scrypt).
 */
static const struct scheme {
	const char		*prefix;
	const char		*name;
	enum scheme_kind	 kind;
	size_t			 tail_len;
	int			 tail_zero;
	unsigned long		 per;		/* ns, see above */
	unsigned long		 base_n;
	unsigned long		 base;
} schemes[] = {
	{ "$y$",  "yescrypt",	   KIND_YESCRYPT, 43, 0x30, 137, 150, 30000 },
	{ "$gy$", "gost-yescrypt", KIND_YESCRYPT, 43, 0x30, 137, 150, 30000 },
	{ "$7$",  "scrypt",	   KIND_SCRYPT,	  43, 0x30, 220, 100, 30000 },
	{ "$2b$", "bcrypt",	   KIND_BCRYPT,	  31, 0x03, 48800, 0, 100000 },
	{ "$2y$", "bcrypt",	   KIND_BCRYPT,	  31, 0x03, 48800, 0, 100000 },
	{ "$2a$", "bcrypt",	   KIND_BCRYPT,	  31, 0x03, 48800, 0, 100000 },
	{ "$6$",  "sha512crypt",   KIND_SHACRYPT, 86, 0x3c, 300, 0, 0 },
	{ "$5$",  "sha256crypt",   KIND_SHACRYPT, 43, 0x30, 380, 0, 0 },
};

/* crypt(5)'s base 64, and bcrypt's own order of the same characters. */
static const char	b64[] =
    "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const char	bf64[] =
    "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/* libxcrypt's sha-crypt: rounds by default and at least, salt it reads. */
#define SHACRYPT_ROUNDS_DEFAULT	5000UL
#define SHACRYPT_ROUNDS_MIN	1000UL
#define SHACRYPT_SALT_MAX	16
/* yescrypt's only flavor libxcrypt verifies ("j": YESCRYPT_DEFAULTS). */
#define YESCRYPT_FLAVOR		'j'
/* At most 64 bytes of salt, 86 characters (yescrypt's decode64). */
#define YESCRYPT_SALT_MAX	86
#define BCRYPT_COST_MIN		4

_Static_assert(PASSWORD_MAX_BYTES < CRYPT_MAX_PASSPHRASE_SIZE,
    "libxcrypt refuses passphrases this long");
_Static_assert(PASSWORD_HASH_MAX >= CRYPT_OUTPUT_SIZE,
    "room for any crypt_rn output");

static int	const_time_streq(const char *, const char *);
static int	scheme_index(const char *);
static int	b64_index(const char *, int);
static const char *decode_uint32(const char *, uint32_t, uint32_t *);
static int	parse_tail(const struct scheme *, const char *, int,
		    const char **);
static int	parse_yescrypt(const struct scheme *, const char *,
		    struct password_setting *, int, const char **);
static int	parse_scrypt(const struct scheme *, const char *,
		    struct password_setting *, int, const char **);
static int	parse_bcrypt(const struct scheme *, const char *,
		    struct password_setting *, int, const char **);
static int	parse_shacrypt(const struct scheme *, const char *,
		    struct password_setting *, int, const char **);
static int	parse(const char *, struct password_setting *, int,
		    const char **);

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
	if (schemes[i].kind == KIND_SCRYPT)
		n += 11;	/* log2(N), r, p */
	else if (schemes[i].kind == KIND_BCRYPT)
		n += 3;		/* "12$" */
	else if (schemes[i].kind == KIND_YESCRYPT ||
	    strncmp(field, "rounds=", 7) == 0) {
		if ((end = strchr(field, '$')) == NULL)
			return len;
		n = (size_t)(end + 1 - hash);
	}
	return n < len ? n : len;
}

/* The value of c in alphabet (b64 or bf64), or -1. */
static int
b64_index(const char *alphabet, int c)
{
	const char	*p;

	if (c == '\0' || (p = strchr(alphabet, c)) == NULL)
		return -1;
	return (int)(p - alphabet);
}

/*
 * yescrypt's variable-length number (decode64_uint32 in libxcrypt): one
 * character for 0..47 above min, more for larger ones.  Returns the end,
 * or NULL if a character is not base 64.
 */
static const char *
decode_uint32(const char *s, uint32_t min, uint32_t *out)
{
	uint32_t	 start = 0, end = 47, chars = 1, bits = 0;
	int		 c;

	if ((c = b64_index(b64, *s++)) == -1)
		return NULL;
	*out = min;
	while ((uint32_t)c > end) {
		*out += (end + 1 - start) << bits;
		start = end + 1;
		end = start + (62 - end) / 2;
		chars++;
		bits += 6;
	}
	*out += ((uint32_t)c - start) << bits;
	while (--chars) {
		if ((c = b64_index(b64, *s++)) == -1)
			return NULL;
		bits -= 6;
		*out += (uint32_t)c << bits;
	}
	return s;
}

/*
 * The checksum: tail_len characters of alphabet, the last one with none
 * of the tail_zero bits, and nothing after.  With tail 0 (a setting, to
 * hash with) there must be none.
 */
static int
parse_tail(const struct scheme *sc, const char *s, int tail, const char **why)
{
	const char	*alphabet = sc->kind == KIND_BCRYPT ? bf64 : b64;
	size_t		 i;

	if (!tail) {
		if (*s == '\0')
			return 0;
		*why = "malformed password hash";
		return -1;
	}
	for (i = 0; i < sc->tail_len; i++)
		if (b64_index(alphabet, s[i]) == -1)
			break;
	if (i != sc->tail_len || s[i] != '\0' ||
	    (b64_index(alphabet, s[i - 1]) & sc->tail_zero) != 0) {
		*why = "malformed password hash (checksum)";
		return -1;
	}
	return 0;
}

/*
 * $y$ and $gy$ (libxcrypt's yescrypt_r): the flavor libxcrypt writes and
 * verifies, log2(N), r, no further parameters (p, t, upgrades, a ROM:
 * libxcrypt never writes them), '$', a salt its decode64 takes whole.
 */
static int
parse_yescrypt(const struct scheme *sc, const char *hash,
    struct password_setting *ps, int tail, const char **why)
{
	const char	*s = hash + strlen(sc->prefix), *salt;
	uint32_t	 n_log2, r;
	size_t		 len;
	int		 last;

	if (*s++ != YESCRYPT_FLAVOR || (s = decode_uint32(s, 1, &n_log2)) ==
	    NULL || (s = decode_uint32(s, 1, &r)) == NULL || *s != '$') {
		*why = "malformed or unsupported yescrypt parameters";
		return -1;
	}
	/* yescrypt needs N > 3 (and N <= 2^31 here). */
	if (n_log2 < 2) {
		*why = "malformed yescrypt parameters (N below 4)";
		return -1;
	}
	if (n_log2 > 31 || (1UL << n_log2) > PASSWORD_YESCRYPT_N_MAX ||
	    r > PASSWORD_YESCRYPT_NR_MAX >> n_log2) {
		*why = "yescrypt cost above the limit (N 2^18, N*r 2^22)";
		return -1;
	}
	ps->len = (size_t)(++s - hash);
	ps->cost_ns = ((unsigned long long)1 << n_log2) *
	    (sc->base_n + (unsigned long long)sc->per * r) + sc->base;

	/*
	 * decode64: groups of 4 characters make 3 bytes; a last group of 1
	 * is refused, of 2 or 3 must leave no bits over; 64 bytes at most.
	 */
	for (salt = s; b64_index(b64, *s) != -1; s++)
		;
	len = (size_t)(s - salt);
	last = len > 0 ? b64_index(b64, salt[len - 1]) : 0;
	if (len > YESCRYPT_SALT_MAX || len % 4 == 1 ||
	    (len % 4 == 2 && last >= 4) || (len % 4 == 3 && last >= 16) ||
	    (*s != '$' && (tail || *s != '\0'))) {
		*why = "malformed password hash (yescrypt salt)";
		return -1;
	}
	return parse_tail(sc, *s == '$' ? s + 1 : s, tail, why);
}

/*
 * $7$ (crypt-scrypt.c, then yescrypt_r): one character of log2(N), five
 * of r, five of p, the salt as is, '$'.
 */
static int
parse_scrypt(const struct scheme *sc, const char *hash,
    struct password_setting *ps, int tail, const char **why)
{
	const char	*s = hash + strlen(sc->prefix), *salt;
	uint64_t	 v[2];
	int		 n_log2, c, i, k;

	if ((n_log2 = b64_index(b64, *s++)) == -1) {
		*why = "malformed scrypt parameters";
		return -1;
	}
	for (k = 0; k < 2; k++)
		for (v[k] = 0, i = 0; i < 5; i++) {
			if ((c = b64_index(b64, *s++)) == -1) {
				*why = "malformed scrypt parameters";
				return -1;
			}
			v[k] |= (uint64_t)c << (6 * i);
		}
	/* N > 3; r, p >= 1; r * p < 2^30 (yescrypt_kdf_body). */
	if (n_log2 < 2 || v[0] == 0 || v[1] == 0 ||
	    v[0] * v[1] >= (uint64_t)1 << 30) {
		*why = "malformed scrypt parameters";
		return -1;
	}
	if (n_log2 > 31 || (1UL << n_log2) > PASSWORD_SCRYPT_N_MAX ||
	    v[0] * v[1] > PASSWORD_SCRYPT_NRP_MAX >> n_log2) {
		*why = "scrypt cost above the limit (N 2^18, N*r*p 2^21)";
		return -1;
	}
	ps->len = (size_t)(s - hash);
	ps->cost_ns = ((unsigned long long)1 << n_log2) * v[1] *
	    (sc->base_n + sc->per * v[0]) + sc->base;

	for (salt = s; b64_index(b64, *s) != -1; s++)
		;
	if ((size_t)(s - salt) > YESCRYPT_SALT_MAX ||
	    (*s != '$' && (tail || *s != '\0'))) {
		*why = "malformed password hash (scrypt salt)";
		return -1;
	}
	return parse_tail(sc, *s == '$' ? s + 1 : s, tail, why);
}

/*
 * $2b$, $2y$, $2a$ (crypt-bcrypt.c): two digits of cost, '$', 22
 * characters of salt whose last holds 2 bits (BF_crypt writes it so).
 */
static int
parse_bcrypt(const struct scheme *sc, const char *hash,
    struct password_setting *ps, int tail, const char **why)
{
	const char	*s = hash + strlen(sc->prefix);
	int		 cost, i;

	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' ||
	    s[2] != '$') {
		*why = "malformed bcrypt cost";
		return -1;
	}
	cost = (s[0] - '0') * 10 + (s[1] - '0');
	if (cost < BCRYPT_COST_MIN) {
		*why = "malformed bcrypt cost (below 4)";
		return -1;
	}
	if (cost > PASSWORD_BCRYPT_COST_MAX) {
		*why = "bcrypt cost above the limit (14)";
		return -1;
	}
	ps->len = (size_t)(s + 3 - hash);
	ps->cost_ns = ((unsigned long long)sc->per << cost) + sc->base;
	for (s += 3, i = 0; i < 22; i++)
		if (b64_index(bf64, s[i]) == -1)
			break;
	if (i != 22 || b64_index(bf64, s[21]) % 16 != 0) {
		*why = "malformed password hash (bcrypt salt)";
		return -1;
	}
	return parse_tail(sc, s + 22, tail, why);
}

/*
 * $6$ and $5$ (crypt-sha512.c): an optional "rounds=N$" (no leading zero,
 * 1000..999999999), a salt up to the next '$' (crypt uses 16 characters
 * of it at most), '$'.  The salt may be any character crypt(5) allows in
 * a hash.
 */
static int
parse_shacrypt(const struct scheme *sc, const char *hash,
    struct password_setting *ps, int tail, const char **why)
{
	const char	*s = hash + strlen(sc->prefix), *salt;
	unsigned long	 rounds = SHACRYPT_ROUNDS_DEFAULT;
	size_t		 digits;

	if (strncmp(s, "rounds=", 7) == 0) {
		s += 7;
		digits = strspn(s, "0123456789");
		if (s[0] < '1' || s[0] > '9' || s[digits] != '$') {
			*why = "malformed sha-crypt rounds";
			return -1;
		}
		/* More than 9 digits is above the limit, and crypt's too. */
		for (rounds = 0; digits <= 9 && *s != '$'; s++)
			rounds = rounds * 10 + (unsigned long)(*s - '0');
		if (digits > 9 || rounds > PASSWORD_SHACRYPT_ROUNDS_MAX) {
			*why = "sha-crypt rounds above the limit (1000000)";
			return -1;
		}
		if (rounds < SHACRYPT_ROUNDS_MIN) {
			*why = "malformed sha-crypt rounds (below 1000)";
			return -1;
		}
		s++;
	}
	ps->len = (size_t)(s - hash);
	ps->cost_ns = (unsigned long long)sc->per * rounds + sc->base;
	for (salt = s; *s > ' ' && *s < 0x7f && strchr("$:;!*\\", *s) == NULL;
	    s++)
		;
	if ((size_t)(s - salt) > SHACRYPT_SALT_MAX ||
	    (*s != '$' && (tail || *s != '\0'))) {
		*why = "malformed password hash (sha-crypt salt)";
		return -1;
	}
	return parse_tail(sc, *s == '$' ? s + 1 : s, tail, why);
}

/* A hash (tail 1) or a setting to hash with (tail 0). */
static int
parse(const char *hash, struct password_setting *ps, int tail,
    const char **why)
{
	struct password_setting	 dummy;
	const char		*dummy_why;
	int			 i;

	if (ps == NULL)
		ps = &dummy;
	if (why == NULL)
		why = &dummy_why;
	if ((i = scheme_index(hash)) == -1) {
		*why = "unsupported password hash scheme";
		return -1;
	}
	ps->scheme = schemes[i].name;
	switch (schemes[i].kind) {
	case KIND_YESCRYPT:
		return parse_yescrypt(&schemes[i], hash, ps, tail, why);
	case KIND_SCRYPT:
		return parse_scrypt(&schemes[i], hash, ps, tail, why);
	case KIND_BCRYPT:
		return parse_bcrypt(&schemes[i], hash, ps, tail, why);
	case KIND_SHACRYPT:
		return parse_shacrypt(&schemes[i], hash, ps, tail, why);
	}
	*why = "unsupported password hash scheme";
	return -1;
}

int
password_hash_parse(const char *hash, struct password_setting *ps,
    const char **why)
{
	return parse(hash, ps, 1, why);
}

int
password_hash_usable(const char *hash)
{
	return parse(hash, NULL, 1, NULL) == 0;
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
	/* Above the caps: refused now, not after minutes of hashing. */
	if (parse(setting, NULL, 0, NULL) == -1) {
		errno = EINVAL;
		return -1;
	}
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return -1;
	h = crypt_rn(password, setting, cd, sizeof(*cd));
	/* Never write a hash the services would skip. */
	if (h == NULL || h[0] == '*' || strlen(h) >= outlen ||
	    parse(h, NULL, 1, NULL) == -1) {
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
