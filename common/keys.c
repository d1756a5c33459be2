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

#include <json-c/json.h>

#include "jwk.h"
#include "keys.h"
#include "log.h"

#define JSON_DEPTH_MAX	8

/* The verifying keys of a JWK Set, and the set as served. */
struct keyset {
	struct jwk	*jwk[KEYS_JWKS_MAX];
	struct keys_key	 key[KEYS_JWKS_MAX];
	size_t		 n;
	char		*json;		/* {"keys":[...]}, re-made */
	size_t		 jsonlen;
};

struct keys {
	enum keys_alg	 alg;		/* JWT_ALG */
	struct keys_key	 hs;		/* HS*: the one key, signs and verifies */
	unsigned char	*secret;	/* hs.secret, owned: wiped when freed */
	struct keyset	*set;		/* ES*, RS*: verifying; NULL: none */
	struct watch	*set_watch;	/* JWT_KEYS_FILE; NULL: not watched */
	struct jwk	*signer;	/* ES*, RS*: signing; NULL: none */
	struct keys_key	 sign;		/* the signer, as handed out */
	struct watch	*sign_watch;	/* JWT_PRIVATE_KEY_FILE */
	unsigned long	 generation;	/* bumped when set changes */
};

static const struct {
	const char	*name;
	size_t		 min_secret;	/* the hash output size, RFC 7518 3.2 */
} algs[] = {
	[KEYS_HS256] = { "HS256", 32 },
	[KEYS_HS384] = { "HS384", 48 },
	[KEYS_HS512] = { "HS512", 64 },
	[KEYS_RS256] = { "RS256", 0 },
	[KEYS_RS384] = { "RS384", 0 },
	[KEYS_RS512] = { "RS512", 0 },
	[KEYS_ES256] = { "ES256", 0 },
	[KEYS_ES384] = { "ES384", 0 },
};

static int	 check_secret(enum keys_alg, size_t, const char *, char *,
		    size_t);
static struct keys *hs_adopt(enum keys_alg, unsigned char *, size_t);
static unsigned char *secret_env(const char *, size_t *, char *, size_t);
static unsigned char *secret_file(const char *, size_t *, char *, size_t);
static struct keyset *keyset_parse(const char *, size_t, char *, size_t);
static void	 keyset_free(struct keyset *);
static void	 signer_set(struct keys *, struct jwk *);
static void	 signer_check(const struct keys *);
static int	 pair_load(struct keys *, int, char *, size_t);
static int	 poll_set(struct keys *, enum watch_mode);
static int	 poll_signer(struct keys *, enum watch_mode);

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

int
keys_alg_is_pair(enum keys_alg alg)
{
	switch (alg) {
	case KEYS_RS256:
	case KEYS_RS384:
	case KEYS_RS512:
	case KEYS_ES256:
	case KEYS_ES384:
		return 1;
	default:
		return 0;
	}
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
	keys->alg = alg;
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
	keyset_free(keys->set);
	watch_free(keys->set_watch);
	jwk_free(keys->signer);
	watch_free(keys->sign_watch);
	explicit_bzero(keys, sizeof(*keys));
	free(keys);
}

const struct keys_key *
keys_signing(const struct keys *keys)
{
	if (keys == NULL)
		return NULL;
	if (keys->signer != NULL)
		return &keys->sign;
	if (keys->secret == NULL)
		return NULL;
	return &keys->hs;
}

const struct keys_key *
keys_find(const struct keys *keys, enum keys_alg alg, const char *kid)
{
	size_t	 i;

	if (keys == NULL || alg == KEYS_ALG_NONE)
		return NULL;
	if (keys->set != NULL) {
		/*
		 * Found by kid, compared as bytes (never a path, never
		 * fetched); then pinned to the key's algorithm.
		 */
		if (kid == NULL)
			return NULL;
		for (i = 0; i < keys->set->n; i++)
			if (strcmp(keys->set->key[i].kid, kid) == 0)
				return keys->set->key[i].alg == alg ?
				    &keys->set->key[i] : NULL;
		return NULL;
	}
	/* One HMAC secret: kid names nothing to choose between. */
	if (keys->secret == NULL || alg != keys->hs.alg)
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
keys_load(int what, char *err, size_t errlen)
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
	if (keys_alg_min_secret(alg) == 0 && !keys_alg_is_pair(alg)) {
		(void)log_seterr(err, errlen, "JWT_ALG must be HS256, HS384, "
		    "HS512, ES256, ES384, RS256, RS384 or RS512");
		return NULL;
	}

	file = getenv("JWT_SECRET_FILE");
	if (file != NULL && *file == '\0')
		file = NULL;
	if (keys_alg_is_pair(alg)) {
		/* A secret beside a key pair would be a second way in. */
		if (getenv("JWT_SECRET") != NULL || file != NULL) {
			(void)log_seterr(err, errlen, "JWT_ALG %s signs with a "
			    "key pair: unset JWT_SECRET and JWT_SECRET_FILE",
			    keys_alg_name(alg));
			return NULL;
		}
		if ((keys = calloc(1, sizeof(*keys))) == NULL) {
			(void)log_seterr(err, errlen, "out of memory");
			return NULL;
		}
		keys->alg = alg;
		if (pair_load(keys, what, err, errlen) == -1) {
			keys_free(keys);
			return NULL;
		}
		return keys;
	}
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

/*
 * A JWK Set (RFC 7517 5) of len bytes: every key good (jwk_from_json), at
 * most KEYS_JWKS_MAX, no kid twice; or NULL and one line in err naming
 * the key (keys[i], and its kid when known).
 */
static struct keyset *
keyset_parse(const char *buf, size_t len, char *err, size_t errlen)
{
	char			 why[256];
	struct json_tokener	*tok;
	struct keyset		*set = NULL;
	json_object		*doc = NULL, *arr, *out = NULL, *k;
	const char		*json;
	size_t			 i, j, n;

	if (len == 0 || len > KEYS_JWKS_FILE_MAX_BYTES || len > INT_MAX) {
		(void)log_seterr(err, errlen, "empty or larger than %d bytes",
		    KEYS_JWKS_FILE_MAX_BYTES);
		return NULL;
	}
	if ((tok = json_tokener_new_ex(JSON_DEPTH_MAX)) == NULL) {
		(void)log_seterr(err, errlen, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	doc = json_tokener_parse_ex(tok, buf, (int)len);
	if (doc == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		(void)log_seterr(err, errlen, "not one JSON document (%s)",
		    doc == NULL || json_tokener_get_error(tok) !=
		    json_tokener_success ?
		    json_tokener_error_desc(json_tokener_get_error(tok)) :
		    "text after it");
		goto done;
	}
	if (!json_object_is_type(doc, json_type_object) ||
	    !json_object_object_get_ex(doc, "keys", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		(void)log_seterr(err, errlen, "not a JWK Set: want "
		    "{\"keys\": [...]}");
		goto done;
	}
	n = json_object_array_length(arr);
	if (n == 0 || n > KEYS_JWKS_MAX) {
		(void)log_seterr(err, errlen, "holds %zu keys; 1 to %d please",
		    n, KEYS_JWKS_MAX);
		goto done;
	}
	if ((set = calloc(1, sizeof(*set))) == NULL ||
	    (out = json_object_new_object()) == NULL ||
	    (k = json_object_new_array()) == NULL ||
	    json_object_object_add(out, "keys", k) != 0) {
		(void)log_seterr(err, errlen, "out of memory");
		goto fail;
	}
	for (i = 0; i < n; i++) {
		set->jwk[i] = jwk_from_json(json_object_array_get_idx(arr, i),
		    why, sizeof(why));
		if (set->jwk[i] == NULL) {
			(void)log_seterr(err, errlen, "keys[%zu]: %s", i, why);
			goto fail;
		}
		set->n = i + 1;
		set->key[i].alg = jwk_alg(set->jwk[i]);
		set->key[i].jwk = set->jwk[i];
		set->key[i].kid = jwk_kid(set->jwk[i]);
		for (j = 0; j < i; j++)
			if (strcmp(set->key[j].kid, set->key[i].kid) == 0) {
				(void)log_seterr(err, errlen, "keys[%zu]: kid "
				    "\"%s\" again (keys[%zu])", i,
				    set->key[i].kid, j);
				goto fail;
			}
		if ((k = jwk_public_json(set->jwk[i])) == NULL ||
		    json_object_array_add(json_object_object_get(out, "keys"),
		    k) != 0) {
			json_object_put(k);
			(void)log_seterr(err, errlen, "out of memory");
			goto fail;
		}
	}
	/* Served as made from the parsed keys: no stray member published. */
	json = json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (json == NULL || (set->json = strdup(json)) == NULL) {
		(void)log_seterr(err, errlen, "out of memory");
		goto fail;
	}
	set->jsonlen = strlen(set->json);
	goto done;
fail:
	keyset_free(set);
	set = NULL;
done:
	json_object_put(out);
	json_object_put(doc);
	json_tokener_free(tok);
	return set;
}

static void
keyset_free(struct keyset *set)
{
	size_t	 i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		jwk_free(set->jwk[i]);
	free(set->json);
	free(set);
}

/* Sign with jwk from now on (adopted), freeing the one before. */
static void
signer_set(struct keys *keys, struct jwk *jwk)
{
	jwk_free(keys->signer);
	keys->signer = jwk;
	memset(&keys->sign, 0, sizeof(keys->sign));
	keys->sign.alg = jwk_alg(jwk);
	keys->sign.jwk = jwk;
	keys->sign.kid = jwk_kid(jwk);
}

/*
 * Signing with a key the verifiers do not have yet refuses every token
 * minted (rotation step 2 before step 3): say so, once per load.
 */
static void
signer_check(const struct keys *keys)
{
	if (keys->signer == NULL || keys->set == NULL || keys->set_watch == NULL)
		return;
	if (keys_find(keys, keys->sign.alg, keys->sign.kid) == NULL)
		log_warnx("JWT_PRIVATE_KEY_FILE %s: its kid %s (%s) is not in "
		    "JWT_KEYS_FILE %s: publish it there first, or its tokens "
		    "are refused", watch_path(keys->sign_watch), keys->sign.kid,
		    keys_alg_name(keys->sign.alg), watch_path(keys->set_watch));
}

/*
 * The key pair files as what says, watched.  0, or -1 with one line in
 * err naming the setting.
 */
static int
pair_load(struct keys *keys, int what, char *err, size_t errlen)
{
	char		 why[PATH_MAX + 300];
	const char	*set_file, *key_file;
	char		*buf = NULL;
	size_t		 len = 0;
	struct jwk	*jwk;

	set_file = getenv("JWT_KEYS_FILE");
	if (set_file != NULL && *set_file == '\0')
		set_file = NULL;
	key_file = getenv("JWT_PRIVATE_KEY_FILE");
	if (key_file != NULL && *key_file == '\0')
		key_file = NULL;
	if (set_file == NULL && (what & KEYS_SIGN) == 0)
		return log_seterr(err, errlen, "JWT_ALG %s: set JWT_KEYS_FILE "
		    "to the JWK Set of the public keys tokens are verified "
		    "with", keys_alg_name(keys->alg));
	if (key_file == NULL && (what & KEYS_SIGN))
		return log_seterr(err, errlen, "JWT_ALG %s: set "
		    "JWT_PRIVATE_KEY_FILE to the PEM private key tokens are "
		    "signed with (authctl key new)", keys_alg_name(keys->alg));
	if (set_file != NULL) {
		keys->set_watch = watch_open(set_file, KEYS_JWKS_FILE_MAX_BYTES,
		    KEYS_CHECK_INTERVAL_MS, NULL, &buf, &len, why, sizeof(why));
		if (keys->set_watch == NULL)
			return log_seterr(err, errlen, "JWT_KEYS_FILE %s", why);
		keys->set = keyset_parse(buf, len, why, sizeof(why));
		free(buf);
		if (keys->set == NULL)
			return log_seterr(err, errlen, "JWT_KEYS_FILE %s: %s",
			    set_file, why);
	}
	if (key_file != NULL && (what & KEYS_SIGN)) {
		keys->sign_watch = watch_open(key_file, JWK_PEM_MAX_BYTES,
		    KEYS_CHECK_INTERVAL_MS, NULL, &buf, &len, why, sizeof(why));
		if (keys->sign_watch == NULL)
			return log_seterr(err, errlen, "JWT_PRIVATE_KEY_FILE %s",
			    why);
		/* The watch only tells of changes; the key is read here. */
		explicit_bzero(buf, len);
		free(buf);
		if ((jwk = jwk_load_pem(key_file, keys->alg, err, errlen)) ==
		    NULL)
			return -1;
		signer_set(keys, jwk);
		signer_check(keys);
	}
	return 0;
}

struct keys *
keys_new_jwks(const char *jwks, size_t len, struct jwk *signer, char *err,
    size_t errlen)
{
	struct keys	*keys;

	if ((keys = calloc(1, sizeof(*keys))) == NULL) {
		jwk_free(signer);
		(void)log_seterr(err, errlen, "out of memory");
		return NULL;
	}
	if ((keys->set = keyset_parse(jwks, len, err, errlen)) == NULL) {
		jwk_free(signer);
		keys_free(keys);
		return NULL;
	}
	keys->alg = keys->set->key[0].alg;
	if (signer != NULL) {
		keys->alg = jwk_alg(signer);
		signer_set(keys, signer);
	}
	return keys;
}

/* The key set's part of keys_poll: 1 if a new set replaced the old. */
static int
poll_set(struct keys *keys, enum watch_mode mode)
{
	char		 err[PATH_MAX + 300], why[300];
	struct keyset	*set;
	char		*buf;
	size_t		 len;
	int		 r;

	if (keys->set_watch == NULL)
		return 0;
	r = watch_poll(keys->set_watch, mode, &buf, &len, err, sizeof(err));
	if (r <= 0) {
		if (r == -1)
			log_warnx("JWT_KEYS_FILE %s; keeping the %zu keys "
			    "already loaded", err, keys->set->n);
		return 0;
	}
	set = keyset_parse(buf, len, why, sizeof(why));
	free(buf);
	watch_done(keys->set_watch);
	if (set == NULL) {
		log_warnx("JWT_KEYS_FILE %s: %s; keeping the %zu keys already "
		    "loaded", watch_path(keys->set_watch), why, keys->set->n);
		return 0;
	}
	keyset_free(keys->set);
	keys->set = set;
	keys->generation++;
	log_info("JWT_KEYS_FILE %s: reloaded, %zu keys",
	    watch_path(keys->set_watch), set->n);
	return 1;
}

/* The signing key's part: 1 if a new key replaced the old. */
static int
poll_signer(struct keys *keys, enum watch_mode mode)
{
	char		 err[PATH_MAX + 300];
	struct jwk	*jwk;
	char		*buf;
	size_t		 len;
	int		 r;

	if (keys->sign_watch == NULL)
		return 0;
	r = watch_poll(keys->sign_watch, mode, &buf, &len, err, sizeof(err));
	if (r <= 0) {
		if (r == -1)
			log_warnx("JWT_PRIVATE_KEY_FILE %s; still signing with "
			    "kid %s", err, keys->sign.kid);
		return 0;
	}
	explicit_bzero(buf, len);
	free(buf);
	watch_done(keys->sign_watch);
	if ((jwk = jwk_load_pem(watch_path(keys->sign_watch), keys->alg, err,
	    sizeof(err))) == NULL) {
		log_warnx("%s; still signing with kid %s", err, keys->sign.kid);
		return 0;
	}
	signer_set(keys, jwk);
	log_info("JWT_PRIVATE_KEY_FILE %s: reloaded, signing with kid %s",
	    watch_path(keys->sign_watch), keys->sign.kid);
	return 1;
}

int
keys_poll(struct keys *keys, enum watch_mode mode)
{
	int	 set, signer;

	if (keys == NULL)
		return 0;
	set = poll_set(keys, mode);
	signer = poll_signer(keys, mode);
	if (set || signer)
		signer_check(keys);
	return set || signer;
}

unsigned long
keys_generation(const struct keys *keys)
{
	return keys != NULL ? keys->generation : 0;
}

const char *
keys_jwks_json(const struct keys *keys, size_t *len)
{
	if (keys == NULL || keys->set == NULL)
		return NULL;
	*len = keys->set->jsonlen;
	return keys->set->json;
}
