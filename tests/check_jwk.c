/* check_jwk.c -- one key parsed once: thumbprint, PEM refusals, signatures */
#include "config.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "b64url.h"
#include "check_common.h"
#include "jwk.h"

/* RFC 7638 3.1's example key, and its thumbprint (RFC 7638 3.1). */
#define RFC7638_N	"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4" \
	"cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn6" \
	"4tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY3" \
	"68QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyr" \
	"dkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-cs" \
	"FCur-kEgU8awapJzKnqDKgw"
#define RFC7638_THUMB	"NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"

static const char	 input[] = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0";

/* Write pkey as PEM (encrypted with a passphrase if enc) at path, mode. */
static void
write_key(const char *path, EVP_PKEY *pkey, int enc, int pub, mode_t mode)
{
	FILE	*f;

	(void)unlink(path);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	if (pub)
		ck_assert_int_eq(PEM_write_PUBKEY(f, pkey), 1);
	else
		ck_assert_int_eq(PEM_write_PrivateKey(f, pkey,
		    enc ? EVP_aes_128_cbc() : NULL,
		    enc ? (unsigned char *)"secret" : NULL, enc ? 6 : 0,
		    NULL, NULL), 1);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

static EVP_PKEY *
make_key(const char *type, const char *curve, size_t bits)
{
	EVP_PKEY	*pkey;

	if (curve != NULL)
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
	else if (bits != 0)
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", bits);
	else
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, type);
	ck_assert_ptr_nonnull(pkey);
	return pkey;
}

START_TEST(test_thumbprint_rfc7638)
{
	char		 err[256], out[JWK_THUMBPRINT_LEN + 1];
	json_object	*o;
	struct jwk	*k;

	o = json_tokener_parse("{\"kty\":\"RSA\",\"n\":\"" RFC7638_N "\","
	    "\"e\":\"AQAB\",\"alg\":\"RS256\",\"kid\":\"2011-04-29\"}");
	ck_assert_ptr_nonnull(o);
	k = jwk_from_json(o, err, sizeof(err));
	ck_assert_msg(k != NULL, "%s", err);
	ck_assert_int_eq(jwk_thumbprint(k, out, sizeof(out)), 0);
	ck_assert_str_eq(out, RFC7638_THUMB);
	/* The set's kid is how tokens name it, whatever it is. */
	ck_assert_str_eq(jwk_kid(k), "2011-04-29");
	ck_assert_int_eq(jwk_alg(k), KEYS_RS256);
	ck_assert_int_eq(jwk_is_private(k), 0);
	ck_assert_int_eq(jwk_thumbprint(k, out, JWK_THUMBPRINT_LEN), -1);
	jwk_free(k);
	json_object_put(o);
}
END_TEST

/* A generated key's kid is its thumbprint, and its public JWK reads back. */
static const enum keys_alg all_algs[] = {
	KEYS_ES256, KEYS_ES384, KEYS_RS256, KEYS_RS384, KEYS_RS512,
};

START_TEST(test_public_json_roundtrip)
{
	char		 err[256], t1[JWK_THUMBPRINT_LEN + 1];
	char		 t2[JWK_THUMBPRINT_LEN + 1];
	struct jwk	*k, *pub;
	json_object	*o, *v;

	k = jwk_generate(all_algs[_i], 0, err, sizeof(err));
	ck_assert_msg(k != NULL, "%s", err);
	ck_assert_int_eq(jwk_is_private(k), 1);
	ck_assert_int_eq(jwk_thumbprint(k, t1, sizeof(t1)), 0);
	ck_assert_str_eq(jwk_kid(k), t1);
	ck_assert_ptr_nonnull(o = jwk_public_json(k));
	/* Public only. */
	ck_assert(!json_object_object_get_ex(o, "d", NULL));
	ck_assert(json_object_object_get_ex(o, "use", &v));
	ck_assert_str_eq(json_object_get_string(v), "sig");
	pub = jwk_from_json(o, err, sizeof(err));
	ck_assert_msg(pub != NULL, "%s", err);
	ck_assert_int_eq(jwk_thumbprint(pub, t2, sizeof(t2)), 0);
	ck_assert_str_eq(t1, t2);
	ck_assert_str_eq(jwk_kid(pub), t1);
	ck_assert_int_eq(jwk_alg(pub), all_algs[_i]);
	jwk_free(pub);
	jwk_free(k);
	json_object_put(o);
}
END_TEST

/* Every alg: sign, verify, and what must not verify. */
START_TEST(test_sign_verify)
{
	unsigned char	 sig[JWK_SIG_MAX], bad[JWK_SIG_MAX + 1];
	char		 err[256];
	struct jwk	*k, *other;
	size_t		 siglen;
	int		 i;
	enum keys_alg	 alg = all_algs[_i];

	k = jwk_generate(alg, 0, err, sizeof(err));
	ck_assert_msg(k != NULL, "%s", err);
	other = jwk_generate(alg, 0, err, sizeof(err));
	ck_assert_msg(other != NULL, "%s", err);
	ck_assert_int_eq(jwk_sign(k, input, strlen(input), sig, sizeof(sig),
	    &siglen), 0);
	ck_assert_uint_eq(siglen, alg == KEYS_ES256 ? 64 : alg == KEYS_ES384 ?
	    96 : 256);
	ck_assert_int_eq(jwk_verify(k, input, strlen(input), sig, siglen), 1);
	/* Another key, another input, a flipped bit: no. */
	ck_assert_int_eq(jwk_verify(other, input, strlen(input), sig, siglen),
	    0);
	ck_assert_int_eq(jwk_verify(k, input, strlen(input) - 1, sig, siglen),
	    0);
	memcpy(bad, sig, siglen);
	bad[siglen / 2] ^= 1;
	ck_assert_int_eq(jwk_verify(k, input, strlen(input), bad, siglen), 0);
	/* One length per key: cut, appended, prepended, empty. */
	ck_assert_int_eq(jwk_verify(k, input, strlen(input), sig, siglen - 1),
	    0);
	memcpy(bad, sig, siglen);
	bad[siglen] = 0;
	ck_assert_int_eq(jwk_verify(k, input, strlen(input), bad, siglen + 1),
	    0);
	bad[0] = 0;
	memcpy(bad + 1, sig, siglen);
	ck_assert_int_eq(jwk_verify(k, input, strlen(input), bad, siglen + 1),
	    0);
	ck_assert_int_eq(jwk_verify(k, input, strlen(input), sig, 0), 0);
	/* All zero (ECDSA r = s = 0). */
	memset(bad, 0, siglen);
	ck_assert_int_eq(jwk_verify(k, input, strlen(input), bad, siglen), 0);
	/*
	 * The key's one verify context, used again after every refusal
	 * above: the genuine signature still passes, a refusal still
	 * refuses, in turn.
	 */
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(jwk_verify(k, input, strlen(input), sig,
		    siglen), 1);
		ck_assert_int_eq(jwk_verify(k, input, strlen(input) - 1, sig,
		    siglen), 0);
	}
	/* Too small a buffer to sign into. */
	ck_assert_int_eq(jwk_sign(k, input, strlen(input), sig, siglen - 1,
	    &siglen), -1);
	jwk_free(other);
	jwk_free(k);
}
END_TEST

/*
 * ECDSA in DER (what OpenSSL makes, 70 to 72 bytes for P-256) is not the
 * JWS form and is refused, though OpenSSL itself would take it; its
 * high-S twin (n - s) is accepted (documented: a token's bytes are
 * malleable), as OpenSSL, PyJWT and jose accept it.
 */
START_TEST(test_ecdsa_forms)
{
	unsigned char	 sig[JWK_SIG_MAX], der[128], *p;
	char		 err[256];
	struct jwk	*k;
	ECDSA_SIG	*es;
	BIGNUM		*r, *s, *n, *hs;
	EC_GROUP	*g;
	size_t		 siglen, field;
	int		 derlen;
	enum keys_alg	 alg = _i == 0 ? KEYS_ES256 : KEYS_ES384;

	field = alg == KEYS_ES256 ? 32 : 48;
	ck_assert_ptr_nonnull(k = jwk_generate(alg, 0, err, sizeof(err)));
	ck_assert_int_eq(jwk_sign(k, input, strlen(input), sig, sizeof(sig),
	    &siglen), 0);
	ck_assert_uint_eq(siglen, 2 * field);

	ck_assert_ptr_nonnull(es = ECDSA_SIG_new());
	r = BN_bin2bn(sig, (int)field, NULL);
	s = BN_bin2bn(sig + field, (int)field, NULL);
	ck_assert(r != NULL && s != NULL);
	ck_assert_int_eq(ECDSA_SIG_set0(es, r, s), 1);
	p = der;
	derlen = i2d_ECDSA_SIG(es, &p);
	ck_assert(derlen > 0 && (size_t)derlen != siglen);
	ck_assert_int_eq(jwk_verify(k, input, strlen(input), der,
	    (size_t)derlen), 0);

	/* s' = n - s: the other valid signature. */
	g = EC_GROUP_new_by_curve_name(alg == KEYS_ES256 ?
	    NID_X9_62_prime256v1 : NID_secp384r1);
	ck_assert_ptr_nonnull(g);
	ck_assert_ptr_nonnull(n = BN_dup(EC_GROUP_get0_order(g)));
	ck_assert_ptr_nonnull(hs = BN_new());
	ck_assert_int_eq(BN_sub(hs, n, s), 1);
	ck_assert_int_eq(BN_bn2binpad(hs, sig + field, (int)field),
	    (int)field);
	ck_assert_int_eq(jwk_verify(k, input, strlen(input), sig, siglen), 1);
	/* s = n, r = n: out of range. */
	ck_assert_int_eq(BN_bn2binpad(n, sig + field, (int)field), (int)field);
	ck_assert_int_eq(jwk_verify(k, input, strlen(input), sig, siglen), 0);
	ck_assert_int_eq(BN_bn2binpad(n, sig, (int)field), (int)field);
	ck_assert_int_eq(jwk_verify(k, input, strlen(input), sig, siglen), 0);
	BN_free(hs);
	BN_free(n);
	EC_GROUP_free(g);
	ECDSA_SIG_free(es);
	jwk_free(k);
}
END_TEST

/* A signature of one alg checked by a key of another: never. */
START_TEST(test_cross_alg)
{
	unsigned char	 sig[JWK_SIG_MAX];
	char		 err[256];
	struct jwk	*es, *rs;
	size_t		 siglen;

	ck_assert_ptr_nonnull(es = jwk_generate(KEYS_ES256, 0, err,
	    sizeof(err)));
	ck_assert_ptr_nonnull(rs = jwk_generate(KEYS_RS256, 0, err,
	    sizeof(err)));
	ck_assert_int_eq(jwk_sign(rs, input, strlen(input), sig, sizeof(sig),
	    &siglen), 0);
	ck_assert_int_eq(jwk_verify(es, input, strlen(input), sig, siglen), 0);
	ck_assert_int_eq(jwk_sign(es, input, strlen(input), sig, sizeof(sig),
	    &siglen), 0);
	ck_assert_int_eq(jwk_verify(rs, input, strlen(input), sig, siglen), 0);
	ck_assert_int_eq(jwk_verify(NULL, input, strlen(input), sig, siglen),
	    0);
	jwk_free(es);
	jwk_free(rs);
}
END_TEST

/* A public key cannot sign. */
START_TEST(test_public_cannot_sign)
{
	unsigned char	 sig[JWK_SIG_MAX];
	char		 err[256];
	struct jwk	*k, *pub;
	json_object	*o;
	size_t		 siglen;

	ck_assert_ptr_nonnull(k = jwk_generate(KEYS_ES256, 0, err,
	    sizeof(err)));
	ck_assert_ptr_nonnull(o = jwk_public_json(k));
	ck_assert_ptr_nonnull(pub = jwk_from_json(o, err, sizeof(err)));
	ck_assert_int_eq(jwk_sign(pub, input, strlen(input), sig, sizeof(sig),
	    &siglen), -1);
	ck_assert_int_eq(jwk_write_pem(pub, test_path("pub.pem"), err,
	    sizeof(err)), -1);
	json_object_put(o);
	jwk_free(pub);
	jwk_free(k);
}
END_TEST

enum pem_kind {
	PEM_EC, PEM_RSA, PEM_ED25519, PEM_ENCRYPTED, PEM_PUBLIC, PEM_TEXT,
	PEM_DIR, PEM_MISSING, PEM_BIG,
};

static const struct {
	const char	*name;
	enum pem_kind	 kind;
	const char	*curve;		/* PEM_EC */
	size_t		 bits;		/* PEM_RSA */
	mode_t		 mode;
	enum keys_alg	 alg;
	const char	*want;		/* NULL: loads; else in the error */
} pem_cases[] = {
	{ "P-256 for ES256", PEM_EC, "P-256", 0, 0600, KEYS_ES256, NULL },
	{ "P-256 for ES256, 0640", PEM_EC, "P-256", 0, 0640, KEYS_ES256, NULL },
	{ "P-384 for ES384", PEM_EC, "P-384", 0, 0600, KEYS_ES384, NULL },
	{ "RSA 2048 for RS256", PEM_RSA, NULL, 2048, 0600, KEYS_RS256, NULL },
	{ "RSA 2048 for RS512", PEM_RSA, NULL, 2048, 0600, KEYS_RS512, NULL },
	{ "P-384 for ES256", PEM_EC, "P-384", 0, 0600, KEYS_ES256,
	    "an EC P-384 key; ES256 needs an EC P-256 key" },
	{ "P-256 for ES384", PEM_EC, "P-256", 0, 0600, KEYS_ES384,
	    "ES384 needs an EC P-384 key" },
	{ "P-521 for ES256", PEM_EC, "P-521", 0, 0600, KEYS_ES256,
	    "an EC P-521 key" },
	{ "secp256k1 for ES256", PEM_EC, "secp256k1", 0, 0600, KEYS_ES256,
	    "an EC secp256k1 key" },
	{ "RSA 1024 for RS256", PEM_RSA, NULL, 1024, 0600, KEYS_RS256,
	    "a 1024-bit RSA key; RS256 needs an RSA key of 2048 to 4096 bits" },
	{ "RSA for ES256", PEM_RSA, NULL, 2048, 0600, KEYS_ES256,
	    "a 2048-bit RSA key; ES256 needs an EC P-256 key" },
	{ "P-256 for RS256", PEM_EC, "P-256", 0, 0600, KEYS_RS256,
	    "an EC P-256 key; RS256 needs an RSA key" },
	{ "Ed25519 for ES256", PEM_ED25519, NULL, 0, 0600, KEYS_ES256,
	    "an ED25519 key" },
	{ "encrypted", PEM_ENCRYPTED, "P-256", 0, 0600, KEYS_ES256,
	    "encrypted; give it unencrypted" },
	{ "a public key", PEM_PUBLIC, "P-256", 0, 0600, KEYS_ES256,
	    "no PEM private key in it" },
	{ "not PEM", PEM_TEXT, NULL, 0, 0600, KEYS_ES256,
	    "no PEM private key in it" },
	{ "mode 0644", PEM_EC, "P-256", 0, 0644, KEYS_ES256,
	    "mode 644 lets every user at it" },
	{ "mode 0604", PEM_EC, "P-256", 0, 0604, KEYS_ES256,
	    "mode 604 lets every user at it" },
	{ "mode 0660", PEM_EC, "P-256", 0, 0660, KEYS_ES256,
	    "mode 660 lets its group write it" },
	{ "a folder", PEM_DIR, NULL, 0, 0700, KEYS_ES256,
	    "not a regular file" },
	{ "missing", PEM_MISSING, NULL, 0, 0600, KEYS_ES256,
	    "No such file or directory" },
	{ "too big", PEM_BIG, NULL, 0, 0600, KEYS_ES256,
	    "larger than 16384 bytes" },
	{ "HS256", PEM_EC, "P-256", 0, 0600, KEYS_HS256,
	    "signs with a secret, not a key pair" },
};

START_TEST(test_pem)
{
	char		 err[1024], *big;
	const char	*path = test_path("key.pem");
	EVP_PKEY	*pkey = NULL;
	struct jwk	*k;

	(void)unlink(path);
	(void)rmdir(path);
	switch (pem_cases[_i].kind) {
	case PEM_EC:
	case PEM_ENCRYPTED:
	case PEM_PUBLIC:
		pkey = make_key("EC", pem_cases[_i].curve, 0);
		write_key(path, pkey, pem_cases[_i].kind == PEM_ENCRYPTED,
		    pem_cases[_i].kind == PEM_PUBLIC, pem_cases[_i].mode);
		break;
	case PEM_RSA:
		pkey = make_key("RSA", NULL, pem_cases[_i].bits);
		write_key(path, pkey, 0, 0, pem_cases[_i].mode);
		break;
	case PEM_ED25519:
		pkey = make_key("ED25519", NULL, 0);
		write_key(path, pkey, 0, 0, pem_cases[_i].mode);
		break;
	case PEM_TEXT:
		test_write(path, "hello\n", 6);
		break;
	case PEM_DIR:
		ck_assert_int_eq(mkdir(path, 0700), 0);
		break;
	case PEM_MISSING:
		break;
	case PEM_BIG:
		ck_assert_ptr_nonnull(big = malloc(JWK_PEM_MAX_BYTES + 1));
		memset(big, '\n', JWK_PEM_MAX_BYTES + 1);
		test_write(path, big, JWK_PEM_MAX_BYTES + 1);
		free(big);
		break;
	}
	err[0] = '\0';
	k = jwk_load_pem(path, pem_cases[_i].alg, err, sizeof(err));
	if (pem_cases[_i].want == NULL) {
		ck_assert_msg(k != NULL, "%s: %s", pem_cases[_i].name, err);
		ck_assert_int_eq(jwk_alg(k), pem_cases[_i].alg);
		ck_assert_int_eq(jwk_is_private(k), 1);
		ck_assert_uint_eq(strlen(jwk_kid(k)), JWK_THUMBPRINT_LEN);
	} else {
		ck_assert_msg(k == NULL, "%s: loaded", pem_cases[_i].name);
		ck_assert_msg(strstr(err, pem_cases[_i].want) != NULL,
		    "%s: %s", pem_cases[_i].name, err);
		/* One line, naming the file. */
		ck_assert_msg(strchr(err, '\n') == NULL, "%s", err);
		ck_assert_msg(strstr(err, path) != NULL, "%s", err);
	}
	jwk_free(k);
	EVP_PKEY_free(pkey);
}
END_TEST

/* Written 0600, never over anything, and read back as the same key. */
START_TEST(test_write_pem)
{
	char		 err[1024], link[600];
	const char	*dir = test_fresh_dir("write");
	char		 path[600];
	struct stat	 st;
	struct jwk	*k, *back;

	(void)snprintf(path, sizeof(path), "%s/new.pem", dir);
	(void)snprintf(link, sizeof(link), "%s/link.pem", dir);
	ck_assert_ptr_nonnull(k = jwk_generate(all_algs[_i], 0, err,
	    sizeof(err)));
	ck_assert_msg(jwk_write_pem(k, path, err, sizeof(err)) == 0, "%s",
	    err);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	back = jwk_load_pem(path, all_algs[_i], err, sizeof(err));
	ck_assert_msg(back != NULL, "%s", err);
	ck_assert_str_eq(jwk_kid(back), jwk_kid(k));
	jwk_free(back);
	/* Never overwrites, never follows a symlink. */
	ck_assert_int_eq(jwk_write_pem(k, path, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "File exists") != NULL, "%s", err);
	ck_assert_int_eq(symlink("nowhere.pem", link), 0);
	ck_assert_int_eq(jwk_write_pem(k, link, err, sizeof(err)), -1);
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	jwk_free(k);
}
END_TEST

START_TEST(test_generate_refusals)
{
	char	 err[256];

	ck_assert_ptr_null(jwk_generate(KEYS_HS256, 0, err, sizeof(err)));
	ck_assert_ptr_null(jwk_generate(KEYS_RS256, 1024, err, sizeof(err)));
	ck_assert_msg(strstr(err, "2048 to 4096") != NULL, "%s", err);
	ck_assert_ptr_null(jwk_generate(KEYS_RS256, 8192, err, sizeof(err)));
	ck_assert_ptr_null(jwk_generate(KEYS_ALG_NONE, 0, err, sizeof(err)));
	jwk_free(NULL);
}
END_TEST

static Suite *
jwk_suite(void)
{
	Suite	*s = suite_create("jwk");
	TCase	*tc;

	tc = tcase_create("thumbprint");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_thumbprint_rfc7638);
	tcase_add_loop_test(tc, test_public_json_roundtrip, 0,
	    ARRAY_SIZE(all_algs));
	suite_add_tcase(s, tc);

	tc = tcase_create("signatures");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_sign_verify, 0, ARRAY_SIZE(all_algs));
	tcase_add_loop_test(tc, test_ecdsa_forms, 0, 2);
	tcase_add_test(tc, test_cross_alg);
	tcase_add_test(tc, test_public_cannot_sign);
	suite_add_tcase(s, tc);

	tc = tcase_create("pem");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_pem, 0, ARRAY_SIZE(pem_cases));
	tcase_add_loop_test(tc, test_write_pem, 0, ARRAY_SIZE(all_algs));
	tcase_add_test(tc, test_generate_refusals);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(jwk_suite)
