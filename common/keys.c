/* keys.c -- the key set: the keys tokens are signed and verified with */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keys.h"
#include "log.h"

struct keys {
	struct keys_key	 hs;		/* the one key: signs and verifies */
	unsigned char	*secret;	/* hs.secret, owned: wiped when freed */
};

static const struct {
	const char	*name;
	size_t		 min_secret;	/* the hash output size, RFC 7518 3.2 */
} algs[] = {
	[KEYS_HS256] = { "HS256", 32 },
	[KEYS_HS384] = { "HS384", 48 },
	[KEYS_HS512] = { "HS512", 64 },
};

static int	 check_secret(enum keys_alg, size_t, const char *, char *,
		    size_t);
static struct keys *hs_adopt(enum keys_alg, unsigned char *, size_t);
static unsigned char *secret_env(const char *, size_t *, char *, size_t);
static unsigned char *secret_file(const char *, size_t *, char *, size_t);

enum keys_alg
keys_alg_from_name(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (algs[i].name != NULL && strcmp(name, algs[i].name) == 0)
			return (enum keys_alg)i;
	return KEYS_ALG_NONE;
}

const char *
keys_alg_name(enum keys_alg alg)
{
	if ((size_t)alg >= sizeof(algs) / sizeof(algs[0]) ||
	    algs[alg].name == NULL)
		return "none";
	return algs[alg].name;
}

size_t
keys_alg_min_secret(enum keys_alg alg)
{
	if ((size_t)alg >= sizeof(algs) / sizeof(algs[0]))
		return 0;
	return algs[alg].min_secret;
}

/*
 * Whether len bytes of secret will do for alg.  The error names where the
 * secret came from (source, or nothing if NULL): an operator may have
 * both JWT_SECRET and JWT_SECRET_FILE in use on one host.
 */
static int
check_secret(enum keys_alg alg, size_t len, const char *source, char *err,
    size_t errlen)
{
	size_t	 min = keys_alg_min_secret(alg);

	if (min == 0)
		return log_seterr(err, errlen, "%s is not an HMAC algorithm",
		    keys_alg_name(alg));
	if (len < min)
		return log_seterr(err, errlen, "%s%sthe secret is %zu bytes; "
		    "%s needs at least %zu (try: openssl rand -hex %zu)",
		    source != NULL ? source : "", source != NULL ? ": " : "",
		    len, keys_alg_name(alg), min, min);
	return 0;
}

/* A set holding secret (malloc'd, len bytes), which it now owns; or NULL. */
static struct keys *
hs_adopt(enum keys_alg alg, unsigned char *secret, size_t len)
{
	struct keys	*keys;

	if ((keys = calloc(1, sizeof(*keys))) == NULL)
		return NULL;
	keys->secret = secret;
	keys->hs.alg = alg;
	keys->hs.secret = secret;
	keys->hs.secret_len = len;
	return keys;
}

struct keys *
keys_new_hs(enum keys_alg alg, const void *secret, size_t len, char *err,
    size_t errlen)
{
	struct keys	*keys;
	unsigned char	*copy;

	if (check_secret(alg, len, NULL, err, errlen) == -1)
		return NULL;
	if ((copy = malloc(len)) == NULL) {
		(void)log_seterr(err, errlen, "out of memory");
		return NULL;
	}
	memcpy(copy, secret, len);
	if ((keys = hs_adopt(alg, copy, len)) == NULL) {
		explicit_bzero(copy, len);
		free(copy);
		(void)log_seterr(err, errlen, "out of memory");
	}
	return keys;
}

void
keys_free(struct keys *keys)
{
	if (keys == NULL)
		return;
	if (keys->secret != NULL) {
		explicit_bzero(keys->secret, keys->hs.secret_len);
		free(keys->secret);
	}
	explicit_bzero(keys, sizeof(*keys));
	free(keys);
}

const struct keys_key *
keys_signing(const struct keys *keys)
{
	if (keys == NULL || keys->secret == NULL)
		return NULL;
	return &keys->hs;
}

const struct keys_key *
keys_find(const struct keys *keys, enum keys_alg alg, const char *kid)
{
	/* One HMAC secret: kid names nothing to choose between. */
	(void)kid;
	if (keys == NULL || keys->secret == NULL || alg == KEYS_ALG_NONE ||
	    alg != keys->hs.alg)
		return NULL;
	return &keys->hs;
}

/*
 * Copy the secret out of the environment, then wipe the value in place so
 * it no longer shows in /proc/PID/environ or reaches any child.  Returns
 * a malloc'd copy of *lenp bytes, or NULL.
 */
static unsigned char *
secret_env(const char *name, size_t *lenp, char *err, size_t errlen)
{
	unsigned char	*secret;
	char		*value = getenv(name);
	size_t		 len = strlen(value);

	if (len == 0) {
		(void)log_seterr(err, errlen, "%s is empty", name);
		return NULL;
	}
	if ((secret = malloc(len)) == NULL) {
		(void)log_seterr(err, errlen, "out of memory");
		return NULL;
	}
	memcpy(secret, value, len);
	explicit_bzero(value, len);
	(void)unsetenv(name);
	*lenp = len;
	return secret;
}

/*
 * Read a secret file of at most KEYS_SECRET_FILE_MAX_BYTES.  Trailing
 * newlines are dropped: "echo secret > file" is how most people make one.
 * Returns a malloc'd copy of *lenp bytes, or NULL.
 */
static unsigned char *
secret_file(const char *path, size_t *lenp, char *err, size_t errlen)
{
	unsigned char	 buf[KEYS_SECRET_FILE_MAX_BYTES + 1];
	unsigned char	*secret = NULL;
	struct stat	 st;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		(void)log_seterr(err, errlen, "JWT_SECRET_FILE %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		log_seterr(err, errlen, "JWT_SECRET_FILE %s: not a regular file",
		    path);
		goto done;
	}
	if (st.st_mode & S_IROTH)
		log_warnx("JWT_SECRET_FILE %s is readable by every user; "
		    "chmod 0640 it", path);
	for (;;) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_seterr(err, errlen, "JWT_SECRET_FILE %s: %s", path,
			    strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > KEYS_SECRET_FILE_MAX_BYTES) {
			log_seterr(err, errlen, "JWT_SECRET_FILE %s: larger than "
			    "%d bytes", path, KEYS_SECRET_FILE_MAX_BYTES);
			goto done;
		}
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	if (len == 0) {
		log_seterr(err, errlen, "JWT_SECRET_FILE %s is empty", path);
		goto done;
	}
	if ((secret = malloc(len)) == NULL) {
		log_seterr(err, errlen, "out of memory");
		goto done;
	}
	memcpy(secret, buf, len);
	*lenp = len;
done:
	explicit_bzero(buf, sizeof(buf));
	(void)close(fd);
	return secret;
}

struct keys *
keys_load(char *err, size_t errlen)
{
	char		 source[PATH_MAX + 32];
	struct keys	*keys = NULL;
	unsigned char	*secret;
	const char	*name, *file;
	enum keys_alg	 alg = KEYS_ALG_DEFAULT;
	size_t		 len = 0;

	name = getenv("JWT_ALG");
	if (name != NULL && *name != '\0')
		alg = keys_alg_from_name(name);
	if (keys_alg_min_secret(alg) == 0) {
		(void)log_seterr(err, errlen, "JWT_ALG must be HS256, HS384 or "
		    "HS512");
		return NULL;
	}

	file = getenv("JWT_SECRET_FILE");
	if (file != NULL && *file == '\0')
		file = NULL;
	if (getenv("JWT_SECRET") != NULL && file != NULL) {
		(void)log_seterr(err, errlen, "set JWT_SECRET or "
		    "JWT_SECRET_FILE, not both");
		return NULL;
	}
	if (getenv("JWT_SECRET") != NULL) {
		secret = secret_env("JWT_SECRET", &len, err, errlen);
		(void)snprintf(source, sizeof(source), "JWT_SECRET");
	} else if (file != NULL) {
		secret = secret_file(file, &len, err, errlen);
		/* Cut, if ever, only in an error message. */
		(void)snprintf(source, sizeof(source), "JWT_SECRET_FILE %s",
		    file);
	} else {
		(void)log_seterr(err, errlen, "no secret: set JWT_SECRET_FILE "
		    "(or JWT_SECRET) to at least %zu random bytes",
		    keys_alg_min_secret(alg));
		return NULL;
	}
	if (secret == NULL)
		return NULL;

	if (check_secret(alg, len, source, err, errlen) == 0 &&
	    (keys = hs_adopt(alg, secret, len)) == NULL)
		(void)log_seterr(err, errlen, "out of memory");
	if (keys == NULL) {
		explicit_bzero(secret, len);
		free(secret);
	}
	return keys;
}
