/* jwk.c -- one asymmetric key, parsed once: JWK and PEM in, JWS signatures out */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "b64url.h"
#include "jwk.h"

struct jwk {
	enum keys_alg	 alg;
	EVP_PKEY	*pkey;
	/*
	 * Fetched and set up once: in OpenSSL 3 a digest or a key context
	 * made per call looks its algorithm up by name among the providers,
	 * about a tenth of an RS256 verify.  One verify context serves
	 * every call (EVP_PKEY_verify(3): "can be called more than once on
	 * the same context").
	 */
	EVP_MD		*md;
	EVP_PKEY_CTX	*verify;
	size_t		 field;		/* ES*: bytes of one coordinate; RS*: 0 */
	size_t		 sig_len;	/* the only signature length for this key */
	int		 private;
	char		 kid[JWK_KID_MAX + 1];
};

static const struct {
	const char		*name;
	const char		*md;	/* OpenSSL digest name */
	const char		*kty;	/* RFC 7518 6.1 */
	const char		*crv;	/* EC: RFC 7518 6.2.1.1 */
	int			 nid;	/* EC: the curve */
	size_t			 field;	/* EC: coordinate bytes */
} algs[] = {
	[KEYS_RS256] = { "RS256", "SHA256", "RSA", NULL, 0, 0 },
	[KEYS_RS384] = { "RS384", "SHA384", "RSA", NULL, 0, 0 },
	[KEYS_RS512] = { "RS512", "SHA512", "RSA", NULL, 0, 0 },
	[KEYS_ES256] = { "ES256", "SHA256", "EC", "P-256",
	    NID_X9_62_prime256v1, 32 },
	[KEYS_ES384] = { "ES384", "SHA384", "EC", "P-384", NID_secp384r1, 48 },
};
#define NALGS	(sizeof(algs) / sizeof(algs[0]))

/* Members that make a JWK private (RFC 7518 6.2.2, 6.3.2, 6.4.1). */
static const char *const private_members[] = {
	"d", "p", "q", "dp", "dq", "qi", "oth", "k",
};

static int	seterr(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static int
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	ERR_clear_error();
	return -1;
}

static int
is_asym(enum keys_alg alg)
{
	return keys_alg_is_pair(alg) && (size_t)alg < NALGS &&
	    algs[alg].name != NULL;
}

/* The curve of an EC key, or NID_undef. */
static int
ec_nid(EVP_PKEY *pkey)
{
	char	 name[64];
	int	 nid;

	if (!EVP_PKEY_is_a(pkey, "EC") ||
	    !EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
	    name, sizeof(name), NULL))
		return NID_undef;
	if ((nid = EC_curve_nist2nid(name)) == NID_undef)
		nid = OBJ_sn2nid(name);
	return nid;
}

/* "an EC P-384 key", "a 1024-bit RSA key", "an ED25519 key": for errors. */
static void
describe(EVP_PKEY *pkey, char *buf, size_t n)
{
	const char	*name;
	int		 nid;

	if ((nid = ec_nid(pkey)) != NID_undef) {
		name = EC_curve_nid2nist(nid);
		(void)snprintf(buf, n, "an EC %s key",
		    name != NULL ? name : OBJ_nid2sn(nid));
	} else if (EVP_PKEY_is_a(pkey, "RSA"))
		(void)snprintf(buf, n, "a %d-bit RSA key", EVP_PKEY_get_bits(pkey));
	else if (EVP_PKEY_is_a(pkey, "EC"))
		(void)snprintf(buf, n, "an EC key on an unnamed curve");
	else if ((name = EVP_PKEY_get0_type_name(pkey)) != NULL)
		(void)snprintf(buf, n, "an %s key", name);
	else
		(void)snprintf(buf, n, "a key of an unknown type");
}

/*
 * Whether pkey is a key for alg: EC on exactly alg's curve, or plain RSA
 * (not RSA-PSS) of JWK_RSA_MIN_BITS to JWK_RSA_MAX_BITS.  0, or -1 with
 * "what: <description>; <what alg needs>" in err.
 */
static int
key_fits(EVP_PKEY *pkey, enum keys_alg alg, const char *what, char *err,
    size_t errlen)
{
	char	 desc[64];
	int	 bits;

	if (algs[alg].field != 0) {
		if (ec_nid(pkey) == algs[alg].nid)
			return 0;
		describe(pkey, desc, sizeof(desc));
		return seterr(err, errlen, "%s: %s; %s needs an EC %s key", what,
		    desc, algs[alg].name, algs[alg].crv);
	}
	bits = EVP_PKEY_get_bits(pkey);
	if (EVP_PKEY_is_a(pkey, "RSA") && bits >= JWK_RSA_MIN_BITS &&
	    bits <= JWK_RSA_MAX_BITS)
		return 0;
	describe(pkey, desc, sizeof(desc));
	return seterr(err, errlen, "%s: %s; %s needs an RSA key of %d to %d "
	    "bits", what, desc, algs[alg].name, JWK_RSA_MIN_BITS,
	    JWK_RSA_MAX_BITS);
}

/* Wrap pkey (now owned) for alg after key_fits said yes; NULL if no memory. */
static struct jwk *
adopt(EVP_PKEY *pkey, enum keys_alg alg, int private)
{
	struct jwk	*k;

	if ((k = calloc(1, sizeof(*k))) == NULL) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	k->alg = alg;
	k->pkey = pkey;
	k->private = private;
	k->field = algs[alg].field;
	k->sig_len = k->field != 0 ? 2 * k->field :
	    (size_t)EVP_PKEY_get_size(pkey);
	/* RSA keys: PKCS#1 v1.5 with the digest named: RS* exactly. */
	if ((k->md = EVP_MD_fetch(NULL, algs[alg].md, NULL)) == NULL ||
	    (k->verify = EVP_PKEY_CTX_new_from_pkey(NULL, pkey,
	    NULL)) == NULL || EVP_PKEY_verify_init(k->verify) != 1 ||
	    (k->field == 0 && EVP_PKEY_CTX_set_rsa_padding(k->verify,
	    RSA_PKCS1_PADDING) != 1) ||
	    EVP_PKEY_CTX_set_signature_md(k->verify, k->md) != 1 ||
	    jwk_thumbprint(k, k->kid, sizeof(k->kid)) == -1) {
		ERR_clear_error();
		jwk_free(k);
		return NULL;
	}
	return k;
}

void
jwk_free(struct jwk *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_CTX_free(k->verify);
	EVP_MD_free(k->md);
	EVP_PKEY_free(k->pkey);	/* clears private key material */
	explicit_bzero(k, sizeof(*k));
	free(k);
}

enum keys_alg
jwk_alg(const struct jwk *k)
{
	return k->alg;
}

const char *
jwk_kid(const struct jwk *k)
{
	return k->kid;
}

int
jwk_is_private(const struct jwk *k)
{
	return k->private;
}

/* JWS signatures */

/*
 * RFC 7518 3.4: the JWS form of an ECDSA signature is R and S, each
 * exactly field bytes, big-endian; OpenSSL wants DER.  The length is the
 * caller's check; zero, or R or S not below the order, is OpenSSL's.
 */
static int
ec_raw_to_der(const unsigned char *sig, size_t field, unsigned char *der,
    size_t dersize, size_t *derlen)
{
	ECDSA_SIG	*es;
	BIGNUM		*r, *s;
	unsigned char	*p = der;
	int		 n;

	if ((es = ECDSA_SIG_new()) == NULL)
		return -1;
	r = BN_bin2bn(sig, (int)field, NULL);
	s = BN_bin2bn(sig + field, (int)field, NULL);
	if (r == NULL || s == NULL || !ECDSA_SIG_set0(es, r, s)) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return -1;
	}
	n = i2d_ECDSA_SIG(es, NULL);
	if (n <= 0 || (size_t)n > dersize || i2d_ECDSA_SIG(es, &p) != n) {
		ECDSA_SIG_free(es);
		return -1;
	}
	ECDSA_SIG_free(es);
	*derlen = (size_t)n;
	return 0;
}

/* And back: DER from OpenSSL to R || S of field bytes each. */
static int
ec_der_to_raw(const unsigned char *der, size_t derlen, size_t field,
    unsigned char *sig)
{
	ECDSA_SIG	*es;
	const BIGNUM	*r, *s;
	int		 ret = -1;

	if ((es = d2i_ECDSA_SIG(NULL, &der, (long)derlen)) == NULL)
		return -1;
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, sig, (int)field) == (int)field &&
	    BN_bn2binpad(s, sig + field, (int)field) == (int)field)
		ret = 0;
	ECDSA_SIG_free(es);
	return ret;
}

int
jwk_verify(const struct jwk *k, const void *input, size_t inlen,
    const unsigned char *sig, size_t siglen)
{
	unsigned char	 der[2 * (2 + 1 + 48) + 2];
	unsigned char	 digest[EVP_MAX_MD_SIZE];
	const unsigned char *s = sig;
	unsigned int	 dlen;
	size_t		 slen = siglen;
	int		 ok = 0;

	/* One length per key: no DER, no stripped or padded forms. */
	if (k == NULL || !is_asym(k->alg) || siglen != k->sig_len)
		return 0;
	if (k->field != 0) {
		if (ec_raw_to_der(sig, k->field, der, sizeof(der), &slen) == -1)
			return 0;
		s = der;
	}
	if (EVP_Digest(input, inlen, digest, &dlen, k->md, NULL) == 1 &&
	    EVP_PKEY_verify(k->verify, s, slen, digest, dlen) == 1)
		ok = 1;
	ERR_clear_error();
	return ok;
}

int
jwk_sign(const struct jwk *k, const void *input, size_t inlen,
    unsigned char *sig, size_t sigsize, size_t *siglen)
{
	unsigned char	 der[JWK_SIG_MAX];
	EVP_MD_CTX	*ctx;
	size_t		 dlen = sizeof(der);
	int		 ret = -1;

	if (k == NULL || !k->private || !is_asym(k->alg) ||
	    sigsize < k->sig_len || (size_t)EVP_PKEY_get_size(k->pkey) > dlen)
		return -1;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestSignInit_ex(ctx, NULL, algs[k->alg].md, NULL, NULL,
	    k->pkey, NULL) != 1 ||
	    EVP_DigestSign(ctx, der, &dlen, input, inlen) != 1)
		goto done;
	if (k->field == 0) {
		if (dlen != k->sig_len)
			goto done;
		memcpy(sig, der, dlen);
	} else if (ec_der_to_raw(der, dlen, k->field, sig) == -1)
		goto done;
	*siglen = k->sig_len;
	ret = 0;
done:
	EVP_MD_CTX_free(ctx);
	explicit_bzero(der, sizeof(der));
	ERR_clear_error();
	return ret;
}

/* RFC 7638 thumbprint and the public JWK */

/* The public parameters, base64url: EC x and y (full width), RSA n and e (minimal). */
static int
public_b64(const struct jwk *k, char *a, size_t asize, char *b, size_t bsize)
{
	unsigned char	 buf[JWK_RSA_MAX_BITS / 8];
	BIGNUM		*x = NULL, *y = NULL;
	int		 n, ret = -1;

	if (k->field != 0) {
		if (!EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) ||
		    !EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) ||
		    BN_bn2binpad(x, buf, (int)k->field) != (int)k->field ||
		    b64url_encode(buf, k->field, a, asize) == -1 ||
		    BN_bn2binpad(y, buf, (int)k->field) != (int)k->field ||
		    b64url_encode(buf, k->field, b, bsize) == -1)
			goto done;
	} else {
		/* a = e, b = n: the members' order in the thumbprint. */
		if (!EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_E, &x) ||
		    !EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_N, &y) ||
		    BN_num_bytes(x) > (int)sizeof(buf) ||
		    BN_num_bytes(y) > (int)sizeof(buf))
			goto done;
		n = BN_bn2bin(x, buf);
		if (b64url_encode(buf, (size_t)n, a, asize) == -1)
			goto done;
		n = BN_bn2bin(y, buf);
		if (b64url_encode(buf, (size_t)n, b, bsize) == -1)
			goto done;
	}
	ret = 0;
done:
	BN_free(x);
	BN_free(y);
	ERR_clear_error();
	return ret;
}

#define B64_MAX	(JWK_RSA_MAX_BITS / 8 / 3 * 4 + 8)

int
jwk_thumbprint(const struct jwk *k, char *out, size_t outsize)
{
	char		 a[B64_MAX], b[B64_MAX], json[2 * B64_MAX + 64];
	unsigned char	 md[32];
	unsigned int	 mdlen = 0;
	int		 n;

	if (outsize < JWK_THUMBPRINT_LEN + 1 ||
	    public_b64(k, a, sizeof(a), b, sizeof(b)) == -1)
		return -1;
	/* RFC 7638 3.2: the required members only, sorted, no whitespace. */
	if (k->field != 0)
		n = snprintf(json, sizeof(json),
		    "{\"crv\":\"%s\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}",
		    algs[k->alg].crv, a, b);
	else
		n = snprintf(json, sizeof(json),
		    "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}", a, b);
	if (n < 0 || (size_t)n >= sizeof(json) ||
	    EVP_Digest(json, (size_t)n, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    b64url_encode(md, mdlen, out, outsize) != JWK_THUMBPRINT_LEN)
		return -1;
	return 0;
}

json_object *
jwk_public_json(const struct jwk *k)
{
	char		 a[B64_MAX], b[B64_MAX];
	json_object	*o;

	if (public_b64(k, a, sizeof(a), b, sizeof(b)) == -1 ||
	    (o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "kty",
	    json_object_new_string(algs[k->alg].kty));
	if (k->field != 0) {
		json_object_object_add(o, "crv",
		    json_object_new_string(algs[k->alg].crv));
		json_object_object_add(o, "x", json_object_new_string(a));
		json_object_object_add(o, "y", json_object_new_string(b));
	} else {
		json_object_object_add(o, "n", json_object_new_string(b));
		json_object_object_add(o, "e", json_object_new_string(a));
	}
	json_object_object_add(o, "kid", json_object_new_string(k->kid));
	json_object_object_add(o, "alg",
	    json_object_new_string(algs[k->alg].name));
	json_object_object_add(o, "use", json_object_new_string("sig"));
	return o;
}

/* JWK in (RFC 7517 4, RFC 7518 6) */

/* A string member: 1 present (sets *s, *len), 0 absent, -1 not a plain string. */
static int
member(json_object *obj, const char *name, const char **s, size_t *len)
{
	json_object	*v;

	if (!json_object_object_get_ex(obj, name, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	*s = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	if (memchr(*s, '\0', *len) != NULL)
		return -1;
	return 1;
}

/* A required base64url member decoded into out; its length, or -1. */
static long
member_b64(json_object *obj, const char *name, unsigned char *out,
    size_t outsize)
{
	const char	*s;
	size_t		 len;

	if (member(obj, name, &s, &len) != 1 || len == 0)
		return -1;
	return b64url_decode(s, len, out, outsize);
}

static EVP_PKEY *
fromdata(const char *type, OSSL_PARAM_BLD *bld, int check)
{
	OSSL_PARAM	*params;
	EVP_PKEY_CTX	*ctx = NULL, *chk = NULL;
	EVP_PKEY	*pkey = NULL;

	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		return NULL;
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto done;
	/*
	 * EC: the point is on the curve, not infinity, of the right order.
	 * RSA: OpenSSL's check (SP 800-56B: n composite, no small factors)
	 * costs ~3 ms a key and buys nothing a verifier needs; rsa_from_json
	 * checks n odd and its size itself.
	 */
	if (check && ((chk = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) ==
	    NULL || EVP_PKEY_public_check(chk) != 1)) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
done:
	EVP_PKEY_CTX_free(chk);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

static EVP_PKEY *
ec_from_json(json_object *obj, enum keys_alg alg, char *err, size_t errlen)
{
	unsigned char	 pub[1 + 2 * 48 + 3];
	OSSL_PARAM_BLD	*bld;
	EVP_PKEY	*pkey = NULL;
	const char	*crv;
	size_t		 len, field = algs[alg].field;

	if (member(obj, "crv", &crv, &len) != 1 ||
	    strcmp(crv, algs[alg].crv) != 0) {
		(void)seterr(err, errlen, "alg %s needs crv %s", algs[alg].name,
		    algs[alg].crv);
		return NULL;
	}
	/* RFC 7518 6.2.1.2: each coordinate its full size, no more, no less. */
	pub[0] = 0x04;
	if (member_b64(obj, "x", pub + 1, sizeof(pub) - 1) != (long)field ||
	    member_b64(obj, "y", pub + 1 + field, sizeof(pub) - 1 - field) !=
	    (long)field) {
		(void)seterr(err, errlen, "x and y must be %zu bytes each, "
		    "base64url", field);
		return NULL;
	}
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    algs[alg].crv, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub,
	    1 + 2 * field) ||
	    (pkey = fromdata("EC", bld, 1)) == NULL)
		(void)seterr(err, errlen, "x, y is not a point on %s",
		    algs[alg].crv);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

static EVP_PKEY *
rsa_from_json(json_object *obj, char *err, size_t errlen)
{
	unsigned char	 nbuf[JWK_RSA_MAX_BITS / 8 + 3], ebuf[8];
	OSSL_PARAM_BLD	*bld = NULL;
	BIGNUM		*n = NULL, *e = NULL;
	EVP_PKEY	*pkey = NULL;
	long		 nlen, elen;

	/* RFC 7518 2 (Base64urlUInt): the fewest octets, so no leading zero. */
	nlen = member_b64(obj, "n", nbuf, sizeof(nbuf));
	elen = member_b64(obj, "e", ebuf, sizeof(ebuf));
	if (nlen <= 0 || nbuf[0] == 0 || elen <= 0 || elen > 4 || ebuf[0] == 0) {
		(void)seterr(err, errlen, "n and e must be base64url unsigned "
		    "integers without leading zeros (n at most %d bits, e at "
		    "most 32)", JWK_RSA_MAX_BITS);
		return NULL;
	}
	if ((ebuf[elen - 1] & 1) == 0 || (elen == 1 && ebuf[0] < 3)) {
		(void)seterr(err, errlen, "e must be odd and at least 3");
		return NULL;
	}
	if ((nbuf[nlen - 1] & 1) == 0) {
		(void)seterr(err, errlen, "n must be odd");
		return NULL;
	}
	if ((n = BN_bin2bn(nbuf, (int)nlen, NULL)) == NULL ||
	    (e = BN_bin2bn(ebuf, (int)elen, NULL)) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    (pkey = fromdata("RSA", bld, 0)) == NULL)
		(void)seterr(err, errlen, "n, e is not an RSA public key");
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pkey;
}

struct jwk *
jwk_from_json(json_object *obj, char *err, size_t errlen)
{
	char		 what[JWK_KID_MAX + 8];
	json_object	*v, *op;
	EVP_PKEY	*pkey;
	struct jwk	*k;
	const char	*s, *kid;
	enum keys_alg	 alg;
	size_t		 i, len, kidlen;
	int		 r, verify = 0;

	if (!json_object_is_type(obj, json_type_object)) {
		(void)seterr(err, errlen, "not a JSON object");
		return NULL;
	}
	/* A key set is public: private material in it is a leak. */
	for (i = 0; i < sizeof(private_members) / sizeof(private_members[0]);
	    i++)
		if (json_object_object_get_ex(obj, private_members[i], NULL)) {
			(void)seterr(err, errlen, "has private member \"%s\": "
			    "a key set holds public keys only",
			    private_members[i]);
			return NULL;
		}
	if (member(obj, "kid", &kid, &kidlen) != 1 || kidlen == 0 ||
	    kidlen > JWK_KID_MAX) {
		(void)seterr(err, errlen, "needs a kid of 1 to %d characters",
		    JWK_KID_MAX);
		return NULL;
	}
	for (i = 0; i < kidlen; i++)
		if ((unsigned char)kid[i] < 0x21 ||
		    (unsigned char)kid[i] > 0x7e) {
			(void)seterr(err, errlen, "kid must be visible ASCII");
			return NULL;
		}
	/* RFC 8725 3.1: every key pinned to one algorithm. */
	if (member(obj, "alg", &s, &len) != 1 ||
	    !is_asym(alg = keys_alg_from_name(s))) {
		(void)seterr(err, errlen, "kid \"%s\": needs alg ES256, ES384, "
		    "RS256, RS384 or RS512", kid);
		return NULL;
	}
	if (member(obj, "kty", &s, &len) != 1 || strcmp(s, algs[alg].kty) != 0) {
		(void)seterr(err, errlen, "kid \"%s\": alg %s needs kty %s", kid,
		    algs[alg].name, algs[alg].kty);
		return NULL;
	}
	if ((r = member(obj, "use", &s, &len)) == -1 ||
	    (r == 1 && strcmp(s, "sig") != 0)) {
		(void)seterr(err, errlen, "kid \"%s\": use must be \"sig\"", kid);
		return NULL;
	}
	if (json_object_object_get_ex(obj, "key_ops", &op)) {
		if (!json_object_is_type(op, json_type_array)) {
			(void)seterr(err, errlen, "kid \"%s\": key_ops must be "
			    "an array", kid);
			return NULL;
		}
		for (i = 0; i < json_object_array_length(op); i++) {
			v = json_object_array_get_idx(op, i);
			if (json_object_is_type(v, json_type_string) &&
			    strcmp(json_object_get_string(v), "verify") == 0)
				verify = 1;
		}
		if (!verify) {
			(void)seterr(err, errlen, "kid \"%s\": key_ops lacks "
			    "\"verify\"", kid);
			return NULL;
		}
	}
	pkey = algs[alg].field != 0 ? ec_from_json(obj, alg, err, errlen) :
	    rsa_from_json(obj, err, errlen);
	if (pkey == NULL)
		return NULL;
	(void)snprintf(what, sizeof(what), "kid \"%.*s\"", (int)kidlen, kid);
	if (key_fits(pkey, alg, what, err, errlen) == -1) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	if ((k = adopt(pkey, alg, 0)) == NULL) {
		(void)seterr(err, errlen, "out of memory");
		return NULL;
	}
	/* The key set's kid, whatever it is, is how tokens name this key. */
	memcpy(k->kid, kid, kidlen);
	k->kid[kidlen] = '\0';
	return k;
}

/* PEM private keys: load, generate, write */

/* Never prompt: an encrypted key is refused (no terminal in FastCGI). */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(int *)u = 1;
	return -1;
}

struct jwk *
jwk_load_pem(const char *path, enum keys_alg alg, char *err, size_t errlen)
{
	char		 buf[JWK_PEM_MAX_BYTES + 1], what[PATH_MAX + 32];
	struct stat	 st;
	struct jwk	*k = NULL;
	EVP_PKEY	*pkey = NULL;
	BIO		*bio = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd, encrypted = 0;

	(void)snprintf(what, sizeof(what), "JWT_PRIVATE_KEY_FILE %s", path);
	if (!is_asym(alg)) {
		(void)seterr(err, errlen, "%s: JWT_ALG %s signs with a secret, "
		    "not a key pair", what, keys_alg_name(alg));
		return NULL;
	}
	/* A symlink is fine: "current.pem -> 2025-06.pem" is a rotation scheme. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		(void)seterr(err, errlen, "%s: %s", what, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		(void)seterr(err, errlen, "%s: not a regular file", what);
		goto done;
	}
	/*
	 * Group-readable (0640, root:www-data) is how a service reads it;
	 * any other user, or a group that may write it, could read or swap
	 * the key tokens are signed with.
	 */
	if (st.st_mode & (S_IRWXO | S_IWGRP)) {
		(void)seterr(err, errlen, "%s: mode %03o lets %s; chmod 600 "
		    "(or 640 for the service's group)", what,
		    (unsigned)(st.st_mode & 0777), st.st_mode & S_IRWXO ?
		    "every user at it" : "its group write it");
		goto done;
	}
	for (;;) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			(void)seterr(err, errlen, "%s: %s", what, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		if ((len += (size_t)n) > JWK_PEM_MAX_BYTES) {
			(void)seterr(err, errlen, "%s: larger than %d bytes", what,
			    JWK_PEM_MAX_BYTES);
			goto done;
		}
	}
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL) {
		(void)seterr(err, errlen, "out of memory");
		goto done;
	}
	pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, &encrypted);
	if (pkey == NULL) {
		(void)seterr(err, errlen, encrypted ?
		    "%s: encrypted; give it unencrypted, mode 0600 "
		    "(openssl pkey -in KEY -out NEW)" :
		    "%s: no PEM private key in it", what);
		goto done;
	}
	if (key_fits(pkey, alg, what, err, errlen) == -1)
		goto done;
	if ((k = adopt(pkey, alg, 1)) == NULL)
		(void)seterr(err, errlen, "out of memory");
	pkey = NULL;
done:
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	explicit_bzero(buf, sizeof(buf));
	(void)close(fd);
	return k;
}

struct jwk *
jwk_generate(enum keys_alg alg, unsigned int bits, char *err, size_t errlen)
{
	EVP_PKEY	*pkey;
	struct jwk	*k;

	if (!is_asym(alg)) {
		(void)seterr(err, errlen, "%s is not ES256, ES384, RS256, RS384 "
		    "or RS512", keys_alg_name(alg));
		return NULL;
	}
	if (bits == 0)
		bits = JWK_RSA_MIN_BITS;
	if (algs[alg].field == 0 && (bits < JWK_RSA_MIN_BITS ||
	    bits > JWK_RSA_MAX_BITS)) {
		(void)seterr(err, errlen, "RSA keys are %d to %d bits",
		    JWK_RSA_MIN_BITS, JWK_RSA_MAX_BITS);
		return NULL;
	}
	pkey = algs[alg].field != 0 ?
	    EVP_PKEY_Q_keygen(NULL, NULL, "EC", algs[alg].crv) :
	    EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	if (pkey == NULL) {
		(void)seterr(err, errlen, "key generation failed");
		return NULL;
	}
	if ((k = adopt(pkey, alg, 1)) == NULL)
		(void)seterr(err, errlen, "out of memory");
	return k;
}

int
jwk_write_pem(const struct jwk *k, const char *path, char *err, size_t errlen)
{
	BIO		*bio;
	char		*pem;
	long		 len;
	size_t		 off = 0;
	ssize_t		 n;
	int		 fd, ret = -1;

	if (!k->private)
		return seterr(err, errlen, "%s: not a private key", path);
	if ((bio = BIO_new(BIO_s_secmem())) == NULL)
		return seterr(err, errlen, "out of memory");
	/* PKCS#8 "PRIVATE KEY", unencrypted: the file's mode protects it. */
	if (!PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL) ||
	    (len = BIO_get_mem_data(bio, &pem)) <= 0) {
		BIO_free(bio);
		return seterr(err, errlen, "cannot encode the key");
	}
	/* O_EXCL: an existing file, or a symlink, is never replaced. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		(void)seterr(err, errlen, "%s: %s", path, strerror(errno));
		goto done;
	}
	while (off < (size_t)len) {
		n = write(fd, pem + off, (size_t)len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (off != (size_t)len || fchmod(fd, 0600) == -1 || fsync(fd) == -1) {
		(void)seterr(err, errlen, "%s: %s", path, strerror(errno));
		(void)close(fd);
		(void)unlink(path);
		goto done;
	}
	if (close(fd) == -1) {
		(void)seterr(err, errlen, "%s: %s", path, strerror(errno));
		(void)unlink(path);
		goto done;
	}
	ret = 0;
done:
	BIO_free(bio);		/* secmem: cleared */
	return ret;
}
