/* check_keys.c -- the key set: algorithms, the secret, the JWK Set and its reloads */
#include "config.h"

#include <stdarg.h>

#include <openssl/bn.h>
#include <openssl/evp.h>

#include "b64url.h"
#include "check_common.h"
#include "jwk.h"
#include "keys.h"

static void
clear_env(void)
{
	unsetenv("JWT_SECRET");
	unsetenv("JWT_SECRET_FILE");
	unsetenv("JWT_ALG");
	unsetenv("JWT_KEYS_FILE");
	unsetenv("JWT_PRIVATE_KEY_FILE");
}

/* The set's one key, which signs and verifies alike. */
static const struct keys_key *
the_key(const struct keys *keys)
{
	const struct keys_key	*k = keys_signing(keys);

	ck_assert_ptr_nonnull(k);
	ck_assert_ptr_eq(keys_find(keys, k->alg, NULL), k);
	return k;
}

/* The key set's own rules, for sets built without the environment. */
START_TEST(test_keys)
{
	static const struct {
		enum keys_alg	 alg;
		const char	*name;
		size_t		 min;
	} algs[] = {
		{ KEYS_HS256, "HS256", 32 },
		{ KEYS_HS384, "HS384", 48 },
		{ KEYS_HS512, "HS512", 64 },
	};
	const struct keys_key	*k;
	struct keys		*keys;
	char			 err[256], secret[65];
	size_t			 i;

	memset(secret, 'k', sizeof(secret));
	for (i = 0; i < ARRAY_SIZE(algs); i++) {
		ck_assert_int_eq(keys_alg_from_name(algs[i].name), algs[i].alg);
		ck_assert_str_eq(keys_alg_name(algs[i].alg), algs[i].name);
		ck_assert_uint_eq(keys_alg_min_secret(algs[i].alg), algs[i].min);
		/* One byte short, refused, saying so. */
		ck_assert_ptr_null(keys_new_hs(algs[i].alg, secret,
		    algs[i].min - 1, err, sizeof(err)));
		ck_assert_msg(strstr(err, "needs at least") != NULL, "%s", err);
		keys = keys_new_hs(algs[i].alg, secret, algs[i].min, err,
		    sizeof(err));
		ck_assert_msg(keys != NULL, "%s: %s", algs[i].name, err);
		ck_assert_ptr_nonnull(k = keys_signing(keys));
		ck_assert_int_eq(k->alg, algs[i].alg);
		ck_assert_uint_eq(k->secret_len, algs[i].min);
		/* A copy: the caller's buffer may be wiped at once. */
		ck_assert_ptr_ne(k->secret, secret);
		ck_assert(memcmp(k->secret, secret, algs[i].min) == 0);
		/* Found only for its own algorithm, whatever the kid. */
		ck_assert_ptr_eq(keys_find(keys, algs[i].alg, NULL), k);
		ck_assert_ptr_eq(keys_find(keys, algs[i].alg, "any"), k);
		ck_assert_ptr_null(keys_find(keys, algs[(i + 1) %
		    ARRAY_SIZE(algs)].alg, NULL));
		ck_assert_ptr_null(keys_find(keys, KEYS_ALG_NONE, NULL));
		keys_free(keys);
	}
	ck_assert_int_eq(keys_alg_from_name("hs256"), KEYS_ALG_NONE);
	ck_assert_int_eq(keys_alg_from_name("none"), KEYS_ALG_NONE);
	ck_assert_int_eq(keys_alg_from_name(""), KEYS_ALG_NONE);
	ck_assert_int_eq(keys_alg_from_name("HS256 "), KEYS_ALG_NONE);
	ck_assert_str_eq(keys_alg_name(KEYS_ALG_NONE), "none");
	ck_assert_uint_eq(keys_alg_min_secret(KEYS_ALG_NONE), 0);
	ck_assert_ptr_null(keys_new_hs(KEYS_ALG_NONE, secret, sizeof(secret),
	    err, sizeof(err)));
	ck_assert_ptr_null(keys_find(NULL, KEYS_HS256, NULL));
	ck_assert_ptr_null(keys_signing(NULL));
	keys_free(NULL);
}
END_TEST

START_TEST(test_secret_env_wiped)
{
	struct keys	*keys;
	char		 err[256];

	clear_env();
	setenv("JWT_SECRET", TEST_SECRET_32, 1);
	ck_assert_ptr_nonnull(keys = keys_load(KEYS_VERIFY, err, sizeof(err)));
	/* Copied out, then gone from the environment children would see. */
	ck_assert_ptr_null(getenv("JWT_SECRET"));
	keys_free(keys);
}
END_TEST

START_TEST(test_both_secrets)
{
	char	 err[256];

	clear_env();
	test_write(test_path("secret"), TEST_SECRET_32, 32);
	setenv("JWT_SECRET", TEST_SECRET_32, 1);
	setenv("JWT_SECRET_FILE", test_path("secret"), 1);
	ck_assert_ptr_null(keys_load(KEYS_VERIFY, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "not both"));
}
END_TEST

/* Secret files: contents, and the error each bad one gets. */
static const struct {
	const char	*name;
	const char	*content;	/* NULL: no such file */
	size_t		 repeat;	/* content written this many times */
	int		 ok;
	size_t		 want_len;
	const char	*err_has;
} file_cases[] = {
	{ "plain", TEST_SECRET_32, 1, 1, 32, NULL },
	{ "trailing newline", TEST_SECRET_32 "\n", 1, 1, 32, NULL },
	{ "trailing crlf", TEST_SECRET_32 "\r\n", 1, 1, 32, NULL },
	{ "binary", "\x01\x02\x00\xff", 16, 1, 64, NULL },
	{ "short", "0123456789", 1, 0, 0, "/secret: the secret is 10 bytes; "
	    "HS256 needs at least 32" },
	{ "empty", "", 1, 0, 0, "is empty" },
	{ "only newline", "\n", 1, 0, 0, "is empty" },
	{ "too large", "0123456789abcdef", 257, 0, 0, "larger than" },
	{ "missing", NULL, 0, 0, 0, "No such file" },
};

START_TEST(test_secret_file)
{
	struct keys	*keys;
	char		 err[512] = "", buf[8192];
	const char	*path = test_path("secret");
	size_t		 i, n = 0, piece;

	clear_env();
	unlink(path);
	if (file_cases[_i].content != NULL) {
		/* "binary" is 4 bytes with a NUL, so not strlen. */
		piece = strcmp(file_cases[_i].name, "binary") == 0 ? 4 :
		    strlen(file_cases[_i].content);
		for (i = 0; i < file_cases[_i].repeat; i++) {
			memcpy(buf + n, file_cases[_i].content, piece);
			n += piece;
		}
		test_write(path, buf, n);
	}
	setenv("JWT_SECRET_FILE", path, 1);
	keys = keys_load(KEYS_VERIFY, err, sizeof(err));
	ck_assert_msg((keys != NULL) == file_cases[_i].ok, "%s: %s",
	    file_cases[_i].name, err);
	if (file_cases[_i].ok) {
		ck_assert_uint_eq(the_key(keys)->secret_len,
		    file_cases[_i].want_len);
		keys_free(keys);
	} else
		ck_assert_msg(strstr(err, file_cases[_i].err_has) != NULL,
		    "%s: error \"%s\"", file_cases[_i].name, err);
}
END_TEST

/*
 * A secret too short for JWT_ALG: the message names the setting that
 * holds it (and the file's path), so the operator knows which to fix.
 */
static const struct {
	const char	*name;
	int		 from_file;	/* else JWT_SECRET */
} short_cases[] = {
	{ "JWT_SECRET", 0 },
	{ "JWT_SECRET_FILE", 1 },
};

START_TEST(test_secret_short_names_source)
{
	const char	*path = test_path("short-secret");
	char		 err[1024] = "", want[1024];

	clear_env();
	if (short_cases[_i].from_file) {
		test_write(path, "0123456789", 10);
		setenv("JWT_SECRET_FILE", path, 1);
	} else
		setenv("JWT_SECRET", "0123456789", 1);
	(void)snprintf(want, sizeof(want), "%s%s%s: the secret is 10 bytes; "
	    "HS256 needs at least 32", short_cases[_i].name,
	    short_cases[_i].from_file ? " " : "",
	    short_cases[_i].from_file ? path : "");
	ck_assert_ptr_null(keys_load(KEYS_VERIFY, err, sizeof(err)));
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0,
	    "%s: error \"%s\", want it to start \"%s\"", short_cases[_i].name,
	    err, want);
}
END_TEST

START_TEST(test_secret_file_directory)
{
	char	 err[512];

	clear_env();
	setenv("JWT_SECRET_FILE", test_tmpdir(), 1);
	ck_assert_ptr_null(keys_load(KEYS_VERIFY, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
}
END_TEST

/*
 * Keys made once, before the tests fork: an ES256, an ES384 and an RS256
 * key pair, their public JWKs, and a 1024-bit RSA modulus.
 */
static struct jwk	*es256, *es384, *rs256;
static char		*es256_json, *es384_json, *rs256_json, *rsa1024_n;

static char *
public_json(const struct jwk *k)
{
	json_object	*o;
	char		*s;

	ck_assert_ptr_nonnull(o = jwk_public_json(k));
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	ck_assert_ptr_nonnull(s);
	json_object_put(o);
	return s;
}

static void
keys_setup(void)
{
	char		 err[256], b64[400];
	unsigned char	 n[128];
	EVP_PKEY	*pkey;
	BIGNUM		*bn = NULL;

	es256 = jwk_generate(KEYS_ES256, 0, err, sizeof(err));
	es384 = jwk_generate(KEYS_ES384, 0, err, sizeof(err));
	rs256 = jwk_generate(KEYS_RS256, 0, err, sizeof(err));
	ck_assert(es256 != NULL && es384 != NULL && rs256 != NULL);
	es256_json = public_json(es256);
	es384_json = public_json(es384);
	rs256_json = public_json(rs256);
	ck_assert_ptr_nonnull(pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
	    (size_t)1024));
	ck_assert_int_eq(EVP_PKEY_get_bn_param(pkey, "n", &bn), 1);
	ck_assert_int_eq(BN_bn2bin(bn, n), 128);
	ck_assert_int_eq(b64url_encode(n, 128, b64, sizeof(b64)), 171);
	ck_assert_ptr_nonnull(rsa1024_n = strdup(b64));
	BN_free(bn);
	EVP_PKEY_free(pkey);
}

static void
keys_teardown(void)
{
	jwk_free(es256);
	jwk_free(es384);
	jwk_free(rs256);
	free(es256_json);
	free(es384_json);
	free(rs256_json);
	free(rsa1024_n);
}

/* {"keys":[the ES256 key, the RS256 key]}, to change. */
static json_object *
good_set(void)
{
	json_object	*doc, *arr;

	ck_assert_ptr_nonnull(doc = json_object_new_object());
	ck_assert_ptr_nonnull(arr = json_object_new_array());
	json_object_object_add(doc, "keys", arr);
	json_object_array_add(arr, json_tokener_parse(es256_json));
	json_object_array_add(arr, json_tokener_parse(rs256_json));
	return doc;
}

static json_object *
key_at(json_object *doc, size_t i)
{
	return json_object_array_get_idx(json_object_object_get(doc, "keys"),
	    i);
}

/* Set member name of key i to the JSON text value (NULL: remove it). */
static void
set_member(json_object *doc, size_t i, const char *name, const char *value)
{
	if (value == NULL)
		json_object_object_del(key_at(doc, i), name);
	else
		json_object_object_add(key_at(doc, i), name,
		    json_tokener_parse(value));
}

/* A base64url member of key i, decoded, changed by fn, encoded back. */
static void
change_b64(json_object *doc, size_t i, const char *name, int how)
{
	unsigned char	 buf[600];
	char		 out[800];
	const char	*s;
	long		 n;

	s = json_object_get_string(json_object_object_get(key_at(doc, i),
	    name));
	n = b64url_decode(s, strlen(s), buf + 1, sizeof(buf) - 1);
	ck_assert(n > 0);
	switch (how) {
	case 0:		/* a leading zero byte */
		buf[0] = 0;
		n++;
		break;
	case 1:		/* even */
		memmove(buf, buf + 1, (size_t)n);
		buf[n - 1] &= 0xfe;
		break;
	case 2:		/* the first byte dropped (EC: 31 bytes) */
		memmove(buf, buf + 2, (size_t)--n);
		break;
	case 3:		/* another point: y + 1 */
		memmove(buf, buf + 1, (size_t)n);
		buf[n - 1] ^= 1;
		break;
	}
	ck_assert(b64url_encode(buf, (size_t)n, out, sizeof(out)) > 0);
	json_object_object_add(key_at(doc, i), name,
	    json_object_new_string(out));
}

static void fix_y_off_curve(json_object *d) { change_b64(d, 0, "y", 3); }
static void fix_x_short(json_object *d) { change_b64(d, 0, "x", 2); }
static void fix_n_zero(json_object *d) { change_b64(d, 1, "n", 0); }
static void fix_n_even(json_object *d) { change_b64(d, 1, "n", 1); }

static void
fix_x_padded(json_object *d)
{
	char	 buf[100];

	(void)snprintf(buf, sizeof(buf), "%s=", json_object_get_string(
	    json_object_object_get(key_at(d, 0), "x")));
	json_object_object_add(key_at(d, 0), "x", json_object_new_string(buf));
}

static void
fix_rsa1024(json_object *d)
{
	json_object_object_add(key_at(d, 1), "n",
	    json_object_new_string(rsa1024_n));
}

static void
fix_same_kid(json_object *d)
{
	json_object_object_add(key_at(d, 1), "kid", json_object_new_string(
	    json_object_get_string(json_object_object_get(key_at(d, 0),
	    "kid"))));
}

static void
fix_17(json_object *d)
{
	json_object	*arr = json_object_object_get(d, "keys");
	char		 kid[16];
	size_t		 i;

	for (i = 2; i < 17; i++) {
		json_object_array_add(arr, json_tokener_parse(es256_json));
		(void)snprintf(kid, sizeof(kid), "k%zu", i);
		set_member(d, i, "kid", NULL);
		json_object_object_add(key_at(d, i), "kid",
		    json_object_new_string(kid));
	}
}

static void
fix_16(json_object *d)
{
	fix_17(d);
	json_object_array_del_idx(json_object_object_get(d, "keys"), 16, 1);
}

static void
fix_nul_kid(json_object *d)
{
	json_object_object_add(key_at(d, 0), "kid",
	    json_object_new_string_len("ab\0cd", 5));
}

static const struct {
	const char	*name;
	size_t		 key;		/* which key member/value change */
	const char	*member;	/* NULL: none */
	const char	*value;		/* JSON; NULL: remove member */
	void		(*fix)(json_object *);
	const char	*raw;		/* the whole document instead */
	const char	*want;		/* NULL: accepted; else in err */
} jwks_cases[] = {
	{ "the good set", 0, NULL, NULL, NULL, NULL, NULL },
	{ "16 keys", 0, NULL, NULL, fix_16, NULL, NULL },
	{ "key_ops [verify]", 0, "key_ops", "[\"verify\"]", NULL, NULL, NULL },
	{ "x5c, x5t, unknown members ignored", 0, "x5c", "[\"MIIB\"]", NULL,
	    NULL, NULL },
	{ "y off the curve", 0, NULL, NULL, fix_y_off_curve, NULL,
	    "keys[0]: x, y is not a point on P-256" },
	{ "private d", 0, "d", "\"AAAA\"", NULL, NULL,
	    "keys[0]: has private member \"d\": a key set holds public keys "
	    "only" },
	{ "RSA private p", 1, "p", "\"AAAA\"", NULL, NULL,
	    "keys[1]: has private member \"p\"" },
	{ "an oct key (an HMAC secret)", 0, NULL, NULL, NULL,
	    "{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\",\"alg\":\"HS256\","
	    "\"kid\":\"s\"}]}", "keys[0]: has private member \"k\"" },
	{ "no alg", 0, "alg", NULL, NULL, NULL,
	    "needs alg ES256, ES384, RS256, RS384 or RS512" },
	{ "alg none", 0, "alg", "\"none\"", NULL, NULL,
	    "needs alg ES256, ES384, RS256, RS384 or RS512" },
	{ "alg HS256", 0, "alg", "\"HS256\"", NULL, NULL,
	    "needs alg ES256, ES384, RS256, RS384 or RS512" },
	{ "alg ES512", 0, "alg", "\"ES512\"", NULL, NULL,
	    "needs alg ES256, ES384, RS256, RS384 or RS512" },
	{ "alg es256", 0, "alg", "\"es256\"", NULL, NULL,
	    "needs alg ES256, ES384, RS256, RS384 or RS512" },
	{ "alg RS256 on an EC key", 0, "alg", "\"RS256\"", NULL, NULL,
	    "alg RS256 needs kty RSA" },
	{ "alg ES384 on a P-256 key", 0, "alg", "\"ES384\"", NULL, NULL,
	    "keys[0]: alg ES384 needs crv P-384" },
	{ "crv secp256k1", 0, "crv", "\"secp256k1\"", NULL, NULL,
	    "keys[0]: alg ES256 needs crv P-256" },
	{ "x of 31 bytes", 0, NULL, NULL, fix_x_short, NULL,
	    "keys[0]: x and y must be 32 bytes each" },
	{ "x with padding", 0, NULL, NULL, fix_x_padded, NULL,
	    "keys[0]: x and y must be 32 bytes each" },
	{ "no kid", 0, "kid", NULL, NULL, NULL,
	    "keys[0]: needs a kid of 1 to 128 characters" },
	{ "empty kid", 0, "kid", "\"\"", NULL, NULL,
	    "keys[0]: needs a kid of 1 to 128 characters" },
	{ "kid a number", 0, "kid", "7", NULL, NULL,
	    "keys[0]: needs a kid of 1 to 128 characters" },
	{ "kid with a space", 0, "kid", "\"a b\"", NULL, NULL,
	    "keys[0]: kid must be visible ASCII" },
	{ "kid of 129", 0, "kid", "\"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	    "kkkkkkkkkkkkkkkkkkkkkkkkk\"", NULL, NULL,
	    "keys[0]: needs a kid of 1 to 128 characters" },
	{ "kid with a NUL", 0, NULL, NULL, fix_nul_kid, NULL,
	    "keys[0]: needs a kid of 1 to 128 characters" },
	{ "two keys, one kid", 0, NULL, NULL, fix_same_kid, NULL,
	    "keys[1]: kid " },
	{ "use enc", 0, "use", "\"enc\"", NULL, NULL, "use must be \"sig\"" },
	{ "key_ops [sign]", 0, "key_ops", "[\"sign\"]", NULL, NULL,
	    "key_ops lacks \"verify\"" },
	{ "RSA n with a leading zero", 1, NULL, NULL, fix_n_zero, NULL,
	    "keys[1]: n and e must be base64url unsigned integers without "
	    "leading zeros" },
	{ "RSA n even", 1, NULL, NULL, fix_n_even, NULL,
	    "keys[1]: n must be odd" },
	{ "RSA e = 2", 1, "e", "\"Ag\"", NULL, NULL,
	    "keys[1]: e must be odd and at least 3" },
	{ "RSA e = 1", 1, "e", "\"AQ\"", NULL, NULL,
	    "keys[1]: e must be odd and at least 3" },
	{ "RSA 1024", 1, NULL, NULL, fix_rsa1024, NULL,
	    "a 1024-bit RSA key; RS256 needs an RSA key of 2048 to 4096 bits" },
	{ "17 keys", 0, NULL, NULL, fix_17, NULL,
	    "holds 17 keys; 1 to 16 please" },
	{ "no keys", 0, NULL, NULL, NULL, "{\"keys\":[]}",
	    "holds 0 keys; 1 to 16 please" },
	{ "keys not an array", 0, NULL, NULL, NULL, "{\"keys\":{}}",
	    "not a JWK Set" },
	{ "a bare JWK", 0, NULL, NULL, NULL, "{\"kty\":\"EC\"}",
	    "not a JWK Set" },
	{ "trailing garbage", 0, NULL, NULL, NULL, "{\"keys\":[]} x",
	    "not one JSON document" },
	{ "nesting 20 deep", 0, NULL, NULL, NULL,
	    "{\"keys\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}",
	    "not one JSON document" },
	{ "empty", 0, NULL, NULL, NULL, "", "empty or larger than" },
};

START_TEST(test_jwks)
{
	char		 err[512];
	const char	*text, *served;
	json_object	*doc = NULL, *back;
	struct keys	*keys;
	size_t		 len;

	if (jwks_cases[_i].raw != NULL)
		text = jwks_cases[_i].raw;
	else {
		doc = good_set();
		if (jwks_cases[_i].member != NULL)
			set_member(doc, jwks_cases[_i].key,
			    jwks_cases[_i].member, jwks_cases[_i].value);
		if (jwks_cases[_i].fix != NULL)
			jwks_cases[_i].fix(doc);
		text = json_object_to_json_string(doc);
	}
	err[0] = '\0';
	keys = keys_new_jwks(text, strlen(text), NULL, err, sizeof(err));
	if (jwks_cases[_i].want != NULL) {
		ck_assert_msg(keys == NULL, "%s: accepted", jwks_cases[_i].name);
		ck_assert_msg(strstr(err, jwks_cases[_i].want) != NULL,
		    "%s: %s", jwks_cases[_i].name, err);
		ck_assert_msg(strchr(err, '\n') == NULL, "%s", err);
	} else {
		ck_assert_msg(keys != NULL, "%s: %s", jwks_cases[_i].name, err);
		/* Served re-made: only the members we publish. */
		ck_assert_ptr_nonnull(served = keys_jwks_json(keys, &len));
		ck_assert_uint_eq(strlen(served), len);
		ck_assert_ptr_null(strstr(served, "x5c"));
		ck_assert_ptr_null(strstr(served, "key_ops"));
		ck_assert_ptr_nonnull(back = json_tokener_parse(served));
		ck_assert_uint_eq(json_object_array_length(
		    json_object_object_get(back, "keys")), json_object_array_length(
		    json_object_object_get(doc, "keys")));
		json_object_put(back);
	}
	keys_free(keys);
	json_object_put(doc);
}
END_TEST

/* Found by kid, pinned to alg; HS* and kid-less finds nothing. */
START_TEST(test_find)
{
	char			 err[512];
	json_object		*doc = good_set();
	const char		*text = json_object_to_json_string(doc);
	const struct keys_key	*k;
	struct keys		*keys;

	keys = keys_new_jwks(text, strlen(text), NULL, err, sizeof(err));
	ck_assert_msg(keys != NULL, "%s", err);
	ck_assert_ptr_nonnull(k = keys_find(keys, KEYS_ES256, jwk_kid(es256)));
	ck_assert_int_eq(k->alg, KEYS_ES256);
	ck_assert_str_eq(k->kid, jwk_kid(es256));
	ck_assert_ptr_nonnull(k->jwk);
	ck_assert_ptr_null(k->secret);
	ck_assert_ptr_nonnull(keys_find(keys, KEYS_RS256, jwk_kid(rs256)));
	/* Another alg under a known kid, no kid, an unknown kid. */
	ck_assert_ptr_null(keys_find(keys, KEYS_RS256, jwk_kid(es256)));
	ck_assert_ptr_null(keys_find(keys, KEYS_HS256, jwk_kid(es256)));
	ck_assert_ptr_null(keys_find(keys, KEYS_ES384, jwk_kid(es256)));
	ck_assert_ptr_null(keys_find(keys, KEYS_ES256, NULL));
	ck_assert_ptr_null(keys_find(keys, KEYS_ES256, "../../etc/passwd"));
	ck_assert_ptr_null(keys_find(keys, KEYS_ALG_NONE, jwk_kid(es256)));
	/* No signing key in a verifying set. */
	ck_assert_ptr_null(keys_signing(keys));
	ck_assert_uint_eq(keys_generation(keys), 0);
	ck_assert_int_eq(keys_poll(keys, WATCH_FORCE), 0);
	keys_free(keys);
	json_object_put(doc);
}
END_TEST

/* Write the set of the public JWKs given (NULL-terminated) to path. */
static void
write_set(const char *path, ...)
{
	va_list		 ap;
	const char	*k;
	char		 buf[8192];
	size_t		 off = 0;

	off += (size_t)snprintf(buf, sizeof(buf), "{\"keys\":[");
	va_start(ap, path);
	while ((k = va_arg(ap, const char *)) != NULL)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s",
		    buf[off - 1] == '[' ? "" : ",", k);
	va_end(ap);
	(void)snprintf(buf + off, sizeof(buf) - off, "]}");
	test_replace(path, buf);
}

/* The ES256 key pair of the fixture, as a private PEM at path. */
static void
write_private(const struct jwk *k, const char *path)
{
	char	 err[512];

	(void)unlink(path);
	ck_assert_msg(jwk_write_pem(k, path, err, sizeof(err)) == 0, "%s",
	    err);
}

/*
 * The environment's key pair: JWT_KEYS_FILE watched (a bad version keeps
 * the old set, a good one bumps the generation), JWT_PRIVATE_KEY_FILE
 * too (rotation step 3 without a restart).
 */
START_TEST(test_reload)
{
	char			 err[1024], pem2[600], set[600], pem[600];
	struct keys		*keys;
	const struct keys_key	*k;
	struct jwk		*next;
	unsigned long		 gen;
	const char		*dir = test_fresh_dir("reload");

	(void)snprintf(set, sizeof(set), "%s/keys.jwks", dir);
	(void)snprintf(pem, sizeof(pem), "%s/key.pem", dir);
	(void)snprintf(pem2, sizeof(pem2), "%s/next.pem", dir);
	clear_env();
	write_set(set, es256_json, NULL);
	write_private(es256, pem);
	setenv("JWT_ALG", "ES256", 1);
	setenv("JWT_KEYS_FILE", set, 1);
	setenv("JWT_PRIVATE_KEY_FILE", pem, 1);

	keys = keys_load(KEYS_SIGN, err, sizeof(err));
	ck_assert_msg(keys != NULL, "%s", err);
	ck_assert_ptr_nonnull(k = keys_signing(keys));
	ck_assert_str_eq(k->kid, jwk_kid(es256));
	ck_assert_ptr_nonnull(keys_find(keys, KEYS_ES256, jwk_kid(es256)));
	gen = keys_generation(keys);
	ck_assert_int_eq(keys_poll(keys, WATCH_FORCE), 0);
	ck_assert_uint_eq(keys_generation(keys), gen);

	/* A bad version: the old set stays, the generation too. */
	test_replace(set, "{\"keys\":[{\"kty\":\"EC\"}]}");
	ck_assert_int_eq(keys_poll(keys, WATCH_FORCE), 0);
	ck_assert_uint_eq(keys_generation(keys), gen);
	ck_assert_ptr_nonnull(keys_find(keys, KEYS_ES256, jwk_kid(es256)));
	test_replace(set, "not json");
	ck_assert_int_eq(keys_poll(keys, WATCH_FORCE), 0);
	ck_assert_ptr_nonnull(keys_find(keys, KEYS_ES256, jwk_kid(es256)));

	/* Rotation step 2: both keys published. */
	write_set(set, es256_json, es384_json, NULL);
	ck_assert_int_eq(keys_poll(keys, WATCH_FORCE), 1);
	ck_assert_uint_ne(keys_generation(keys), gen);
	gen = keys_generation(keys);
	ck_assert_ptr_nonnull(keys_find(keys, KEYS_ES256, jwk_kid(es256)));
	ck_assert_ptr_nonnull(keys_find(keys, KEYS_ES384, jwk_kid(es384)));

	/* Step 3: the signing key replaced, read without a restart. */
	ck_assert_ptr_nonnull(next = jwk_generate(KEYS_ES256, 0, err,
	    sizeof(err)));
	write_private(next, pem2);
	ck_assert_int_eq(rename(pem2, pem), 0);
	ck_assert_int_eq(keys_poll(keys, WATCH_FORCE), 1);
	ck_assert_str_eq(keys_signing(keys)->kid, jwk_kid(next));
	/* The verifying set did not change. */
	ck_assert_uint_eq(keys_generation(keys), gen);
	/* A broken private key: still the last good one. */
	test_replace(pem, "garbage");
	ck_assert_int_eq(chmod(pem, 0600), 0);
	ck_assert_int_eq(keys_poll(keys, WATCH_FORCE), 0);
	ck_assert_str_eq(keys_signing(keys)->kid, jwk_kid(next));

	/* Step 4: the old key removed. */
	write_set(set, es384_json, NULL);
	ck_assert_int_eq(keys_poll(keys, WATCH_FORCE), 1);
	ck_assert_uint_ne(keys_generation(keys), gen);
	ck_assert_ptr_null(keys_find(keys, KEYS_ES256, jwk_kid(es256)));
	jwk_free(next);
	keys_free(keys);
	clear_env();
}
END_TEST

static const struct {
	const char	*name;
	int		 what;
	int		 set, pem, secret;	/* which settings are set */
	const char	*want;			/* NULL: loads */
} pair_env_cases[] = {
	{ "verify: the set", KEYS_VERIFY, 1, 0, 0, NULL },
	{ "verify: never the private key", KEYS_VERIFY, 1, 1, 0, NULL },
	{ "verify: no set", KEYS_VERIFY, 0, 1, 0, "set JWT_KEYS_FILE" },
	{ "sign: both", KEYS_SIGN, 1, 1, 0, NULL },
	{ "sign: no set is fine", KEYS_SIGN, 0, 1, 0, NULL },
	{ "sign: no private key", KEYS_SIGN, 1, 0, 0,
	    "set JWT_PRIVATE_KEY_FILE" },
	{ "a secret too", KEYS_VERIFY, 1, 0, 1,
	    "signs with a key pair: unset JWT_SECRET" },
};

START_TEST(test_pair_env)
{
	char		 err[1024], set[600], pem[600];
	const char	*dir = test_fresh_dir("env");
	struct keys	*keys;

	(void)snprintf(set, sizeof(set), "%s/keys.jwks", dir);
	(void)snprintf(pem, sizeof(pem), "%s/key.pem", dir);
	clear_env();
	write_set(set, es256_json, NULL);
	write_private(es256, pem);
	setenv("JWT_ALG", "ES256", 1);
	if (pair_env_cases[_i].set)
		setenv("JWT_KEYS_FILE", set, 1);
	if (pair_env_cases[_i].pem)
		setenv("JWT_PRIVATE_KEY_FILE", pem, 1);
	if (pair_env_cases[_i].secret)
		setenv("JWT_SECRET", TEST_SECRET_32, 1);
	err[0] = '\0';
	keys = keys_load(pair_env_cases[_i].what, err, sizeof(err));
	if (pair_env_cases[_i].want == NULL) {
		ck_assert_msg(keys != NULL, "%s: %s", pair_env_cases[_i].name,
		    err);
		/* The private key only for KEYS_SIGN. */
		if (pair_env_cases[_i].what & KEYS_SIGN)
			ck_assert_ptr_nonnull(keys_signing(keys));
		else
			ck_assert_ptr_null(keys_signing(keys));
		ck_assert_int_eq(keys_jwks_json(keys, &(size_t){ 0 }) != NULL,
		    pair_env_cases[_i].set);
	} else {
		ck_assert_msg(keys == NULL, "%s: loaded",
		    pair_env_cases[_i].name);
		ck_assert_msg(strstr(err, pair_env_cases[_i].want) != NULL,
		    "%s: %s", pair_env_cases[_i].name, err);
	}
	keys_free(keys);
	clear_env();
}
END_TEST

START_TEST(test_alg_names)
{
	static const char *const pairs[] = {
		"RS256", "RS384", "RS512", "ES256", "ES384",
	};
	size_t	 i;

	for (i = 0; i < ARRAY_SIZE(pairs); i++) {
		ck_assert(keys_alg_is_pair(keys_alg_from_name(pairs[i])));
		ck_assert_str_eq(keys_alg_name(keys_alg_from_name(pairs[i])),
		    pairs[i]);
		ck_assert_uint_eq(keys_alg_min_secret(
		    keys_alg_from_name(pairs[i])), 0);
	}
	ck_assert(!keys_alg_is_pair(KEYS_HS256));
	ck_assert_int_eq(keys_alg_from_name("es256"), KEYS_ALG_NONE);
	ck_assert_int_eq(keys_alg_from_name("PS256"), KEYS_ALG_NONE);
	ck_assert_int_eq(keys_alg_from_name("ES512"), KEYS_ALG_NONE);
	ck_assert_int_eq(keys_alg_from_name("EdDSA"), KEYS_ALG_NONE);
}
END_TEST

static Suite *
keys_suite(void)
{
	Suite	*s = suite_create("keys");
	TCase	*tc;

	tc = tcase_create("set");
	tcase_add_test(tc, test_keys);
	suite_add_tcase(s, tc);

	tc = tcase_create("env");
	tcase_add_test(tc, test_secret_env_wiped);
	tcase_add_test(tc, test_both_secrets);
	suite_add_tcase(s, tc);

	tc = tcase_create("secret_file");
	tcase_add_loop_test(tc, test_secret_file, 0, ARRAY_SIZE(file_cases));
	tcase_add_test(tc, test_secret_file_directory);
	tcase_add_loop_test(tc, test_secret_short_names_source, 0,
	    ARRAY_SIZE(short_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("jwks");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, keys_setup, keys_teardown);
	tcase_add_test(tc, test_alg_names);
	tcase_add_loop_test(tc, test_jwks, 0, ARRAY_SIZE(jwks_cases));
	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_reload);
	tcase_add_loop_test(tc, test_pair_env, 0, ARRAY_SIZE(pair_env_cases));
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(keys_suite)
