/* cfg.c -- the environment, read and validated once at start */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "log.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define USERS_FILE_DEFAULT	SYSCONFDIR "/fcgi-auth/users"

static const struct {
	const char	*name;
	size_t		 min_secret;	/* the hash output size, RFC 7518 3.2 */
} cfg_algs[] = {
	{ "HS256", 32 },
	{ "HS384", 48 },
	{ "HS512", 64 },
};

static int	load_secret_env(struct cfg *, const char *, char *, size_t);
static int	load_secret_file(struct cfg *, const char *, char *, size_t);

size_t
cfg_alg_min_secret(const char *alg)
{
	size_t	 i;

	for (i = 0; i < sizeof(cfg_algs) / sizeof(cfg_algs[0]); i++)
		if (strcmp(alg, cfg_algs[i].name) == 0)
			return cfg_algs[i].min_secret;
	return 0;
}

int
cfg_parse_long(const char *s, long min, long max, long *out)
{
	char	*end;
	long	 v;

	if (s == NULL || *s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * Copy the secret out of the environment, then wipe the value in place so
 * it no longer shows in /proc/PID/environ or reaches any child.
 */
static int
load_secret_env(struct cfg *cfg, const char *name, char *err, size_t errlen)
{
	char	*value = getenv(name);
	size_t	 len = strlen(value);

	if (len == 0)
		return log_seterr(err, errlen, "%s is empty", name);
	if ((cfg->secret = malloc(len)) == NULL)
		return log_seterr(err, errlen, "out of memory");
	memcpy(cfg->secret, value, len);
	cfg->secret_len = len;
	explicit_bzero(value, len);
	(void)unsetenv(name);
	return 0;
}

/*
 * Read a secret file of at most CFG_SECRET_FILE_MAX_BYTES.  Trailing
 * newlines are dropped: "echo secret > file" is how most people make one.
 */
static int
load_secret_file(struct cfg *cfg, const char *path, char *err, size_t errlen)
{
	unsigned char	 buf[CFG_SECRET_FILE_MAX_BYTES + 1];
	struct stat	 st;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd, ret = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return log_seterr(err, errlen, "JWT_SECRET_FILE %s: %s", path,
		    strerror(errno));
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
		if (len > CFG_SECRET_FILE_MAX_BYTES) {
			log_seterr(err, errlen, "JWT_SECRET_FILE %s: larger than "
			    "%d bytes", path, CFG_SECRET_FILE_MAX_BYTES);
			goto done;
		}
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	if (len == 0) {
		log_seterr(err, errlen, "JWT_SECRET_FILE %s is empty", path);
		goto done;
	}
	if ((cfg->secret = malloc(len)) == NULL) {
		log_seterr(err, errlen, "out of memory");
		goto done;
	}
	memcpy(cfg->secret, buf, len);
	cfg->secret_len = len;
	ret = 0;
done:
	explicit_bzero(buf, sizeof(buf));
	(void)close(fd);
	return ret;
}

int
cfg_load(struct cfg *cfg, char *err, size_t errlen)
{
	const char	*alg, *ttl, *users, *secret_file;
	size_t		 min_secret;
	long		 v;
	int		 n;

	memset(cfg, 0, sizeof(*cfg));

	alg = getenv("JWT_ALG");
	if (alg == NULL || *alg == '\0')
		alg = CFG_ALG_DEFAULT;
	if ((min_secret = cfg_alg_min_secret(alg)) == 0)
		return log_seterr(err, errlen, "JWT_ALG must be HS256, HS384 or "
		    "HS512");
	(void)snprintf(cfg->alg, sizeof(cfg->alg), "%s", alg);

	cfg->ttl_min = CFG_TTL_MIN_DEFAULT;
	ttl = getenv("ACCESS_TOKEN_TTL_MIN");
	if (ttl != NULL && *ttl != '\0') {
		if (cfg_parse_long(ttl, 1, CFG_TTL_MIN_MAX, &v) == -1)
			return log_seterr(err, errlen, "ACCESS_TOKEN_TTL_MIN must "
			    "be a whole number of minutes from 1 to %d",
			    CFG_TTL_MIN_MAX);
		cfg->ttl_min = (int)v;
	}

	users = getenv("USERS_FILE");
	if (users == NULL || *users == '\0')
		users = USERS_FILE_DEFAULT;
	n = snprintf(cfg->users_file, sizeof(cfg->users_file), "%s", users);
	if (n < 0 || (size_t)n >= sizeof(cfg->users_file))
		return log_seterr(err, errlen, "USERS_FILE is too long");

	secret_file = getenv("JWT_SECRET_FILE");
	if (secret_file != NULL && *secret_file == '\0')
		secret_file = NULL;
	if (getenv("JWT_SECRET") != NULL && secret_file != NULL)
		return log_seterr(err, errlen, "set JWT_SECRET or JWT_SECRET_FILE, "
		    "not both");
	if (getenv("JWT_SECRET") != NULL) {
		if (load_secret_env(cfg, "JWT_SECRET", err, errlen) == -1)
			return -1;
	} else if (secret_file != NULL) {
		if (load_secret_file(cfg, secret_file, err, errlen) == -1)
			return -1;
	} else
		return log_seterr(err, errlen, "no secret: set JWT_SECRET_FILE "
		    "(or JWT_SECRET) to at least %zu random bytes", min_secret);

	if (cfg->secret_len < min_secret) {
		/* Name the setting to fix: an operator may have both in use. */
		if (secret_file != NULL)
			log_seterr(err, errlen, "JWT_SECRET_FILE %s: the secret "
			    "is %zu bytes; %s needs at least %zu (try: openssl "
			    "rand -hex %zu)", secret_file, cfg->secret_len,
			    cfg->alg, min_secret, min_secret);
		else
			log_seterr(err, errlen, "JWT_SECRET: the secret is %zu "
			    "bytes; %s needs at least %zu (try: openssl rand "
			    "-hex %zu)", cfg->secret_len, cfg->alg, min_secret,
			    min_secret);
		cfg_clear(cfg);
		return -1;
	}
	return 0;
}

void
cfg_clear(struct cfg *cfg)
{
	if (cfg->secret != NULL) {
		explicit_bzero(cfg->secret, cfg->secret_len);
		free(cfg->secret);
	}
	cfg->secret = NULL;
	cfg->secret_len = 0;
}
