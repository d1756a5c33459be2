/* check_token.c -- minting and verifying tokens: every way to be refused */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <limits.h>
#include <poll.h>

#include "check_common.h"
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "b64url.h"
#include "forge.h"
#include "jwk.h"
#include "token.h"
#include "token_cache.h"

#define H256	"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define NOW	"1700000000"
#define SOON	"1700000060"
#define GOOD	"{\"sub\":\"alice\",\"role\":\"admin\",\"iat\":" NOW \
		",\"exp\":" SOON "}"
/* A payload for alice valid for 10 minutes, with one claim as given. */
#define LATER	"1700000600"
#define P_SUB(v)	"{\"sub\":" v ",\"role\":\"admin\",\"exp\":" LATER "}"
#define P_ROLE(v)	"{\"sub\":\"alice\",\"role\":" v ",\"exp\":" LATER "}"
#define P_EXP(v)	"{\"sub\":\"alice\",\"role\":\"admin\",\"exp\":" v "}"
#define P_WITH(k, v)	"{\"sub\":\"alice\",\"role\":\"admin\",\"exp\":" \
			LATER ",\"" k "\":" v "}"

/* The HMAC key of an algorithm-confusion attack: a public key. */
#define PUBLIC_KEY_PEM							\
	"-----BEGIN PUBLIC KEY-----\n"					\
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA4mwrtz2n7qYT2loUGYWS\n" \
	"JjllWzglWL0OoksS3e9dWoVXse4GniC7y9GAOeSoiZUVpjnsn1GRooOD6aaAbKOS\n" \
	"Cwbm5yDhRytUv6PZX6Dx9vkd7U/0Gi3fbiLqefEzyROOkxn7VK5Kc9m4Ye2/Jh8a\n" \
	"lY3NacMUT4DbXLkrewRI/zTmDp85PzExEcJ3URsnS1UOyG6uH3cfs6fHBGizOBOw\n" \
	"xiVeuq9jwEy4BrKNvMurfpVvuGQAIWmNUpG86FbMFekKXQd3V/jr11M3cz94qHwo\n" \
	"AGp3bw3igaLb5YAl3EhDjTpTLzgOVxWD3qo8jOf1Mov8kNtp3V/UKPUZu6vFU9IM\n" \
	"YwIDAQAB\n"							\
	"-----END PUBLIC KEY-----\n"
/* The key a token's "jwk" header offers: base64url of this. */
#define JWK_SECRET	"not-the-secret-not-the-secret-not-the-secret"

static struct cfg	 cfg;

/* A key set of one HMAC secret, as keys_load would make it. */
static struct keys *
test_keys(enum keys_alg alg, const char *secret)
{
	struct keys	*keys;
	char		 err[256];

	keys = keys_new_hs(alg, secret, strlen(secret), err, sizeof(err));
	ck_assert_msg(keys != NULL, "keys_new_hs: %s", err);
	return keys;
}

static void
setup(void)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.keys = test_keys(KEYS_HS256, TEST_SECRET_32);
	cfg.ttl_min = 30;
}

static void
teardown(void)
{
	cfg_clear(&cfg);
}

/*
 * A token over any header and payload text, signed with HMAC md ("HS256",
 * "HS384", "HS512") and key; or, md NULL, with sig as its third part.
 * In a static buffer: the tables below name tokens no library would make.
 */
static const char *
test_forge(const char *header, const char *payload, const char *md,
    const char *key, const char *sig)
{
	static char	 tok[16384];
	char		*t;
	int		 n;

	t = forge_token_str(header, payload, md, key,
	    key != NULL ? strlen(key) : 0);
	ck_assert_ptr_nonnull(t);
	n = snprintf(tok, sizeof(tok), "%s%s", t, md == NULL ? sig : "");
	ck_assert(n > 0 && (size_t)n < sizeof(tok));
	free(t);
	return tok;
}

static const char *
result_name(enum token_result r)
{
	switch (r) {
	case TOKEN_OK:
		return "OK";
	case TOKEN_INVALID:
		return "INVALID";
	case TOKEN_BAD_PAYLOAD:
		return "BAD_PAYLOAD";
	}
	return "?";
}

/*
 * Signed tokens: a header and payload, signed with md and key (md NULL:
 * unsigned, with sig as the third part), and the verdict at TS_CONST.
 */
static const struct {
	const char		*name;
	const char		*header, *payload;
	const char		*md, *key, *sig;
	enum token_result	 want;
} signed_cases[] = {
	{ "valid", H256, GOOD, "HS256", TEST_SECRET_32, NULL, TOKEN_OK },
	{ "no typ", "{\"alg\":\"HS256\"}", GOOD, "HS256", TEST_SECRET_32,
	    NULL, TOKEN_OK },
	{ "no iat", H256, "{\"sub\":\"a\",\"role\":\"r\",\"exp\":" SOON "}",
	    "HS256", TEST_SECRET_32, NULL, TOKEN_OK },
	{ "kid jku x5u ignored", "{\"alg\":\"HS256\",\"kid\":\"../../etc/passwd"
	    "\",\"jku\":\"http://attacker.invalid/k\",\"x5u\":\"file:///x\"}",
	    GOOD, "HS256", TEST_SECRET_32, NULL, TOKEN_OK },
	{ "typ access", H256, "{\"sub\":\"a\",\"role\":\"r\",\"typ\":\"access\""
	    ",\"exp\":" SOON "}", "HS256", TEST_SECRET_32, NULL, TOKEN_OK },
	{ "nbf past", H256, "{\"sub\":\"a\",\"role\":\"r\",\"nbf\":" NOW
	    ",\"exp\":" SOON "}", "HS256", TEST_SECRET_32, NULL, TOKEN_OK },
	{ "exp at the lifetime's edge", H256, "{\"sub\":\"a\",\"role\":\"r\","
	    "\"exp\":1700001860}", "HS256", TEST_SECRET_32, NULL, TOKEN_OK },
	{ "duplicate sub: the last wins", H256, "{\"sub\":\"mallory\","
	    "\"sub\":\"alice\",\"role\":\"admin\",\"exp\":" SOON "}", "HS256",
	    TEST_SECRET_32, NULL, TOKEN_OK },

	/* The algorithm is pinned. */
	{ "alg none, no signature", "{\"alg\":\"none\"}", GOOD, NULL, NULL, "",
	    TOKEN_INVALID },
	{ "alg None", "{\"alg\":\"None\"}", GOOD, NULL, NULL, "",
	    TOKEN_INVALID },
	{ "alg NONE with a signature", "{\"alg\":\"NONE\"}", GOOD, NULL, NULL,
	    "c2lnbmF0dXJl", TOKEN_INVALID },
	{ "alg none signed", "{\"alg\":\"none\"}", GOOD, "HS256",
	    TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "alg hs256 lowercase", "{\"alg\":\"hs256\"}", GOOD, "HS256",
	    TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "alg HS512", "{\"alg\":\"HS512\"}", GOOD, "HS512", TEST_SECRET_32,
	    NULL, TOKEN_INVALID },
	{ "alg HS384", "{\"alg\":\"HS384\"}", GOOD, "HS384", TEST_SECRET_32,
	    NULL, TOKEN_INVALID },
	{ "alg RS256 with the secret as HMAC key", "{\"alg\":\"RS256\"}", GOOD,
	    "HS256", TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "alg ES256", "{\"alg\":\"ES256\"}", GOOD, "HS256", TEST_SECRET_32,
	    NULL, TOKEN_INVALID },
	{ "alg missing", "{\"typ\":\"JWT\"}", GOOD, "HS256", TEST_SECRET_32,
	    NULL, TOKEN_INVALID },
	{ "alg a number", "{\"alg\":256}", GOOD, "HS256", TEST_SECRET_32, NULL,
	    TOKEN_INVALID },
	{ "alg with a NUL", "{\"alg\":\"HS256\\u0000x\"}", GOOD, "HS256",
	    TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "duplicate alg", "{\"alg\":\"HS256\",\"alg\":\"none\"}", GOOD,
	    "HS256", TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "crit header", "{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", GOOD,
	    "HS256", TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "crit header, empty", "{\"alg\":\"HS256\",\"crit\":[]}", GOOD,
	    "HS256", TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "alg NONE, no signature", "{\"alg\":\"NONE\"}", GOOD, NULL, NULL, "",
	    TOKEN_INVALID },
	{ "alg None with a genuine HS256 signature",
	    "{\"alg\":\"None\",\"typ\":\"JWT\"}", GOOD, "HS256",
	    TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "alg NONE with a genuine HS256 signature", "{\"alg\":\"NONE\"}",
	    GOOD, "HS256", TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "HS256 header over an HS512 signature", H256, GOOD, "HS512",
	    TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "alg HS256 followed by a NUL", "{\"alg\":\"HS256\\u0000\"}", GOOD,
	    "HS256", TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "alg not a string", "{\"alg\":[\"HS256\"]}", GOOD, "HS256",
	    TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "typ header at+jwt (libjwt 1.10 wants JWT)",
	    "{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}", GOOD, "HS256",
	    TEST_SECRET_32, NULL, TOKEN_INVALID },

	/* The key. */
	{ "wrong secret", H256, GOOD, "HS256", TEST_SECRET_32 "x", NULL,
	    TOKEN_INVALID },
	{ "empty secret", H256, GOOD, "HS256", "", NULL, TOKEN_INVALID },
	/* Algorithm confusion: an RSA public key as the HMAC key. */
	{ "RS256 header, HMAC-SHA256 with a public key",
	    "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", GOOD, "HS256",
	    PUBLIC_KEY_PEM, NULL, TOKEN_INVALID },
	{ "ES256 header, HMAC-SHA256 with a public key",
	    "{\"alg\":\"ES256\",\"typ\":\"JWT\"}", GOOD, "HS256",
	    PUBLIC_KEY_PEM, NULL, TOKEN_INVALID },
	{ "HS256 header, HMAC-SHA256 with a public key", H256, GOOD, "HS256",
	    PUBLIC_KEY_PEM, NULL, TOKEN_INVALID },
	/*
	 * Headers that locate a key are never used (test_key_headers_not_
	 * fetched): the configured key verifies, whatever they say.
	 */
	{ "kid a path, otherwise valid",
	    "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"../../etc/passwd\"}",
	    GOOD, "HS256", TEST_SECRET_32, NULL, TOKEN_OK },
	{ "jku and x5u URLs, otherwise valid",
	    "{\"alg\":\"HS256\",\"jku\":\"http://192.0.2.1/jwks.json\","
	    "\"x5u\":\"http://192.0.2.1/cert.pem\"}", GOOD, "HS256",
	    TEST_SECRET_32, NULL, TOKEN_OK },
	{ "kid a path, signed with a public key",
	    "{\"alg\":\"HS256\",\"kid\":\"../../etc/passwd\"}", GOOD, "HS256",
	    PUBLIC_KEY_PEM, NULL, TOKEN_INVALID },
	{ "jwk header with a key, signed with that key",
	    "{\"alg\":\"HS256\",\"jwk\":{\"kty\":\"oct\",\"k\":"
	    "\"bm90LXRoZS1zZWNyZXQtbm90LXRoZS1zZWNyZXQtbm90LXRoZS1zZWNyZXQ\"}}",
	    GOOD, "HS256", JWK_SECRET, NULL, TOKEN_INVALID },

	/* exp is required, an integer, in the future, not too far. */
	{ "exp missing", H256, "{\"sub\":\"a\",\"role\":\"r\"}", "HS256",
	    TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "exp now", H256, "{\"sub\":\"a\",\"role\":\"r\",\"exp\":" NOW "}",
	    "HS256", TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "exp a second ago", H256, "{\"sub\":\"a\",\"role\":\"r\","
	    "\"exp\":1699999999}", "HS256", TEST_SECRET_32, NULL,
	    TOKEN_INVALID },
	{ "exp a string", H256, "{\"sub\":\"a\",\"role\":\"r\",\"exp\":\""
	    SOON "\"}", "HS256", TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "exp a float", H256, "{\"sub\":\"a\",\"role\":\"r\","
	    "\"exp\":1700000060.5}", "HS256", TEST_SECRET_32, NULL,
	    TOKEN_INVALID },
	{ "exp a boolean", H256, "{\"sub\":\"a\",\"role\":\"r\",\"exp\":true}",
	    "HS256", TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "exp negative", H256, "{\"sub\":\"a\",\"role\":\"r\",\"exp\":-1}",
	    "HS256", TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "exp 1e300", H256, "{\"sub\":\"a\",\"role\":\"r\",\"exp\":1e300}",
	    "HS256", TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "exp past int64", H256, "{\"sub\":\"a\",\"role\":\"r\","
	    "\"exp\":99999999999999999999}", "HS256", TEST_SECRET_32, NULL,
	    TOKEN_INVALID },
	{ "exp past the lifetime", H256, "{\"sub\":\"a\",\"role\":\"r\","
	    "\"exp\":1700001861}", "HS256", TEST_SECRET_32, NULL,
	    TOKEN_INVALID },
	{ "exp a whole float", H256, P_EXP(LATER ".0"), "HS256",
	    TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "exp in exponent notation", H256, P_EXP("1.7000006e9"), "HS256",
	    TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "exp INT64_MAX", H256, P_EXP("9223372036854775807"), "HS256",
	    TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "exp beyond int64", H256, P_EXP("9223372036854775808"), "HS256",
	    TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "exp null", H256, P_EXP("null"), "HS256", TEST_SECRET_32, NULL,
	    TOKEN_INVALID },
	{ "control: exp in one second", H256, P_EXP("1700000001"), "HS256",
	    TEST_SECRET_32, NULL, TOKEN_OK },

	/* iat, nbf, ver and typ, when present. */
	{ "iat a string", H256, "{\"sub\":\"a\",\"role\":\"r\",\"iat\":\"1\","
	    "\"exp\":" SOON "}", "HS256", TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "iat negative", H256, "{\"sub\":\"a\",\"role\":\"r\",\"iat\":-5,"
	    "\"exp\":" SOON "}", "HS256", TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "iat in the future", H256, "{\"sub\":\"a\",\"role\":\"r\","
	    "\"iat\":1700000061,\"exp\":1700000090}", "HS256", TEST_SECRET_32,
	    NULL, TOKEN_INVALID },
	{ "iat after exp", H256, "{\"sub\":\"a\",\"role\":\"r\",\"iat\":" NOW
	    ",\"exp\":1700000001,\"iat\":1700000002}", "HS256",
	    TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "nbf in the future", H256, "{\"sub\":\"a\",\"role\":\"r\","
	    "\"nbf\":1700000001,\"exp\":" SOON "}", "HS256", TEST_SECRET_32,
	    NULL, TOKEN_INVALID },
	{ "nbf a float", H256, "{\"sub\":\"a\",\"role\":\"r\",\"nbf\":1.5,"
	    "\"exp\":" SOON "}", "HS256", TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "ver negative", H256, "{\"sub\":\"a\",\"role\":\"r\",\"ver\":-1,"
	    "\"exp\":" SOON "}", "HS256", TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "ver a string", H256, "{\"sub\":\"a\",\"role\":\"r\",\"ver\":\"1\","
	    "\"exp\":" SOON "}", "HS256", TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "typ refresh", H256, "{\"sub\":\"a\",\"role\":\"r\",\"typ\":"
	    "\"refresh\",\"exp\":" SOON "}", "HS256", TEST_SECRET_32, NULL,
	    TOKEN_INVALID },
	{ "iat a float", H256, P_WITH("iat", NOW ".5"), "HS256",
	    TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "iat beyond int64", H256, P_WITH("iat", "9223372036854775808"),
	    "HS256", TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "iat 1e300", H256, P_WITH("iat", "1e300"), "HS256", TEST_SECRET_32,
	    NULL, TOKEN_INVALID },
	{ "control: iat 60 s ahead (clock skew)", H256,
	    P_WITH("iat", "1700000060"), "HS256", TEST_SECRET_32, NULL,
	    TOKEN_OK },
	{ "nbf a string", H256, P_WITH("nbf", "\"0\""), "HS256",
	    TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "typ claim not a string", H256, P_WITH("typ", "1"), "HS256",
	    TEST_SECRET_32, NULL, TOKEN_INVALID },

	/* Not JSON objects. */
	{ "payload an array", H256, "[1,2]", "HS256", TEST_SECRET_32, NULL,
	    TOKEN_INVALID },
	{ "payload a string", H256, "\"sub\"", "HS256", TEST_SECRET_32, NULL,
	    TOKEN_INVALID },
	{ "payload not JSON", H256, "sub=alice", "HS256", TEST_SECRET_32, NULL,
	    TOKEN_INVALID },
	{ "payload with trailing text", H256, GOOD " x", "HS256",
	    TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "payload deeply nested", H256, "{\"sub\":\"a\",\"role\":\"r\","
	    "\"exp\":" SOON ",\"x\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}",
	    "HS256", TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "header not JSON", "alg=HS256", GOOD, "HS256", TEST_SECRET_32, NULL,
	    TOKEN_INVALID },
	{ "header an array", "[\"HS256\"]", GOOD, "HS256", TEST_SECRET_32,
	    NULL, TOKEN_INVALID },
	{ "header a JSON string", "\"HS256\"", GOOD, "HS256", TEST_SECRET_32,
	    NULL, TOKEN_INVALID },
	{ "header with text after the object", H256 "x", GOOD, "HS256",
	    TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "payload JSON null", H256, "null", "HS256", TEST_SECRET_32, NULL,
	    TOKEN_INVALID },
	{ "payload with a second object after it", H256, GOOD "{}", "HS256",
	    TEST_SECRET_32, NULL, TOKEN_INVALID },
	{ "payload nested deeper than 8", H256,
	    P_WITH("x", "[[[[[[[[[1]]]]]]]]]"), "HS256", TEST_SECRET_32, NULL,
	    TOKEN_INVALID },
	{ "empty payload, genuine signature", H256, "", "HS256",
	    TEST_SECRET_32, NULL, TOKEN_INVALID },

	/* Genuine, but sub or role unusable: the payload's fault. */
	{ "sub missing", H256, "{\"role\":\"r\",\"exp\":" SOON "}", "HS256",
	    TEST_SECRET_32, NULL, TOKEN_BAD_PAYLOAD },
	{ "role missing", H256, "{\"sub\":\"a\",\"exp\":" SOON "}", "HS256",
	    TEST_SECRET_32, NULL, TOKEN_BAD_PAYLOAD },
	{ "sub empty", H256, "{\"sub\":\"\",\"role\":\"r\",\"exp\":" SOON "}",
	    "HS256", TEST_SECRET_32, NULL, TOKEN_BAD_PAYLOAD },
	{ "sub a number", H256, "{\"sub\":7,\"role\":\"r\",\"exp\":" SOON "}",
	    "HS256", TEST_SECRET_32, NULL, TOKEN_BAD_PAYLOAD },
	{ "sub null", H256, "{\"sub\":null,\"role\":\"r\",\"exp\":" SOON "}",
	    "HS256", TEST_SECRET_32, NULL, TOKEN_BAD_PAYLOAD },
	{ "role an array", H256, "{\"sub\":\"a\",\"role\":[\"admin\"],\"exp\":"
	    SOON "}", "HS256", TEST_SECRET_32, NULL, TOKEN_BAD_PAYLOAD },
	{ "role an object", H256, "{\"sub\":\"a\",\"role\":{},\"exp\":" SOON
	    "}", "HS256", TEST_SECRET_32, NULL, TOKEN_BAD_PAYLOAD },
	/* jansson (inside libjwt) refuses \u0000 before we see the claim. */
	{ "sub with a NUL", H256, "{\"sub\":\"alice\\u0000x\",\"role\":\"r\","
	    "\"exp\":" SOON "}", "HS256", TEST_SECRET_32, NULL,
	    TOKEN_INVALID },
	{ "sub of 65 bytes", H256, "{\"sub\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"role\":\"r\",\"exp\":" SOON
	    "}", "HS256", TEST_SECRET_32, NULL, TOKEN_BAD_PAYLOAD },
	{ "role of 33 bytes", H256, "{\"sub\":\"a\",\"role\":\"rrrrrrrrrrrrrrr"
	    "rrrrrrrrrrrrrrrrrr\",\"exp\":" SOON "}", "HS256", TEST_SECRET_32,
	    NULL, TOKEN_BAD_PAYLOAD },
	{ "sub an array", H256, P_SUB("[\"alice\"]"), "HS256", TEST_SECRET_32,
	    NULL, TOKEN_BAD_PAYLOAD },
	{ "sub an object", H256, P_SUB("{\"name\":\"alice\"}"), "HS256",
	    TEST_SECRET_32, NULL, TOKEN_BAD_PAYLOAD },
	{ "sub true", H256, P_SUB("true"), "HS256", TEST_SECRET_32, NULL,
	    TOKEN_BAD_PAYLOAD },
	{ "role a number", H256, P_ROLE("1"), "HS256", TEST_SECRET_32, NULL,
	    TOKEN_BAD_PAYLOAD },
	{ "role null", H256, P_ROLE("null"), "HS256", TEST_SECRET_32, NULL,
	    TOKEN_BAD_PAYLOAD },
	{ "role empty", H256, P_ROLE("\"\""), "HS256", TEST_SECRET_32, NULL,
	    TOKEN_BAD_PAYLOAD },
	{ "role with a NUL (\\u0000)", H256, P_ROLE("\"admin\\u0000\""),
	    "HS256", TEST_SECRET_32, NULL, TOKEN_INVALID },
	/*
	 * Genuine, and the payload's sub and role fit: who that is, and
	 * with which role, is the users file's to say (check_handlers.c).
	 */
	{ "sub of 64 bytes", H256, P_SUB("\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""), "HS256", TEST_SECRET_32, NULL,
	    TOKEN_OK },
	{ "sub a path: a name, never opened", H256,
	    P_SUB("\"../../etc/passwd\""), "HS256", TEST_SECRET_32, NULL,
	    TOKEN_OK },
	{ "sub not ASCII", H256, P_SUB("\"\\u00e5lice\""), "HS256",
	    TEST_SECRET_32, NULL, TOKEN_OK },
	{ "role of 32 bytes", H256,
	    P_ROLE("\"rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr\""), "HS256",
	    TEST_SECRET_32, NULL, TOKEN_OK },
	/* As in the reference app, an expired token is "expired" first. */
	{ "sub missing and expired", H256, "{\"role\":\"r\",\"exp\":1}",
	    "HS256", TEST_SECRET_32, NULL, TOKEN_INVALID },
};

START_TEST(test_signed)
{
	struct token_claims	 c;
	enum token_result	 r;
	const char		*tok;

	tok = test_forge(signed_cases[_i].header, signed_cases[_i].payload,
	    signed_cases[_i].md, signed_cases[_i].key, signed_cases[_i].sig);
	r = token_verify(&cfg, tok, strlen(tok), TS_CONST, &c);
	ck_assert_msg(r == signed_cases[_i].want, "%s: got %s, want %s",
	    signed_cases[_i].name, result_name(r),
	    result_name(signed_cases[_i].want));
}
END_TEST

/*
 * aud and iss, under a configuration with JWT_AUDIENCE and JWT_ISSUER set
 * or not (NULL): each token signed with the right key, valid in all else.
 */
#define AUD	"api.example"
#define ISS	"https://issuer.example"
#define CLAIMS(extra)	"{\"sub\":\"alice\",\"role\":\"admin\",\"exp\":" \
			SOON extra "}"

static const struct {
	const char		*name;
	const char		*audience, *issuer;	/* NULL: unset */
	const char		*payload;
	enum token_result	 want;
} claim_cases[] = {
	/* No audience configured: a token for any audience is refused. */
	{ "no aud", NULL, NULL, CLAIMS(""), TOKEN_OK },
	{ "aud another service", NULL, NULL,
	    CLAIMS(",\"aud\":\"other-service\""), TOKEN_INVALID },
	{ "aud an array", NULL, NULL, CLAIMS(",\"aud\":[\"other-service\"]"),
	    TOKEN_INVALID },
	{ "aud empty string", NULL, NULL, CLAIMS(",\"aud\":\"\""),
	    TOKEN_INVALID },
	{ "aud empty array", NULL, NULL, CLAIMS(",\"aud\":[]"),
	    TOKEN_INVALID },
	{ "aud null", NULL, NULL, CLAIMS(",\"aud\":null"), TOKEN_INVALID },
	{ "aud a number", NULL, NULL, CLAIMS(",\"aud\":7"), TOKEN_INVALID },
	{ "aud and no sub: invalid before the payload", NULL, NULL,
	    "{\"role\":\"admin\",\"exp\":" SOON ",\"aud\":\"x\"}",
	    TOKEN_INVALID },
	{ "aud refused when only an issuer is set", NULL, ISS,
	    CLAIMS(",\"iss\":\"" ISS "\",\"aud\":\"" AUD "\""),
	    TOKEN_INVALID },

	/* An audience configured: required, and it must be ours. */
	{ "aud ours", AUD, NULL, CLAIMS(",\"aud\":\"" AUD "\""), TOKEN_OK },
	{ "aud an array holding ours", AUD, NULL,
	    CLAIMS(",\"aud\":[\"other\",\"" AUD "\"]"), TOKEN_OK },
	{ "aud ours, escaped", AUD, NULL,
	    CLAIMS(",\"aud\":\"\\u0061pi.example\""), TOKEN_OK },
	{ "aud missing", AUD, NULL, CLAIMS(""), TOKEN_INVALID },
	{ "aud another service", AUD, NULL, CLAIMS(",\"aud\":\"other\""),
	    TOKEN_INVALID },
	{ "aud ours in another case", AUD, NULL,
	    CLAIMS(",\"aud\":\"API.example\""), TOKEN_INVALID },
	{ "aud ours and a space", AUD, NULL,
	    CLAIMS(",\"aud\":\"" AUD " \""), TOKEN_INVALID },
	{ "aud a prefix of ours", AUD, NULL, CLAIMS(",\"aud\":\"api\""),
	    TOKEN_INVALID },
	{ "aud ours then a NUL", AUD, NULL,
	    CLAIMS(",\"aud\":\"" AUD "\\u0000\""), TOKEN_INVALID },
	{ "aud an array without ours", AUD, NULL,
	    CLAIMS(",\"aud\":[\"a\",\"b\"]"), TOKEN_INVALID },
	{ "aud an empty array", AUD, NULL, CLAIMS(",\"aud\":[]"),
	    TOKEN_INVALID },
	{ "aud an array with a number", AUD, NULL,
	    CLAIMS(",\"aud\":[\"" AUD "\",1]"), TOKEN_INVALID },
	{ "aud an array with null", AUD, NULL,
	    CLAIMS(",\"aud\":[null,\"" AUD "\"]"), TOKEN_INVALID },
	{ "aud an array in an array", AUD, NULL,
	    CLAIMS(",\"aud\":[[\"" AUD "\"]]"), TOKEN_INVALID },
	{ "aud an object", AUD, NULL, CLAIMS(",\"aud\":{\"" AUD "\":1}"),
	    TOKEN_INVALID },
	{ "aud a number", AUD, NULL, CLAIMS(",\"aud\":1"), TOKEN_INVALID },
	{ "aud true", AUD, NULL, CLAIMS(",\"aud\":true"), TOKEN_INVALID },
	{ "aud null", AUD, NULL, CLAIMS(",\"aud\":null"), TOKEN_INVALID },
	{ "duplicate aud: the last, another, counts", AUD, NULL,
	    CLAIMS(",\"aud\":\"" AUD "\",\"aud\":\"other\""),
	    TOKEN_INVALID },

	/* No issuer configured: iss is not looked at (python-jose, PyJWT). */
	{ "iss any, none configured", NULL, NULL,
	    CLAIMS(",\"iss\":\"https://elsewhere.example\""), TOKEN_OK },
	{ "iss a number, none configured", NULL, NULL, CLAIMS(",\"iss\":7"),
	    TOKEN_OK },

	/* An issuer configured: exactly it. */
	{ "iss ours", NULL, ISS, CLAIMS(",\"iss\":\"" ISS "\""), TOKEN_OK },
	{ "iss missing", NULL, ISS, CLAIMS(""), TOKEN_INVALID },
	{ "iss another", NULL, ISS,
	    CLAIMS(",\"iss\":\"https://elsewhere.example\""),
	    TOKEN_INVALID },
	{ "iss ours with a slash", NULL, ISS, CLAIMS(",\"iss\":\"" ISS "/\""),
	    TOKEN_INVALID },
	{ "iss ours in another case", NULL, ISS,
	    CLAIMS(",\"iss\":\"HTTPS://issuer.example\""), TOKEN_INVALID },
	{ "iss empty", NULL, ISS, CLAIMS(",\"iss\":\"\""), TOKEN_INVALID },
	{ "iss in an array", NULL, ISS, CLAIMS(",\"iss\":[\"" ISS "\"]"),
	    TOKEN_INVALID },
	{ "iss null", NULL, ISS, CLAIMS(",\"iss\":null"), TOKEN_INVALID },
	{ "iss a number", NULL, ISS, CLAIMS(",\"iss\":1"), TOKEN_INVALID },

	/* Both configured: both must hold. */
	{ "aud and iss ours", AUD, ISS,
	    CLAIMS(",\"iss\":\"" ISS "\",\"aud\":\"" AUD "\""), TOKEN_OK },
	{ "aud ours, iss another", AUD, ISS,
	    CLAIMS(",\"iss\":\"x\",\"aud\":\"" AUD "\""), TOKEN_INVALID },
	{ "iss ours, aud another", AUD, ISS,
	    CLAIMS(",\"iss\":\"" ISS "\",\"aud\":\"x\""), TOKEN_INVALID },
	{ "iss ours, no aud", AUD, ISS, CLAIMS(",\"iss\":\"" ISS "\""),
	    TOKEN_INVALID },
	{ "aud ours, no iss", AUD, ISS, CLAIMS(",\"aud\":\"" AUD "\""),
	    TOKEN_INVALID },
	/* Still "expired" first, as in the reference app. */
	{ "aud ours, expired", AUD, NULL,
	    "{\"sub\":\"a\",\"role\":\"r\",\"exp\":1,\"aud\":\"" AUD "\"}",
	    TOKEN_INVALID },
};

/* Set cfg's audience and issuer as a case says. */
static void
set_claim_cfg(const char *audience, const char *issuer)
{
	(void)snprintf(cfg.audience, sizeof(cfg.audience), "%s",
	    audience != NULL ? audience : "");
	(void)snprintf(cfg.issuer, sizeof(cfg.issuer), "%s",
	    issuer != NULL ? issuer : "");
}

START_TEST(test_claims)
{
	struct token_claims	 c;
	enum token_result	 r;
	const char		*tok;

	set_claim_cfg(claim_cases[_i].audience, claim_cases[_i].issuer);
	tok = test_forge(H256, claim_cases[_i].payload, "HS256",
	    TEST_SECRET_32, NULL);
	r = token_verify(&cfg, tok, strlen(tok), TS_CONST, &c);
	ck_assert_msg(r == claim_cases[_i].want, "%s: got %s, want %s",
	    claim_cases[_i].name, result_name(r),
	    result_name(claim_cases[_i].want));
	if (r == TOKEN_OK) {
		/* The claims say what was configured, and so matched. */
		ck_assert_str_eq(c.aud, cfg.audience);
		ck_assert_str_eq(c.iss, cfg.issuer);
	}
}
END_TEST

/* The shape, checked before any decoding. */
static const struct {
	const char	*name;
	const char	*token;
} shape_cases[] = {
	{ "empty", "" },
	{ "one part", "abc" },
	{ "two parts", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0" },
	{ "four parts", "a.b.c.d" },
	{ "empty header", ".eyJzdWIiOiJhIn0.c2ln" },
	{ "empty payload", "eyJhbGciOiJIUzI1NiJ9..c2ln" },
	{ "empty signature", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0." },
	{ "only dots", ".." },
	{ "a space", "eyJhbGciOiJIUzI1NiJ9 .eyJzdWIiOiJhIn0.c2ln" },
	{ "base64 plus", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2+n" },
	{ "base64 slash", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2/n" },
	{ "padding", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln==" },
	{ "quote", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.\"" },
	{ "newline", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln\n" },
	{ "high byte", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.\xc3\xa9" },
};

START_TEST(test_shape)
{
	struct token_claims	 c;
	const char		*t = shape_cases[_i].token;

	ck_assert_msg(token_verify(&cfg, t, strlen(t), TS_CONST, &c) ==
	    TOKEN_INVALID, "%s: accepted", shape_cases[_i].name);
}
END_TEST

/* Valid tokens, changed one way after signing. */
START_TEST(test_tampered)
{
	struct token_claims	 c;
	char			 tok[4096], other[4096];
	char			*dot1, *dot2;
	size_t			 len;

	(void)snprintf(tok, sizeof(tok), "%s",
	    test_forge(H256, GOOD, "HS256", TEST_SECRET_32, NULL));
	len = strlen(tok);
	ck_assert_int_eq(token_verify(&cfg, tok, len, TS_CONST, &c), TOKEN_OK);

	/* One payload character changed ('d' -> 'e' keeps base64url). */
	dot1 = strchr(tok, '.');
	dot1[5] = dot1[5] == 'e' ? 'f' : 'e';
	ck_assert_int_eq(token_verify(&cfg, tok, len, TS_CONST, &c),
	    TOKEN_INVALID);
	dot1[5] = dot1[5] == 'e' ? 'f' : 'e';	/* undo (both ways) */
	(void)snprintf(tok, sizeof(tok), "%s",
	    test_forge(H256, GOOD, "HS256", TEST_SECRET_32, NULL));

	/* The signature truncated by one character, and by one byte. */
	ck_assert_int_eq(token_verify(&cfg, tok, len - 1, TS_CONST, &c),
	    TOKEN_INVALID);
	ck_assert_int_eq(token_verify(&cfg, tok, len - 2, TS_CONST, &c),
	    TOKEN_INVALID);

	/* The right signature over a different header. */
	(void)snprintf(other, sizeof(other), "%s",
	    test_forge("{\"alg\":\"HS256\"}", GOOD, "HS256", TEST_SECRET_32,
	    NULL));
	dot2 = strrchr(other, '.');
	(void)snprintf(strrchr(tok, '.'), sizeof(tok) - (size_t)(strrchr(tok,
	    '.') - tok), "%s", dot2);
	ck_assert_int_eq(token_verify(&cfg, tok, strlen(tok), TS_CONST, &c),
	    TOKEN_INVALID);
}
END_TEST

/*
 * The verdict on a token, from the verifier and from a cache of verified
 * tokens alike (a request goes through the cache); claims filled on
 * TOKEN_OK.
 */
static enum token_result
verdict(const char *tok, size_t len, struct token_claims *c)
{
	struct token_cache	*cache;
	struct token_claims	 cached;
	enum token_result	 r;

	r = token_verify(&cfg, tok, len, TS_CONST, c);
	ck_assert_ptr_nonnull(cache = token_cache_new(&cfg));
	ck_assert_msg(token_cache_verify(cache, tok, len, TS_CONST, &cached) ==
	    r, "the cache's verdict is not %s", result_name(r));
	token_cache_free(cache);
	return r;
}

/*
 * Duplicate keys: json-c (ours) and jansson (libjwt's) both keep the
 * last one, however spelled, so the two parsers agree and the last one
 * counts.  sub is whose token it then is; NULL: refused.
 */
static const struct {
	const char	*name;
	const char	*header, *payload;
	const char	*sub;
} dup_cases[] = {
	{ "duplicate alg, none then HS256: the last, HS256, counts",
	    "{\"alg\":\"none\",\"alg\":\"HS256\"}", GOOD, "alice" },
	{ "duplicate alg, the second spelled \\u0061lg: none counts",
	    "{\"alg\":\"HS256\",\"\\u0061lg\":\"none\"}", GOOD, NULL },
	{ "duplicate sub, mallory then alice: alice", H256,
	    "{\"sub\":\"mallory\",\"role\":\"admin\",\"exp\":" LATER
	    ",\"sub\":\"alice\"}", "alice" },
	{ "duplicate sub, alice then mallory: mallory", H256,
	    "{\"sub\":\"alice\",\"role\":\"admin\",\"exp\":" LATER
	    ",\"sub\":\"mallory\"}", "mallory" },
	{ "duplicate sub, the second spelled s\\u0075b: it counts", H256,
	    "{\"sub\":\"mallory\",\"role\":\"admin\",\"exp\":" LATER
	    ",\"s\\u0075b\":\"alice\"}", "alice" },
	{ "duplicate exp, past then future: the future one", H256,
	    "{\"sub\":\"alice\",\"role\":\"admin\",\"exp\":1699999999,"
	    "\"exp\":" LATER "}", "alice" },
	{ "duplicate exp, future then past: the past one", H256,
	    "{\"sub\":\"alice\",\"role\":\"admin\",\"exp\":" LATER
	    ",\"exp\":1699999999}", NULL },
};

START_TEST(test_duplicate_keys)
{
	struct token_claims	 c;
	enum token_result	 r, want;
	const char		*tok;

	want = dup_cases[_i].sub != NULL ? TOKEN_OK : TOKEN_INVALID;
	tok = test_forge(dup_cases[_i].header, dup_cases[_i].payload,
	    "HS256", TEST_SECRET_32, NULL);
	r = verdict(tok, strlen(tok), &c);
	ck_assert_msg(r == want, "%s: got %s, want %s", dup_cases[_i].name,
	    result_name(r), result_name(want));
	if (r == TOKEN_OK)
		ck_assert_msg(strcmp(c.sub, dup_cases[_i].sub) == 0,
		    "%s: sub \"%s\"", dup_cases[_i].name, c.sub);
}
END_TEST

/*
 * A genuine token for GOOD (or an unsigned one: md NULL), then changed
 * one way: each is refused.  The last four are what a Bearer header with
 * more than the token in it hands the verifier (check_http.c).
 */
enum mangle {
	M_NO_SIG,	/* "h.p." */
	M_TWO_PARTS,	/* "h.p" */
	M_FOUR_PARTS,	/* "h.p.s.s" */
	M_SIG_PLUS,	/* a '+' (base64, not base64url) in the signature */
	M_SIG_FLIP,	/* one signature character changed */
	M_APPEND,	/* extra after the token */
	M_PREPEND,	/* extra before it */
};

static const struct {
	const char	*name;
	const char	*header, *md;
	enum mangle	 mangle;
	const char	*extra;
} mangle_cases[] = {
	{ "alg none, no signature, two parts", "{\"alg\":\"none\"}", NULL,
	    M_TWO_PARTS, NULL },
	{ "empty signature", H256, "HS256", M_NO_SIG, NULL },
	{ "two parts", H256, "HS256", M_TWO_PARTS, NULL },
	{ "four parts", H256, "HS256", M_FOUR_PARTS, NULL },
	{ "trailing dot", H256, "HS256", M_APPEND, "." },
	{ "padded signature (=)", H256, "HS256", M_APPEND, "=" },
	{ "signature not base64url (+)", H256, "HS256", M_SIG_PLUS, NULL },
	{ "one signature character changed", H256, "HS256", M_SIG_FLIP,
	    NULL },
	{ "a space before (Bearer and two spaces)", H256, "HS256", M_PREPEND,
	    " " },
	{ "a space after", H256, "HS256", M_APPEND, " " },
	{ "a comma after", H256, "HS256", M_APPEND, "," },
	{ "a second credential after", H256, "HS256", M_APPEND, " Bearer x" },
};

START_TEST(test_mangled)
{
	struct token_claims	 c;
	char			 tok[4096];
	char			*s;
	const char		*extra = mangle_cases[_i].extra;
	size_t			 len, n;
	enum token_result	 r;

	(void)snprintf(tok, sizeof(tok), "%s", test_forge(
	    mangle_cases[_i].header, GOOD, mangle_cases[_i].md,
	    mangle_cases[_i].md != NULL ? TEST_SECRET_32 : NULL, ""));
	len = strlen(tok);
	/* Unchanged, a signed one is good: the change is what is refused. */
	if (mangle_cases[_i].md != NULL)
		ck_assert_int_eq(verdict(tok, len, &c), TOKEN_OK);
	s = strrchr(tok, '.') + 1;	/* the signature */
	n = strlen(s);
	ck_assert(len + n + 16 < sizeof(tok));
	switch (mangle_cases[_i].mangle) {
	case M_NO_SIG:
		*s = '\0';
		break;
	case M_TWO_PARTS:
		s[-1] = '\0';
		break;
	case M_FOUR_PARTS:
		tok[len] = '.';
		memcpy(tok + len + 1, s, n);
		tok[len + 1 + n] = '\0';
		break;
	case M_SIG_PLUS:
		s[0] = '+';
		break;
	case M_SIG_FLIP:
		s[0] = s[0] == 'A' ? 'B' : 'A';
		break;
	case M_APPEND:
		(void)snprintf(tok + len, sizeof(tok) - len, "%s", extra);
		break;
	case M_PREPEND:
		memmove(tok + strlen(extra), tok, len + 1);
		memcpy(tok, extra, strlen(extra));
		break;
	}
	r = verdict(tok, strlen(tok), &c);
	ck_assert_msg(r == TOKEN_INVALID, "%s: got %s (token %s)",
	    mangle_cases[_i].name, result_name(r), tok);
}
END_TEST

/*
 * Genuinely signed tokens of a given length, padded with a claim.  Up to
 * TOKEN_MAX_BYTES they verify; beyond, they are refused before any
 * decoding (libjwt 1.10 allocas a token's length on the stack).  In
 * production lighttpd refuses headers over 8 KiB (431) first.
 */
static const struct {
	const char		*name;
	size_t			 len;
	enum token_result	 want;
} size_cases[] = {
	{ "TOKEN_MAX_BYTES", TOKEN_MAX_BYTES, TOKEN_OK },
	{ "TOKEN_MAX_BYTES + 1", TOKEN_MAX_BYTES + 1, TOKEN_INVALID },
	{ "100 KiB", 100 * 1024, TOKEN_INVALID },
	{ "1 MiB", 1024 * 1024, TOKEN_INVALID },
};

/* A genuine token of exactly len characters; the caller frees it. */
static char *
mint_sized(size_t len)
{
	char	*payload, *t, kid[4] = "";
	size_t	 pad, k, n, fixed = 200;

	/* Base64 makes 4 characters of 3 bytes; tune kid for the rest. */
	ck_assert((payload = malloc(len + fixed)) != NULL);
	for (k = 0; k < 3; k++) {
		char	 header[64];

		/* A kid is 1 to KEYS_KID_MAX bytes: 1 to 3 here. */
		memset(kid, 'k', k + 1);
		kid[k + 1] = '\0';
		(void)snprintf(header, sizeof(header),
		    "{\"alg\":\"HS256\",\"kid\":\"%s\"}", kid);
		for (pad = len / 4 * 3 > fixed ? len / 4 * 3 - fixed : 0;
		    pad < len / 4 * 3; pad++) {
			(void)snprintf(payload, len + fixed,
			    "{\"sub\":\"alice\",\"role\":\"admin\",\"exp\":"
			    LATER ",\"pad\":\"%*s\"}", (int)pad, "");
			t = forge_token_str(header, payload, "HS256",
			    TEST_SECRET_32, strlen(TEST_SECRET_32));
			ck_assert_ptr_nonnull(t);
			n = strlen(t);
			if (n == len) {
				free(payload);
				return t;
			}
			free(t);
			if (n > len + 4)
				break;
		}
	}
	ck_abort_msg("no token of %zu characters", len);
	return NULL;
}

START_TEST(test_size)
{
	struct token_claims	 c;
	enum token_result	 r;
	char			*t;

	t = mint_sized(size_cases[_i].len);
	r = verdict(t, strlen(t), &c);
	ck_assert_msg(r == size_cases[_i].want, "%s: got %s",
	    size_cases[_i].name, result_name(r));
	free(t);
}
END_TEST

/* Read syscalls made so far by this process (Linux /proc/self/io), or -1. */
static long long
read_syscalls(void)
{
	char		 buf[1024], *p;
	ssize_t		 n;
	int		 fd;

	if ((fd = open("/proc/self/io", O_RDONLY)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if ((p = strstr(buf, "syscr: ")) == NULL)
		return -1;
	return strtoll(p + 7, NULL, 10);
}

/*
 * kid, jku and x5u are never used: with kid naming a FIFO (opening it
 * to read would block until the test times out) and jku and x5u a
 * listening socket of ours, a token verifies as usual, nothing connects
 * to the socket and no read syscall is made while it is verified.
 */
START_TEST(test_key_headers_not_fetched)
{
	struct sockaddr_in	 sin;
	struct token_claims	 claims;
	struct pollfd		 pfd;
	socklen_t		 slen = sizeof(sin);
	long long		 r0 = -1, r1, r2, r3, extra;
	char			 fifo[512], header[1024], *t;
	const char		*pre;
	int			 s, try = 0;

	(void)snprintf(fifo, sizeof(fifo), "%s", test_path("kid-fifo"));
	(void)unlink(fifo);
	ck_assert_msg(mkfifo(fifo, 0600) == 0, "mkfifo: %s", strerror(errno));
	ck_assert((s = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert(bind(s, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	ck_assert(listen(s, 8) == 0);
	ck_assert(getsockname(s, (struct sockaddr *)&sin, &slen) == 0);
	(void)snprintf(header, sizeof(header), "{\"alg\":\"HS256\","
	    "\"kid\":\"%s\",\"jku\":\"http://127.0.0.1:%d/jwks.json\","
	    "\"x5u\":\"http://127.0.0.1:%d/cert.pem\"}", fifo,
	    ntohs(sin.sin_port), ntohs(sin.sin_port));
	ck_assert_ptr_nonnull(t = strdup(test_forge(header, GOOD, "HS256",
	    TEST_SECRET_32, NULL)));

	/* Once to warm up (libcrypto may read its config on first use)... */
	ck_assert(token_verify(&cfg, t, strlen(t), TS_CONST, &claims) ==
	    TOKEN_OK);
	/*
	 * ...then count the reads of a measurement alone, and of one with a
	 * verification inside.  A fetch would read on every verification
	 * (nothing is cached), so one clean try of three is proof enough.
	 * Under valgrind, whose scheduler reads a pipe in our process as
	 * time passes, the count means nothing and is skipped.
	 */
	pre = getenv("LD_PRELOAD");
	if (pre != NULL && strstr(pre, "vgpreload") != NULL)
		try = 3;
	for (extra = -1; try < 3 && extra != 0; try++) {
		r0 = read_syscalls();
		r1 = read_syscalls();
		r2 = read_syscalls();
		ck_assert(token_verify(&cfg, t, strlen(t), TS_CONST,
		    &claims) == TOKEN_OK);
		r3 = read_syscalls();
		if (r0 == -1)
			break;		/* no /proc/self/io: the rest stands */
		extra = (r3 - r2) - (r1 - r0);
	}
	if (r0 != -1)
		ck_assert_msg(extra == 0, "%lld read syscalls while verifying "
		    "a token with kid/jku/x5u", extra);

	/* Through a cache, as a request goes: good, and nothing fetched. */
	ck_assert_int_eq(verdict(t, strlen(t), &claims), TOKEN_OK);
	pfd.fd = s;
	pfd.events = POLLIN;
	ck_assert_msg(poll(&pfd, 1, 0) == 0, "something connected to the jku "
	    "URL");
	free(t);
	(void)close(s);
	(void)unlink(fifo);
}
END_TEST

/*
 * Never verify with an empty key, whatever the token was signed with: a
 * configuration without a key set verifies nothing, and mints nothing.
 */
START_TEST(test_empty_key_config)
{
	struct cfg		 empty;
	struct token_claims	 c;
	const char		*tok;
	char			*out = NULL;
	char			 err[256];

	memset(&empty, 0, sizeof(empty));
	empty.ttl_min = 30;
	tok = test_forge(H256, GOOD, "HS256", "", NULL);
	ck_assert_int_eq(token_verify(&empty, tok, strlen(tok), TS_CONST, &c),
	    TOKEN_INVALID);
	ck_assert_ptr_null(keys_new_hs(KEYS_HS256, "", 0, err, sizeof(err)));
	ck_assert_int_eq(token_claims_init(&c, "alice", "admin", 0), 0);
	ck_assert_int_eq(token_mint(&empty, &c, TS_CONST, &out), -1);
	ck_assert_ptr_null(out);
}
END_TEST

static const struct {
	const char	*alg;
	const char	*secret;
} mint_cases[] = {
	{ "HS256", TEST_SECRET_32 },
	{ "HS384", TEST_SECRET_48 },
	{ "HS512", TEST_SECRET_64 },
};

START_TEST(test_mint)
{
	struct cfg		 m;
	struct token_claims	 minted, c;
	enum keys_alg		 alg = keys_alg_from_name(mint_cases[_i].alg);
	char			*tok = NULL;

	memset(&m, 0, sizeof(m));
	m.keys = test_keys(alg, mint_cases[_i].secret);
	m.ttl_min = 15;

	ck_assert_int_eq(token_claims_init(&minted, "alice", "admin", 4), 0);
	ck_assert_int_eq(token_mint(&m, &minted, TS_CONST, &tok), 0);
	ck_assert_int_eq(token_verify(&m, tok, strlen(tok), TS_CONST + 1, &c),
	    TOKEN_OK);
	ck_assert_str_eq(c.sub, "alice");
	ck_assert_str_eq(c.role, "admin");
	ck_assert_int_eq(c.iat, TS_CONST);
	ck_assert_int_eq(c.exp, TS_CONST + 15 * 60);
	ck_assert_int_eq(c.ver, 4);
	/* What token_mint says it minted is what the token says. */
	ck_assert(memcmp(&minted, &c, sizeof(c)) == 0);
	/* Expired at exp, not a second later. */
	ck_assert_int_eq(token_verify(&m, tok, strlen(tok), TS_CONST + 15 * 60,
	    &c), TOKEN_INVALID);
	/* Another algorithm's key set refuses it. */
	keys_free(m.keys);
	m.keys = alg == KEYS_HS256 ? test_keys(KEYS_HS512, TEST_SECRET_64) :
	    test_keys(KEYS_HS256, mint_cases[_i].secret);
	ck_assert_int_eq(token_verify(&m, tok, strlen(tok), TS_CONST + 1, &c),
	    TOKEN_INVALID);
	cfg_clear(&m);
	free(tok);
}
END_TEST

/*
 * Minted with an audience and an issuer: verified under the same
 * configuration, refused under any other (a service with another
 * audience, another issuer, or none configured).
 */
START_TEST(test_mint_aud_iss)
{
	static const struct {
		const char	*audience, *issuer;
		enum token_result want;
	} verifiers[] = {
		{ AUD, ISS, TOKEN_OK },
		{ NULL, NULL, TOKEN_INVALID },	/* aud refused */
		{ NULL, ISS, TOKEN_INVALID },
		{ AUD, NULL, TOKEN_OK },	/* iss then not looked at */
		{ "other", ISS, TOKEN_INVALID },
		{ AUD, "https://elsewhere.example", TOKEN_INVALID },
	};
	struct token_claims	 minted, c;
	enum token_result	 r;
	char			*tok = NULL;
	size_t			 i;

	set_claim_cfg(AUD, ISS);
	ck_assert_int_eq(token_claims_init(&minted, "alice", "admin", 2), 0);
	ck_assert_int_eq(token_mint(&cfg, &minted, TS_CONST, &tok), 0);
	ck_assert_str_eq(minted.aud, AUD);
	ck_assert_str_eq(minted.iss, ISS);
	for (i = 0; i < ARRAY_SIZE(verifiers); i++) {
		set_claim_cfg(verifiers[i].audience, verifiers[i].issuer);
		r = token_verify(&cfg, tok, strlen(tok), TS_CONST, &c);
		ck_assert_msg(r == verifiers[i].want, "verifier %zu: got %s",
		    i, result_name(r));
	}
	free(tok);

	/* Minted with neither: an issuer-checking service refuses it. */
	set_claim_cfg(NULL, NULL);
	ck_assert_int_eq(token_claims_init(&minted, "alice", "admin", 2), 0);
	ck_assert_int_eq(token_mint(&cfg, &minted, TS_CONST, &tok), 0);
	ck_assert_str_eq(minted.aud, "");
	ck_assert_str_eq(minted.iss, "");
	ck_assert_int_eq(token_verify(&cfg, tok, strlen(tok), TS_CONST, &c),
	    TOKEN_OK);
	set_claim_cfg(NULL, ISS);
	ck_assert_int_eq(token_verify(&cfg, tok, strlen(tok), TS_CONST, &c),
	    TOKEN_INVALID);
	free(tok);
}
END_TEST

/* The claims a minter may ask for: refused, never cut. */
static const struct {
	const char	*name;
	const char	*sub, *role;
	long		 ver;
	int		 ok;
} init_cases[] = {
	{ "alice", "alice", "admin", 0, 1 },
	{ "longest sub and role", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaa", "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr", TOKEN_VER_MAX,
	    1 },
	{ "sub of 65 bytes", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaa", "r", 0, 0 },
	{ "role of 33 bytes", "a", "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr", 0, 0 },
	{ "empty sub", "", "r", 0, 0 },
	{ "empty role", "a", "", 0, 0 },
	{ "negative ver", "a", "r", -1, 0 },
	{ "ver past the limit", "a", "r", TOKEN_VER_MAX + 1, 0 },
};

START_TEST(test_claims_init)
{
	struct token_claims	 c;
	char			*tok = NULL;

	ck_assert_msg((token_claims_init(&c, init_cases[_i].sub,
	    init_cases[_i].role, init_cases[_i].ver) == 0) == init_cases[_i].ok,
	    "%s", init_cases[_i].name);
	if (!init_cases[_i].ok)
		return;
	ck_assert_str_eq(c.sub, init_cases[_i].sub);
	ck_assert_str_eq(c.role, init_cases[_i].role);
	ck_assert_int_eq(c.ver, init_cases[_i].ver);
	/* Whatever may be asked for, the token verifies. */
	ck_assert_int_eq(token_mint(&cfg, &c, TS_CONST, &tok), 0);
	ck_assert_int_eq(token_verify(&cfg, tok, strlen(tok), TS_CONST, &c),
	    TOKEN_OK);
	ck_assert_str_eq(c.sub, init_cases[_i].sub);
	free(tok);
}
END_TEST

/* A token made by python-jose, as the reference app makes them. */
START_TEST(test_foreign)
{
	struct token_claims	 c;
	/* jose.jwt.encode({...}, TEST_SECRET_32, algorithm="HS256") */
	const char	*jose = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJi"
	    "b2IiLCJyb2xlIjoidXNlciIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAxODA"
	    "wfQ.MIQlYnTaRFbXhdkOFn-ynBZmwHVmsv69Mt6PFt5EUWA";

	ck_assert_int_eq(token_verify(&cfg, jose, strlen(jose), TS_CONST, &c),
	    TOKEN_OK);
	ck_assert_str_eq(c.sub, "bob");
	ck_assert_str_eq(c.role, "user");
	ck_assert_int_eq(c.ver, 0);
}
END_TEST

static const struct {
	const char	*in;
	long		 want;		/* length, or -1 */
	const char	*out;
} b64_cases[] = {
	{ "", 0, "" },
	{ "QQ", 1, "A" },
	{ "QUI", 2, "AB" },
	{ "QUJD", 3, "ABC" },
	{ "QUJDRA", 4, "ABCD" },
	{ "-_-_", 3, "\xfb\xff\xbf" },
	{ "Q", -1, NULL },
	{ "QR", -1, NULL },		/* non-zero trailing bits */
	{ "QUJ", -1, NULL },
	{ "QQ==", -1, NULL },
	{ "Q+==", -1, NULL },
	{ "Q/", -1, NULL },
	{ "Q Q", -1, NULL },
};

START_TEST(test_b64url)
{
	unsigned char	 out[64];
	long		 n;

	n = b64url_decode(b64_cases[_i].in, strlen(b64_cases[_i].in),
	    out, sizeof(out));
	ck_assert_msg(n == b64_cases[_i].want, "\"%s\": %ld",
	    b64_cases[_i].in, n);
	if (n > 0)
		ck_assert(memcmp(out, b64_cases[_i].out, (size_t)n) == 0);
}
END_TEST

START_TEST(test_b64url_bounds)
{
	unsigned char	 out[3];

	/* Refused when the output might not fit, before writing. */
	ck_assert_int_eq(b64url_decode("QUJDRA", 6, out, sizeof(out)),
	    -1);
	ck_assert_int_eq(b64url_decode("QUJD", 4, out, 3), -1);
	ck_assert_int_eq(b64url_decode("QUJD", 4, out, 0), -1);
}
END_TEST

/* Remembered or not, every signed case gets the same verdict, twice. */
START_TEST(test_cache_same_verdicts)
{
	struct token_cache	*cache;
	struct token_claims	 c1, c2;
	enum token_result	 want, r;
	const char		*tok;
	int			 round;

	ck_assert_ptr_nonnull(cache = token_cache_new(&cfg));
	tok = test_forge(signed_cases[_i].header, signed_cases[_i].payload,
	    signed_cases[_i].md, signed_cases[_i].key, signed_cases[_i].sig);
	want = token_verify(&cfg, tok, strlen(tok), TS_CONST, &c1);
	for (round = 0; round < 2; round++) {
		r = token_cache_verify(cache, tok, strlen(tok), TS_CONST, &c2);
		ck_assert_msg(r == want, "%s, round %d: got %s, want %s",
		    signed_cases[_i].name, round, result_name(r),
		    result_name(want));
		if (r == TOKEN_OK)
			ck_assert(memcmp(&c1, &c2, sizeof(c1)) == 0);
	}
	token_cache_free(cache);
}
END_TEST

/* The same for aud and iss: the cache answers as the verifier does. */
START_TEST(test_cache_claims)
{
	struct token_cache	*cache;
	struct token_claims	 c;
	enum token_result	 r;
	const char		*tok;
	int			 round;

	set_claim_cfg(claim_cases[_i].audience, claim_cases[_i].issuer);
	ck_assert_ptr_nonnull(cache = token_cache_new(&cfg));
	tok = test_forge(H256, claim_cases[_i].payload, "HS256",
	    TEST_SECRET_32, NULL);
	for (round = 0; round < 2; round++) {
		r = token_cache_verify(cache, tok, strlen(tok), TS_CONST, &c);
		ck_assert_msg(r == claim_cases[_i].want, "%s, round %d: got %s",
		    claim_cases[_i].name, round, result_name(r));
	}
	token_cache_free(cache);
}
END_TEST

/* A remembered token ages as a fresh one: exp, nbf and a clock step. */
START_TEST(test_cache_times)
{
	struct token_cache	*cache;
	struct token_claims	 c;
	char			 tok[4096];
	size_t			 len;

	ck_assert_ptr_nonnull(cache = token_cache_new(&cfg));
	(void)snprintf(tok, sizeof(tok), "%s", test_forge(H256,
	    "{\"sub\":\"a\",\"role\":\"r\",\"nbf\":1700000010,"
	    "\"exp\":1700000060}", "HS256", TEST_SECRET_32, NULL));
	len = strlen(tok);
	/* Not yet valid: not remembered either. */
	ck_assert_int_eq(token_cache_verify(cache, tok, len, TS_CONST, &c),
	    TOKEN_INVALID);
	ck_assert_int_eq(token_cache_verify(cache, tok, len, TS_CONST + 10,
	    &c), TOKEN_OK);
	ck_assert_int_eq(c.nbf, TS_CONST + 10);
	/* Remembered now; a clock stepped back still meets nbf. */
	ck_assert_int_eq(token_cache_verify(cache, tok, len, TS_CONST + 9, &c),
	    TOKEN_INVALID);
	ck_assert_int_eq(token_cache_verify(cache, tok, len, TS_CONST + 59,
	    &c), TOKEN_OK);
	ck_assert_int_eq(token_cache_verify(cache, tok, len, TS_CONST + 60,
	    &c), TOKEN_INVALID);
	ck_assert_int_eq(token_cache_verify(cache, tok, len, TS_CONST + 3600,
	    &c), TOKEN_INVALID);
	token_cache_free(cache);
}
END_TEST

/* Only the exact bytes match: a tampered copy is verified, and fails. */
START_TEST(test_cache_exact)
{
	struct token_cache	*cache;
	struct token_claims	 c;
	char			 tok[4096], *big;
	size_t			 len, i;
	char			 payload[2048];
	int			 n;

	ck_assert_ptr_nonnull(cache = token_cache_new(&cfg));
	(void)snprintf(tok, sizeof(tok), "%s", test_forge(H256, GOOD, "HS256",
	    TEST_SECRET_32, NULL));
	len = strlen(tok);
	ck_assert_int_eq(token_cache_verify(cache, tok, len, TS_CONST, &c),
	    TOKEN_OK);
	/* Every single-character change of the signature and the payload. */
	for (i = 0; i < len; i++) {
		if (tok[i] == '.')
			continue;
		tok[i] = tok[i] == 'A' ? 'B' : 'A';
		ck_assert_msg(token_cache_verify(cache, tok, len, TS_CONST, &c)
		    != TOKEN_OK, "byte %zu changed, still accepted", i);
		tok[i] = test_forge(H256, GOOD, "HS256", TEST_SECRET_32,
		    NULL)[i];
	}
	ck_assert_int_eq(token_cache_verify(cache, tok, len, TS_CONST, &c),
	    TOKEN_OK);
	ck_assert_int_ne(token_cache_verify(cache, tok, len - 1, TS_CONST, &c),
	    TOKEN_OK);

	/* Longer than the cache keeps: verified every time, still right. */
	n = snprintf(payload, sizeof(payload), "{\"sub\":\"a\",\"role\":"
	    "\"r\",\"exp\":" SOON ",\"pad\":\"%0*d\"}", 1200, 0);
	ck_assert_int_lt(n, (int)sizeof(payload));
	big = strdup(test_forge(H256, payload, "HS256", TEST_SECRET_32, NULL));
	ck_assert_ptr_nonnull(big);
	ck_assert_uint_gt(strlen(big), TOKEN_CACHE_MAX_BYTES);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(token_cache_verify(cache, big, strlen(big),
		    TS_CONST, &c), TOKEN_OK);
	free(big);
	token_cache_free(cache);
	token_cache_free(NULL);
}
END_TEST

/* Many tokens through few slots: each verdict right, whatever evicts. */
START_TEST(test_cache_many)
{
	struct token_cache	*cache;
	struct token_claims	 c;
	char			 payload[256], sub[32];
	char			*toks[TOKEN_CACHE_SLOTS * 2];
	size_t			 i, round;

	ck_assert_ptr_nonnull(cache = token_cache_new(&cfg));
	for (i = 0; i < ARRAY_SIZE(toks); i++) {
		(void)snprintf(payload, sizeof(payload), "{\"sub\":\"u%zu\","
		    "\"role\":\"r\",\"exp\":" SOON "}", i);
		toks[i] = strdup(test_forge(H256, payload, "HS256",
		    TEST_SECRET_32, NULL));
		ck_assert_ptr_nonnull(toks[i]);
	}
	for (round = 0; round < 3; round++)
		for (i = 0; i < ARRAY_SIZE(toks); i++) {
			ck_assert_int_eq(token_cache_verify(cache, toks[i],
			    strlen(toks[i]), TS_CONST, &c), TOKEN_OK);
			(void)snprintf(sub, sizeof(sub), "u%zu", i);
			ck_assert_str_eq(c.sub, sub);
		}
	for (i = 0; i < ARRAY_SIZE(toks); i++)
		free(toks[i]);
	token_cache_free(cache);
}
END_TEST

/*
 * The scope claim (RFC 9068 2.2.3): a string of RFC 6749 scope-tokens
 * separated by single spaces, at most 64 of them in 2048 bytes; anything
 * else makes the token "Invalid or expired".  value is the JSON as
 * signed; "%64" and the like are built below (n scopes, or n bytes).
 */
static const struct {
	const char		*name;
	const char		*value;
	enum token_result	 want;
	const char		*scope;		/* what claims.scope gets */
} scope_cases[] = {
	{ "one", "\"reports:read\"", TOKEN_OK, "reports:read" },
	{ "two", "\"a b\"", TOKEN_OK, "a b" },
	{ "every scope-token byte", "\"!#[]~\"", TOKEN_OK, "!#[]~" },
	{ "the same twice", "\"a a\"", TOKEN_OK, "a a" },
	{ "64 scopes", "%64 scopes", TOKEN_OK, NULL },
	{ "65 scopes", "%65 scopes", TOKEN_INVALID, NULL },
	{ "2048 bytes", "%2048 bytes", TOKEN_OK, NULL },
	{ "2049 bytes", "%2049 bytes", TOKEN_INVALID, NULL },
	{ "empty", "\"\"", TOKEN_INVALID, NULL },
	{ "leading space", "\" a\"", TOKEN_INVALID, NULL },
	{ "trailing space", "\"a \"", TOKEN_INVALID, NULL },
	{ "two spaces", "\"a  b\"", TOKEN_INVALID, NULL },
	{ "a tab", "\"a\\tb\"", TOKEN_INVALID, NULL },
	{ "a quote", "\"a\\\"b\"", TOKEN_INVALID, NULL },
	{ "a backslash", "\"a\\\\b\"", TOKEN_INVALID, NULL },
	{ "a NUL", "\"a\\u0000b\"", TOKEN_INVALID, NULL },
	{ "non-ASCII", "\"caf\\u00e9\"", TOKEN_INVALID, NULL },
	{ "DEL", "\"a\\u007f\"", TOKEN_INVALID, NULL },
	{ "a number", "1", TOKEN_INVALID, NULL },
	{ "null", "null", TOKEN_INVALID, NULL },
	{ "an array (RFC 8693's scp style)", "[\"a\"]", TOKEN_INVALID, NULL },
	{ "an object", "{}", TOKEN_INVALID, NULL },
	{ "true", "true", TOKEN_INVALID, NULL },
};

START_TEST(test_scope_claim)
{
	struct token_claims	 c;
	enum token_result	 r;
	char			 value[4200], payload[4400], want[4200];
	const char		*tok, *v = scope_cases[_i].value;
	size_t			 n, i, o = 0;

	if (v[0] == '%') {
		n = (size_t)strtoul(v + 1, NULL, 10);
		want[o++] = '"';
		if (strstr(v, "scopes") != NULL)
			for (i = 0; i < n; i++)
				o += (size_t)snprintf(want + o,
				    sizeof(want) - o, "%s%zu", i > 0 ? " " :
				    "", i % 10);
		else {
			/* n bytes: "s" and spaces, ending in a scope. */
			for (i = 0; i < n; i++)
				want[o++] = (i % 64 == 63 && i + 1 < n) ?
				    ' ' : 's';
		}
		want[o++] = '"';
		want[o] = '\0';
		v = want;
	}
	(void)snprintf(value, sizeof(value), "%s", v);
	(void)snprintf(payload, sizeof(payload), "{\"sub\":\"alice\","
	    "\"role\":\"admin\",\"exp\":" LATER ",\"scope\":%s}", value);
	tok = test_forge(H256, payload, "HS256", TEST_SECRET_32, NULL);
	r = token_verify(&cfg, tok, strlen(tok), TS_CONST, &c);
	ck_assert_msg(r == scope_cases[_i].want, "%s: got %s",
	    scope_cases[_i].name, result_name(r));
	if (r != TOKEN_OK)
		return;
	if (scope_cases[_i].scope != NULL)
		ck_assert_str_eq(c.scope, scope_cases[_i].scope);
	else {
		/* The JSON string, quotes off. */
		ck_assert_uint_eq(strlen(c.scope), strlen(value) - 2);
		ck_assert(strncmp(c.scope, value + 1, strlen(c.scope)) == 0);
	}
}
END_TEST

/* No scope claim: none.  Two: the last, as for every claim. */
START_TEST(test_scope_absent_or_twice)
{
	struct token_claims	 c;
	const char		*tok;

	tok = test_forge(H256, GOOD, "HS256", TEST_SECRET_32, NULL);
	ck_assert_int_eq(token_verify(&cfg, tok, strlen(tok), TS_CONST, &c),
	    TOKEN_OK);
	ck_assert_str_eq(c.scope, "");
	tok = test_forge(H256, P_WITH("scope", "\"a\",\"scope\":\"b c\""),
	    "HS256", TEST_SECRET_32, NULL);
	ck_assert_int_eq(token_verify(&cfg, tok, strlen(tok), TS_CONST, &c),
	    TOKEN_OK);
	ck_assert_str_eq(c.scope, "b c");
	tok = test_forge(H256, P_WITH("scope", "\"a\",\"scope\":1"),
	    "HS256", TEST_SECRET_32, NULL);
	ck_assert_int_eq(token_verify(&cfg, tok, strlen(tok), TS_CONST, &c),
	    TOKEN_INVALID);
}
END_TEST

/* Minted with scopes, the token says them; nothing invalid is minted. */
START_TEST(test_mint_scope)
{
	struct token_claims	 minted, c;
	unsigned char		 payload[1024];
	char			*tok = NULL, big[TOKEN_SCOPE_MAX + 2];
	const char		*dot1, *dot2;
	long			 n;

	ck_assert_int_eq(token_claims_init(&minted, "alice", "admin", 0), 0);
	ck_assert_int_eq(token_claims_scope(&minted, "reports:read x"), 0);
	ck_assert_int_eq(token_mint(&cfg, &minted, TS_CONST, &tok), 0);
	ck_assert_int_eq(token_verify(&cfg, tok, strlen(tok), TS_CONST, &c),
	    TOKEN_OK);
	ck_assert_str_eq(c.scope, "reports:read x");
	free(tok);

	/* None: no claim at all. */
	ck_assert_int_eq(token_claims_scope(&minted, ""), 0);
	ck_assert_int_eq(token_mint(&cfg, &minted, TS_CONST, &tok), 0);
	dot1 = strchr(tok, '.');
	dot2 = strchr(dot1 + 1, '.');
	n = b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), payload,
	    sizeof(payload) - 1);
	ck_assert_int_gt(n, 0);
	payload[n] = '\0';
	ck_assert_msg(strstr((char *)payload, "scope") == NULL, "%s",
	    payload);
	free(tok);

	/* Refused, and the claims keep what they had. */
	ck_assert_int_eq(token_claims_scope(&minted, "a"), 0);
	ck_assert_int_eq(token_claims_scope(&minted, "a  b"), -1);
	ck_assert_int_eq(token_claims_scope(&minted, " a"), -1);
	ck_assert_int_eq(token_claims_scope(&minted, "a\""), -1);
	memset(big, 's', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';		/* 2049 bytes */
	ck_assert_int_eq(token_claims_scope(&minted, big), -1);
	big[sizeof(big) - 2] = '\0';		/* 2048 */
	ck_assert_int_eq(token_claims_scope(&minted, big), 0);
	ck_assert_int_eq(token_claims_scope(&minted, "a"), 0);
	ck_assert_str_eq(minted.scope, "a");
	/* Set by hand, wrongly: token_mint will not. */
	memcpy(minted.scope, "a\tb", 4);
	ck_assert_int_eq(token_mint(&cfg, &minted, TS_CONST, &tok), -1);
	ck_assert_ptr_null(tok);
	memset(minted.scope, 'x', sizeof(minted.scope));	/* no NUL */
	ck_assert_int_eq(token_mint(&cfg, &minted, TS_CONST, &tok), -1);
}
END_TEST

/*
 * sid and jti (sessions): typed like every claim.  A sid is exactly 22
 * base64url characters decoding to 16 bytes, a jti 1 to 64 printable
 * ASCII characters; a token carrying neither is still good (one minted
 * with sessions off, or the reference app's).
 */
#define SID_OK	"AAECAwQFBgcICQoLDA0ODw"	/* bytes 0..15 */
static const unsigned char sid_ok_raw[TOKEN_SID_BYTES] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
static const struct {
	const char		*name;
	const char		*claims;	/* JSON members after exp */
	enum token_result	 want;
	const char		*sid, *jti;	/* what the claims get */
} session_claim_cases[] = {
	{ "neither", "", TOKEN_OK, "", "" },
	{ "both", ",\"sid\":\"" SID_OK "\",\"jti\":\"abc\"", TOKEN_OK, SID_OK,
	    "abc" },
	{ "sid alone", ",\"sid\":\"" SID_OK "\"", TOKEN_OK, SID_OK, "" },
	{ "jti alone", ",\"jti\":\"x\"", TOKEN_OK, "", "x" },
	{ "sid of 21", ",\"sid\":\"AAECAwQFBgcICQoLDA0OD\"", TOKEN_INVALID,
	    NULL, NULL },
	{ "sid of 23", ",\"sid\":\"" SID_OK "A\"", TOKEN_INVALID, NULL,
	    NULL },
	{ "sid with trailing bits set", ",\"sid\":\"AAECAwQFBgcICQoLDA0ODx\"",
	    TOKEN_INVALID, NULL, NULL },
	{ "sid in base64, not base64url",
	    ",\"sid\":\"AAECAwQFBgcICQoLDA0O+w\"", TOKEN_INVALID, NULL, NULL },
	{ "sid padded", ",\"sid\":\"AAECAwQFBgcICQoLDA0ODw==\"", TOKEN_INVALID,
	    NULL, NULL },
	{ "sid a number", ",\"sid\":12345", TOKEN_INVALID, NULL, NULL },
	{ "sid an array", ",\"sid\":[\"" SID_OK "\"]", TOKEN_INVALID, NULL,
	    NULL },
	{ "sid null", ",\"sid\":null", TOKEN_INVALID, NULL, NULL },
	{ "sid empty", ",\"sid\":\"\"", TOKEN_INVALID, NULL, NULL },
	{ "sid with a NUL", ",\"sid\":\"AAECAwQFBgcICQoLDA0O\\u0000w\"",
	    TOKEN_INVALID, NULL, NULL },
	{ "jti of 64", ",\"jti\":\"0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef\"", TOKEN_OK, "",
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
	{ "jti of 65", ",\"jti\":\"0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdefX\"", TOKEN_INVALID, NULL, NULL },
	{ "jti empty", ",\"jti\":\"\"", TOKEN_INVALID, NULL, NULL },
	{ "jti with a space", ",\"jti\":\"a b\"", TOKEN_INVALID, NULL, NULL },
	{ "jti not ASCII", ",\"jti\":\"caf\\u00e9\"", TOKEN_INVALID, NULL,
	    NULL },
	{ "jti a number", ",\"jti\":7", TOKEN_INVALID, NULL, NULL },
	{ "jti an object", ",\"jti\":{}", TOKEN_INVALID, NULL, NULL },
	{ "sid twice: the last", ",\"sid\":1,\"sid\":\"" SID_OK "\"", TOKEN_OK,
	    SID_OK, "" },
};

START_TEST(test_session_claims)
{
	struct token_claims	 c;
	enum token_result	 r;
	char			 payload[512];
	const char		*tok;

	(void)snprintf(payload, sizeof(payload), "{\"sub\":\"alice\","
	    "\"role\":\"admin\",\"exp\":" LATER "%s}",
	    session_claim_cases[_i].claims);
	tok = test_forge(H256, payload, "HS256", TEST_SECRET_32, NULL);
	r = token_verify(&cfg, tok, strlen(tok), TS_CONST, &c);
	ck_assert_msg(r == session_claim_cases[_i].want, "%s: got %s",
	    session_claim_cases[_i].name, result_name(r));
	if (r != TOKEN_OK)
		return;
	ck_assert_str_eq(c.sid, session_claim_cases[_i].sid);
	ck_assert_str_eq(c.jti, session_claim_cases[_i].jti);
	/* Decoded once, here: the token check reads these bytes. */
	if (c.sid[0] != '\0')
		ck_assert_mem_eq(c.sid_raw, sid_ok_raw, TOKEN_SID_BYTES);
}
END_TEST

/* Minted with a session, the token says it; nothing invalid is minted. */
START_TEST(test_mint_session)
{
	struct token_claims	 minted, c;
	char			*tok = NULL;

	ck_assert_int_eq(token_claims_init(&minted, "alice", "admin", 0), 0);
	ck_assert_int_eq(token_claims_session(&minted, SID_OK, "j1"), 0);
	ck_assert_int_eq(token_mint(&cfg, &minted, TS_CONST, &tok), 0);
	ck_assert_int_eq(token_verify(&cfg, tok, strlen(tok), TS_CONST, &c),
	    TOKEN_OK);
	ck_assert_str_eq(c.sid, SID_OK);
	ck_assert_str_eq(c.jti, "j1");
	ck_assert_mem_eq(minted.sid_raw, sid_ok_raw, TOKEN_SID_BYTES);
	ck_assert_mem_eq(c.sid_raw, sid_ok_raw, TOKEN_SID_BYTES);
	free(tok);

	/* Refused, and the claims keep what they had. */
	ck_assert_int_eq(token_claims_session(&minted, "short", "j2"), -1);
	ck_assert_int_eq(token_claims_session(&minted, SID_OK, "a b"), -1);
	ck_assert_str_eq(minted.sid, SID_OK);
	ck_assert_str_eq(minted.jti, "j1");
	ck_assert_int_eq(token_claims_session(&minted, "", ""), 0);
	ck_assert_int_eq(token_mint(&cfg, &minted, TS_CONST, &tok), 0);
	ck_assert_int_eq(token_verify(&cfg, tok, strlen(tok), TS_CONST, &c),
	    TOKEN_OK);
	ck_assert_str_eq(c.sid, "");
	ck_assert_str_eq(c.jti, "");
	free(tok);

	/* Set by hand, wrongly: token_mint will not. */
	memcpy(minted.sid, "AAECAwQFBgcICQoLDA0ODx", TOKEN_SID_CHARS + 1);
	ck_assert_int_eq(token_mint(&cfg, &minted, TS_CONST, &tok), -1);
	ck_assert_ptr_null(tok);
	minted.sid[0] = '\0';
	memset(minted.jti, 'x', sizeof(minted.jti));	/* no NUL */
	ck_assert_int_eq(token_mint(&cfg, &minted, TS_CONST, &tok), -1);
}
END_TEST

/*
 * Key pairs (ES*, RS*): made once before the tests fork.  The set holds
 * the ES256, ES384 and RS256 public keys; "removed" is an ES256 key that
 * is not in it (a key taken out of the set).
 */
static struct jwk	*kp_es256, *kp_es384, *kp_rs256, *kp_removed;
static char		*kp_set, *kp_es256_jwk, *kp_es256_pem, *kp_rs256_pem;

static char *
public_pem(const char *path)
{
	EVP_PKEY	*pkey;
	BIO		*bio;
	FILE		*f;
	char		*data, *out;
	long		 len;

	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	ck_assert_ptr_nonnull(pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL));
	(void)fclose(f);
	ck_assert_ptr_nonnull(bio = BIO_new(BIO_s_mem()));
	ck_assert_int_eq(PEM_write_bio_PUBKEY(bio, pkey), 1);
	len = BIO_get_mem_data(bio, &data);
	ck_assert(len > 0);
	ck_assert_ptr_nonnull(out = strndup(data, (size_t)len));
	BIO_free(bio);
	EVP_PKEY_free(pkey);
	return out;
}

static char *
jwk_text(const struct jwk *k)
{
	json_object	*o;
	char		*t;

	ck_assert_ptr_nonnull(o = jwk_public_json(k));
	t = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	ck_assert_ptr_nonnull(t);
	return t;
}

static void
pair_setup(void)
{
	char	 err[512], *a, *b, *c;
	size_t	 n;

	kp_es256 = jwk_generate(KEYS_ES256, 0, err, sizeof(err));
	kp_es384 = jwk_generate(KEYS_ES384, 0, err, sizeof(err));
	kp_rs256 = jwk_generate(KEYS_RS256, 0, err, sizeof(err));
	kp_removed = jwk_generate(KEYS_ES256, 0, err, sizeof(err));
	ck_assert(kp_es256 != NULL && kp_es384 != NULL && kp_rs256 != NULL &&
	    kp_removed != NULL);
	/* Each tcase that needs them makes its own. */
	(void)unlink(test_path("es256.pem"));
	(void)unlink(test_path("rs256.pem"));
	ck_assert_int_eq(jwk_write_pem(kp_es256, test_path("es256.pem"), err,
	    sizeof(err)), 0);
	ck_assert_int_eq(jwk_write_pem(kp_rs256, test_path("rs256.pem"), err,
	    sizeof(err)), 0);
	kp_es256_pem = public_pem(test_path("es256.pem"));
	kp_rs256_pem = public_pem(test_path("rs256.pem"));
	kp_es256_jwk = jwk_text(kp_es256);
	a = kp_es256_jwk;
	b = jwk_text(kp_es384);
	c = jwk_text(kp_rs256);
	n = strlen(a) + strlen(b) + strlen(c) + 32;
	ck_assert_ptr_nonnull(kp_set = malloc(n));
	(void)snprintf(kp_set, n, "{\"keys\":[%s,%s,%s]}", a, b, c);
	free(b);
	free(c);
}

static void
pair_teardown(void)
{
	jwk_free(kp_es256);
	jwk_free(kp_es384);
	jwk_free(kp_rs256);
	jwk_free(kp_removed);
	free(kp_set);
	free(kp_es256_jwk);
	free(kp_es256_pem);
	free(kp_rs256_pem);
}

/* cfg: the three public keys, signing with the ES256 one. */
static void
pair_cfg_setup(void)
{
	char		 err[512];
	struct jwk	*signer;

	memset(&cfg, 0, sizeof(cfg));
	signer = jwk_load_pem(test_path("es256.pem"), KEYS_ES256, err,
	    sizeof(err));
	ck_assert_msg(signer != NULL, "%s", err);
	cfg.keys = keys_new_jwks(kp_set, strlen(kp_set), signer, err,
	    sizeof(err));
	ck_assert_msg(cfg.keys != NULL, "%s", err);
	cfg.ttl_min = 30;
}

/* What is done to a signature before it is encoded. */
enum sig_mod {
	SIG_AS_IS,
	SIG_DER,		/* ECDSA in DER instead of r || s */
	SIG_CUT,		/* the last byte cut */
	SIG_CUT_FIRST,		/* the first byte cut */
	SIG_APPEND0,		/* a zero byte appended */
	SIG_PREPEND0,		/* a zero byte prepended */
	SIG_ZERO,		/* all zero */
	SIG_HIGH_S,		/* s replaced by n - s */
	SIG_JUNK_BITS,		/* non-zero unused bits in its base64url */
	SIG_EMPTY,		/* no signature at all */
	SIG_AA,			/* "AA" */
};

/* Who signs: a key pair, or an HMAC keyed with public key bytes. */
enum signer {
	BY_ES256, BY_ES384, BY_RS256, BY_REMOVED,
	BY_HS_ES256_PEM, BY_HS_RS256_PEM, BY_HS_ES256_JWK,
};

/* Which kid the header names (its one %s). */
enum kid_of {
	KID_ES256, KID_ES384, KID_RS256, KID_REMOVED,
};

static const char *
kid_string(enum kid_of k)
{
	switch (k) {
	case KID_ES384:
		return jwk_kid(kp_es384);
	case KID_RS256:
		return jwk_kid(kp_rs256);
	case KID_REMOVED:
		return jwk_kid(kp_removed);
	case KID_ES256:
	default:
		return jwk_kid(kp_es256);
	}
}

static void
sig_mod(unsigned char *sig, size_t *len, enum sig_mod mod,
    const struct jwk *k)
{
	unsigned char	 der[160], *p = der;
	ECDSA_SIG	*es;
	BIGNUM		*r, *s, *n;
	EC_GROUP	*g;
	size_t		 half = *len / 2;
	int		 dlen;

	switch (mod) {
	case SIG_DER:
		ck_assert_ptr_nonnull(es = ECDSA_SIG_new());
		r = BN_bin2bn(sig, (int)half, NULL);
		s = BN_bin2bn(sig + half, (int)half, NULL);
		ck_assert_int_eq(ECDSA_SIG_set0(es, r, s), 1);
		ck_assert((dlen = i2d_ECDSA_SIG(es, &p)) > 0);
		memcpy(sig, der, (size_t)dlen);
		*len = (size_t)dlen;
		ECDSA_SIG_free(es);
		break;
	case SIG_CUT:
		(*len)--;
		break;
	case SIG_CUT_FIRST:
		memmove(sig, sig + 1, --(*len));
		break;
	case SIG_APPEND0:
		sig[(*len)++] = 0;
		break;
	case SIG_PREPEND0:
		memmove(sig + 1, sig, (*len)++);
		sig[0] = 0;
		break;
	case SIG_ZERO:
		memset(sig, 0, *len);
		break;
	case SIG_HIGH_S:
		g = EC_GROUP_new_by_curve_name(jwk_alg(k) == KEYS_ES256 ?
		    NID_X9_62_prime256v1 : NID_secp384r1);
		ck_assert_ptr_nonnull(g);
		n = BN_dup(EC_GROUP_get0_order(g));
		s = BN_bin2bn(sig + half, (int)half, NULL);
		ck_assert(n != NULL && s != NULL);
		ck_assert_int_eq(BN_sub(s, n, s), 1);
		ck_assert_int_eq(BN_bn2binpad(s, sig + half, (int)half),
		    (int)half);
		BN_free(s);
		BN_free(n);
		EC_GROUP_free(g);
		break;
	default:
		break;
	}
}

/* b64url(header) "." b64url(payload) "." b64url(signature as mod says). */
static char *
pair_forge(enum signer by, const char *header, const char *payload,
    enum sig_mod mod)
{
	unsigned char	 sig[JWK_SIG_MAX + 16];
	const struct jwk *k = NULL;
	const char	*hk = NULL;
	char		*h, *p, *t, *b64;
	size_t		 n, siglen;
	int		 v;

	switch (by) {
	case BY_ES256:
		k = kp_es256;
		break;
	case BY_ES384:
		k = kp_es384;
		break;
	case BY_RS256:
		k = kp_rs256;
		break;
	case BY_REMOVED:
		k = kp_removed;
		break;
	case BY_HS_ES256_PEM:
		hk = kp_es256_pem;
		break;
	case BY_HS_RS256_PEM:
		hk = kp_rs256_pem;
		break;
	case BY_HS_ES256_JWK:
		hk = kp_es256_jwk;
		break;
	}
	if (hk != NULL) {
		t = forge_token_str(header, payload, "HS256", hk, strlen(hk));
		ck_assert_ptr_nonnull(t);
		return t;
	}
	h = forge_b64url(header, strlen(header));
	p = forge_b64url(payload, strlen(payload));
	ck_assert(h != NULL && p != NULL);
	n = strlen(h) + strlen(p) + 2 * JWK_SIG_MAX + 64;
	ck_assert_ptr_nonnull(t = malloc(n));
	(void)snprintf(t, n, "%s.%s", h, p);
	ck_assert_int_eq(jwk_sign(k, t, strlen(t), sig, sizeof(sig),
	    &siglen), 0);
	sig_mod(sig, &siglen, mod, k);
	if (mod == SIG_EMPTY)
		b64 = strdup("");
	else if (mod == SIG_AA)
		b64 = strdup("AA");
	else
		b64 = forge_b64url(sig, siglen);
	ck_assert_ptr_nonnull(b64);
	if (mod == SIG_JUNK_BITS) {
		/* The last character carries unused bits: set one. */
		v = b64url_value((unsigned char)b64[strlen(b64) - 1]);
		ck_assert(v >= 0 && (v & 1) == 0);
		b64[strlen(b64) - 1] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-_"[v | 1];
	}
	(void)snprintf(t + strlen(t), n - strlen(t), ".%s", b64);
	free(b64);
	free(h);
	free(p);
	return t;
}

#define HK(alg, extra)	"{\"alg\":\"" alg "\",\"kid\":\"%s\"" extra "}"

/*
 * The attacks of issue 12 and research 7, each against the three-key set,
 * and the controls that must pass.
 */
static const struct {
	const char		*name;
	const char		*header;	/* %s: the kid */
	enum kid_of		 kid;
	enum signer		 by;
	enum sig_mod		 mod;
	enum token_result	 want;
} pair_cases[] = {
	{ "control ES256", HK("ES256", ""), KID_ES256, BY_ES256, SIG_AS_IS,
	    TOKEN_OK },
	{ "control ES384", HK("ES384", ""), KID_ES384, BY_ES384, SIG_AS_IS,
	    TOKEN_OK },
	{ "control RS256", HK("RS256", ""), KID_RS256, BY_RS256, SIG_AS_IS,
	    TOKEN_OK },
	{ "typ JWT", HK("ES256", ",\"typ\":\"JWT\""), KID_ES256, BY_ES256,
	    SIG_AS_IS, TOKEN_OK },
	{ "typ jwt (as libjwt: any case)", HK("ES256", ",\"typ\":\"jwt\""),
	    KID_ES256, BY_ES256, SIG_AS_IS, TOKEN_OK },
	{ "jku and x5u ignored, never fetched", HK("ES256",
	    ",\"jku\":\"http://127.0.0.1:1/k\",\"x5u\":\"http://127.0.0.1:1/c\""),
	    KID_ES256, BY_ES256, SIG_AS_IS, TOKEN_OK },
	{ "high-S twin accepted (documented)", HK("ES256", ""), KID_ES256,
	    BY_ES256, SIG_HIGH_S, TOKEN_OK },
	{ "high-S twin accepted, ES384", HK("ES384", ""), KID_ES384,
	    BY_ES384, SIG_HIGH_S, TOKEN_OK },
	{ "HS256 keyed with the ES256 public key PEM", HK("HS256", ""),
	    KID_ES256, BY_HS_ES256_PEM, SIG_AS_IS, TOKEN_INVALID },
	{ "HS256 keyed with the RS256 public key PEM", HK("HS256", ""),
	    KID_RS256, BY_HS_RS256_PEM, SIG_AS_IS, TOKEN_INVALID },
	{ "HS256 keyed with the served JWK bytes", HK("HS256", ""),
	    KID_ES256, BY_HS_ES256_JWK, SIG_AS_IS, TOKEN_INVALID },
	{ "alg none, no signature", HK("none", ""), KID_ES256, BY_ES256,
	    SIG_EMPTY, TOKEN_INVALID },
	{ "alg none, signature AA", HK("none", ""), KID_ES256, BY_ES256,
	    SIG_AA, TOKEN_INVALID },
	{ "ES256, garbage signature", HK("ES256", ""), KID_ES256, BY_ES256,
	    SIG_AA, TOKEN_INVALID },
	{ "kid ../../../../etc/passwd", "{\"alg\":\"ES256\",\"kid\":"
	    "\"../../../../etc/passwd\"}", KID_ES256, BY_ES256, SIG_AS_IS,
	    TOKEN_INVALID },
	{ "kid + NUL + x", "{\"alg\":\"ES256\",\"kid\":\"%s\\u0000x\"}",
	    KID_ES256, BY_ES256, SIG_AS_IS, TOKEN_INVALID },
	{ "kid + NUL", "{\"alg\":\"ES256\",\"kid\":\"%s\\u0000\"}", KID_ES256,
	    BY_ES256, SIG_AS_IS, TOKEN_INVALID },
	{ "no kid", "{\"alg\":\"ES256\"}", KID_ES256, BY_ES256, SIG_AS_IS,
	    TOKEN_INVALID },
	{ "kid a number", "{\"alg\":\"ES256\",\"kid\":7}", KID_ES256,
	    BY_ES256, SIG_AS_IS, TOKEN_INVALID },
	{ "kid empty", "{\"alg\":\"ES256\",\"kid\":\"\"}", KID_ES256,
	    BY_ES256, SIG_AS_IS, TOKEN_INVALID },
	{ "kid of a removed key, its valid signature", HK("ES256", ""),
	    KID_REMOVED, BY_REMOVED, SIG_AS_IS, TOKEN_INVALID },
	{ "RS256 token under the EC key's kid", HK("RS256", ""), KID_ES256,
	    BY_RS256, SIG_AS_IS, TOKEN_INVALID },
	{ "ES384 token under the P-256 key's kid", HK("ES384", ""), KID_ES256,
	    BY_ES384, SIG_AS_IS, TOKEN_INVALID },
	{ "ES256 header on the P-384 key's kid", HK("ES256", ""), KID_ES384,
	    BY_ES384, SIG_AS_IS, TOKEN_INVALID },
	{ "alg es256 (lower case), valid signature", HK("es256", ""),
	    KID_ES256, BY_ES256, SIG_AS_IS, TOKEN_INVALID },
	{ "ES256 signature in DER", HK("ES256", ""), KID_ES256, BY_ES256,
	    SIG_DER, TOKEN_INVALID },
	{ "ES256 signature 63 bytes", HK("ES256", ""), KID_ES256, BY_ES256,
	    SIG_CUT, TOKEN_INVALID },
	{ "ES256 signature 65 bytes (0 appended)", HK("ES256", ""), KID_ES256,
	    BY_ES256, SIG_APPEND0, TOKEN_INVALID },
	{ "ES256 signature 65 bytes (0 prepended)", HK("ES256", ""),
	    KID_ES256, BY_ES256, SIG_PREPEND0, TOKEN_INVALID },
	{ "ES256 signature all zero", HK("ES256", ""), KID_ES256, BY_ES256,
	    SIG_ZERO, TOKEN_INVALID },
	{ "ES256 signature with junk in the unused bits", HK("ES256", ""),
	    KID_ES256, BY_ES256, SIG_JUNK_BITS, TOKEN_INVALID },
	{ "RS256 signature 255 bytes", HK("RS256", ""), KID_RS256, BY_RS256,
	    SIG_CUT_FIRST, TOKEN_INVALID },
	{ "RS256 signature 257 bytes", HK("RS256", ""), KID_RS256, BY_RS256,
	    SIG_PREPEND0, TOKEN_INVALID },
	{ "RS256 signature with junk in the unused bits", HK("RS256", ""),
	    KID_RS256, BY_RS256, SIG_JUNK_BITS, TOKEN_INVALID },
	{ "jwk header with the attacker's key, signed with it",
	    "{\"alg\":\"ES256\",\"kid\":\"%s\",\"jwk\":{\"kty\":\"EC\"}}",
	    KID_REMOVED, BY_REMOVED, SIG_AS_IS, TOKEN_INVALID },
	{ "crit header", HK("ES256", ",\"crit\":[\"exp\"]"), KID_ES256,
	    BY_ES256, SIG_AS_IS, TOKEN_INVALID },
	{ "typ at+jwt", HK("ES256", ",\"typ\":\"at+jwt\""), KID_ES256,
	    BY_ES256, SIG_AS_IS, TOKEN_INVALID },
	{ "typ a number", HK("ES256", ",\"typ\":1"), KID_ES256, BY_ES256,
	    SIG_AS_IS, TOKEN_INVALID },
};

/* tmpl with its "%s", if any, replaced by kid. */
static void
subst_kid(char *out, size_t size, const char *tmpl, const char *kid)
{
	const char	*at = strstr(tmpl, "%s");
	int		 n;

	if (at == NULL)
		n = snprintf(out, size, "%s", tmpl);
	else
		n = snprintf(out, size, "%.*s%s%s", (int)(at - tmpl), tmpl, kid,
		    at + 2);
	ck_assert(n > 0 && (size_t)n < size);
}

START_TEST(test_pair_attacks)
{
	struct token_claims	 c;
	char			 header[512], *t;
	enum token_result	 r;

	subst_kid(header, sizeof(header), pair_cases[_i].header,
	    kid_string(pair_cases[_i].kid));
	t = pair_forge(pair_cases[_i].by, header, GOOD, pair_cases[_i].mod);
	r = verdict(t, strlen(t), &c);
	ck_assert_msg(r == pair_cases[_i].want, "%s: got %s",
	    pair_cases[_i].name, result_name(r));
	if (r == TOKEN_OK)
		ck_assert_str_eq(c.sub, "alice");
	free(t);
}
END_TEST

/* A payload changed after signing; a kid of 10 KiB (over the size cap). */
START_TEST(test_pair_tampered)
{
	struct token_claims	 c;
	char			 header[512], *t, *p, *big;
	const char		*dot;

	(void)snprintf(header, sizeof(header), HK("ES256", ""),
	    jwk_kid(kp_es256));
	t = pair_forge(BY_ES256, header, GOOD, SIG_AS_IS);
	ck_assert_int_eq(verdict(t, strlen(t), &c), TOKEN_OK);
	p = forge_b64url(P_SUB("\"bob\""), strlen(P_SUB("\"bob\"")));
	ck_assert_ptr_nonnull(p);
	dot = strchr(t, '.');
	ck_assert_ptr_nonnull(big = malloc(strlen(t) + strlen(p) + 8));
	(void)snprintf(big, strlen(t) + strlen(p) + 8, "%.*s.%s%s",
	    (int)(dot - t), t, p, strrchr(t, '.'));
	ck_assert_int_eq(verdict(big, strlen(big), &c), TOKEN_INVALID);
	free(big);
	free(p);
	free(t);

	ck_assert_ptr_nonnull(big = malloc(10 * 1024 + 64));
	memset(big, 'k', 10 * 1024);
	big[10 * 1024] = '\0';
	ck_assert_ptr_nonnull(p = malloc(10 * 1024 + 64));
	(void)snprintf(p, 10 * 1024 + 64, "{\"alg\":\"ES256\",\"kid\":\"%s\"}",
	    big);
	t = pair_forge(BY_ES256, p, GOOD, SIG_AS_IS);
	ck_assert_uint_gt(strlen(t), TOKEN_MAX_BYTES);
	ck_assert_int_eq(verdict(t, strlen(t), &c), TOKEN_INVALID);
	free(t);
	/* 129 bytes: fits the token, not a kid. */
	big[KEYS_KID_MAX + 1] = '\0';
	(void)snprintf(p, 10 * 1024 + 64, "{\"alg\":\"ES256\",\"kid\":\"%s\"}",
	    big);
	t = pair_forge(BY_ES256, p, GOOD, SIG_AS_IS);
	ck_assert_int_eq(verdict(t, strlen(t), &c), TOKEN_INVALID);
	free(t);
	free(p);
	free(big);
}
END_TEST

/*
 * token_mint with a key pair: header alg, kid (the thumbprint) and typ,
 * verified by the set; every alg.
 */
static const enum keys_alg mint_algs[] = {
	KEYS_ES256, KEYS_ES384, KEYS_RS256, KEYS_RS384, KEYS_RS512,
};

START_TEST(test_pair_mint)
{
	struct token_claims	 c, back;
	struct cfg		 mc;
	struct jwk		*k;
	json_object		*o, *h, *v;
	unsigned char		 buf[512];
	char			 err[512], set[2048], *tok;
	long			 n;

	ck_assert_ptr_nonnull(k = jwk_generate(mint_algs[_i], 0, err,
	    sizeof(err)));
	ck_assert_ptr_nonnull(o = jwk_public_json(k));
	(void)snprintf(set, sizeof(set), "{\"keys\":[%s]}",
	    json_object_to_json_string(o));
	json_object_put(o);
	memset(&mc, 0, sizeof(mc));
	mc.ttl_min = 30;
	mc.keys = keys_new_jwks(set, strlen(set), k, err, sizeof(err));
	ck_assert_msg(mc.keys != NULL, "%s", err);
	ck_assert_int_eq(token_claims_init(&c, "alice", "admin", 3), 0);
	ck_assert_int_eq(token_mint(&mc, &c, TS_CONST, &tok), 0);
	ck_assert_int_eq(token_verify(&mc, tok, strlen(tok), TS_CONST, &back),
	    TOKEN_OK);
	ck_assert_str_eq(back.sub, "alice");
	ck_assert_int_eq(back.ver, 3);
	n = b64url_decode(tok, (size_t)(strchr(tok, '.') - tok), buf,
	    sizeof(buf) - 1);
	ck_assert(n > 0);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(h = json_tokener_parse((char *)buf));
	ck_assert(json_object_object_get_ex(h, "alg", &v));
	ck_assert_str_eq(json_object_get_string(v),
	    keys_alg_name(mint_algs[_i]));
	ck_assert(json_object_object_get_ex(h, "kid", &v));
	ck_assert_str_eq(json_object_get_string(v),
	    keys_signing(mc.keys)->kid);
	ck_assert_uint_eq(strlen(json_object_get_string(v)),
	    JWK_THUMBPRINT_LEN);
	ck_assert(json_object_object_get_ex(h, "typ", &v));
	ck_assert_str_eq(json_object_get_string(v), "JWT");
	json_object_put(h);
	/* An HS256 set refuses it; its set refuses an HS256 token. */
	ck_assert_int_eq(token_verify(&cfg, tok, strlen(tok), TS_CONST, &back),
	    TOKEN_INVALID);
	free(tok);
	ck_assert_int_eq(token_mint(&cfg, &c, TS_CONST, &tok), 0);
	ck_assert_int_eq(token_verify(&mc, tok, strlen(tok), TS_CONST, &back),
	    TOKEN_INVALID);
	free(tok);
	cfg_clear(&mc);
}
END_TEST

/*
 * A token accepted (and so cached) while its key was in the set is
 * refused as soon as the key is removed: the cache is emptied when the
 * verifying set changes.
 */
START_TEST(test_pair_removed_after_cached)
{
	struct token_claims	 c;
	struct token_cache	*cache;
	struct cfg		 rc;
	char			 err[1024], *tok, set[600], *other;
	const char		*dir = test_fresh_dir("removed");
	char			 buf[4096];

	(void)snprintf(set, sizeof(set), "%s/keys.jwks", dir);
	(void)snprintf(buf, sizeof(buf), "{\"keys\":[%s]}", kp_es256_jwk);
	test_replace(set, buf);
	unsetenv("JWT_SECRET");
	unsetenv("JWT_SECRET_FILE");
	setenv("JWT_ALG", "ES256", 1);
	setenv("JWT_KEYS_FILE", set, 1);
	setenv("JWT_PRIVATE_KEY_FILE", test_path("es256.pem"), 1);
	memset(&rc, 0, sizeof(rc));
	rc.ttl_min = 30;
	rc.keys = keys_load(KEYS_SIGN, err, sizeof(err));
	ck_assert_msg(rc.keys != NULL, "%s", err);
	ck_assert_ptr_nonnull(cache = token_cache_new(&rc));
	ck_assert_int_eq(token_claims_init(&c, "alice", "admin", 0), 0);
	ck_assert_int_eq(token_mint(&rc, &c, TS_CONST, &tok), 0);
	ck_assert_int_eq(token_cache_verify(cache, tok, strlen(tok), TS_CONST,
	    &c), TOKEN_OK);
	ck_assert_int_eq(token_cache_verify(cache, tok, strlen(tok), TS_CONST,
	    &c), TOKEN_OK);

	/* The set now holds another key only. */
	other = jwk_text(kp_es384);
	(void)snprintf(buf, sizeof(buf), "{\"keys\":[%s]}", other);
	free(other);
	test_replace(set, buf);
	ck_assert_int_eq(keys_poll(rc.keys, WATCH_FORCE), 1);
	ck_assert_int_eq(token_cache_verify(cache, tok, strlen(tok), TS_CONST,
	    &c), TOKEN_INVALID);
	ck_assert_int_eq(token_verify(&rc, tok, strlen(tok), TS_CONST, &c),
	    TOKEN_INVALID);
	free(tok);
	token_cache_free(cache);
	cfg_clear(&rc);
	unsetenv("JWT_ALG");
	unsetenv("JWT_KEYS_FILE");
	unsetenv("JWT_PRIVATE_KEY_FILE");
}
END_TEST

static Suite *
token_suite(void)
{
	Suite	*s = suite_create("token");
	TCase	*tc;

	tc = tcase_create("pair");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, pair_setup, pair_teardown);
	tcase_add_checked_fixture(tc, pair_cfg_setup, teardown);
	tcase_add_loop_test(tc, test_pair_attacks, 0, ARRAY_SIZE(pair_cases));
	tcase_add_test(tc, test_pair_tampered);
	tcase_add_test(tc, test_pair_removed_after_cached);
	suite_add_tcase(s, tc);

	tc = tcase_create("pair_mint");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, pair_setup, pair_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_pair_mint, 0, ARRAY_SIZE(mint_algs));
	suite_add_tcase(s, tc);

	tc = tcase_create("verify");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_signed, 0, ARRAY_SIZE(signed_cases));
	tcase_add_loop_test(tc, test_shape, 0, ARRAY_SIZE(shape_cases));
	tcase_add_test(tc, test_tampered);
	tcase_add_loop_test(tc, test_duplicate_keys, 0, ARRAY_SIZE(dup_cases));
	tcase_add_loop_test(tc, test_mangled, 0, ARRAY_SIZE(mangle_cases));
	tcase_add_loop_test(tc, test_size, 0, ARRAY_SIZE(size_cases));
	tcase_add_test(tc, test_key_headers_not_fetched);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_empty_key_config);
	tcase_add_test(tc, test_foreign);
	suite_add_tcase(s, tc);

	tc = tcase_create("aud_iss");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_claims, 0, ARRAY_SIZE(claim_cases));
	tcase_add_loop_test(tc, test_cache_claims, 0, ARRAY_SIZE(claim_cases));
	tcase_add_test(tc, test_mint_aud_iss);
	suite_add_tcase(s, tc);

	tc = tcase_create("scope");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_scope_claim, 0, ARRAY_SIZE(scope_cases));
	tcase_add_test(tc, test_scope_absent_or_twice);
	tcase_add_test(tc, test_mint_scope);
	tcase_add_loop_test(tc, test_session_claims, 0,
	    ARRAY_SIZE(session_claim_cases));
	tcase_add_test(tc, test_mint_session);
	suite_add_tcase(s, tc);

	tc = tcase_create("cache");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_cache_same_verdicts, 0,
	    ARRAY_SIZE(signed_cases));
	tcase_add_test(tc, test_cache_times);
	tcase_add_test(tc, test_cache_exact);
	tcase_add_test(tc, test_cache_many);
	suite_add_tcase(s, tc);

	tc = tcase_create("mint");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_mint, 0, ARRAY_SIZE(mint_cases));
	tcase_add_loop_test(tc, test_claims_init, 0, ARRAY_SIZE(init_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("base64url");
	tcase_add_loop_test(tc, test_b64url, 0, ARRAY_SIZE(b64_cases));
	tcase_add_test(tc, test_b64url_bounds);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(token_suite)
