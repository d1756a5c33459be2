/* cfg.h -- the environment, read and validated once at start */
#ifndef FCGI_AUTH_CFG_H
#define FCGI_AUTH_CFG_H

#include <limits.h>
#include <stddef.h>

/* A longer secret file is a mistake (a key pair, a log), not a secret. */
#define CFG_SECRET_FILE_MAX_BYTES	4096
#define CFG_TTL_MIN_DEFAULT		30
#define CFG_TTL_MIN_MAX			1440	/* one day */
#define CFG_ALG_DEFAULT			"HS256"

struct cfg {
	unsigned char	*secret;		/* malloc'd; wiped by cfg_clear */
	size_t		 secret_len;
	char		 alg[8];		/* "HS256", "HS384" or "HS512" */
	int		 ttl_min;		/* ACCESS_TOKEN_TTL_MIN, 1..1440 */
	char		 users_file[PATH_MAX];
};

/*
 * Fill cfg from JWT_SECRET or JWT_SECRET_FILE, JWT_ALG, ACCESS_TOKEN_TTL_MIN
 * and USERS_FILE.  The secret must be at least as long as the algorithm's
 * hash output (RFC 7518 3.2).  A JWT_SECRET value is wiped from the
 * environment once copied.  Returns 0, or -1 with one line in err.
 */
int	cfg_load(struct cfg *cfg, char *err, size_t errlen);

/* Wipe and free the secret; safe on a zeroed or already cleared cfg. */
void	cfg_clear(struct cfg *cfg);

/* Bytes of secret the algorithm needs (its hash output), 0 if unknown. */
size_t	cfg_alg_min_secret(const char *alg);

/*
 * Parse a decimal integer in [min, max] (strtonum(3) semantics: no sign
 * games, no trailing text).  Returns 0, or -1 if s is not such a number.
 */
int	cfg_parse_long(const char *s, long min, long max, long *out);

#endif /* FCGI_AUTH_CFG_H */
