/* session.c -- session ids and refresh tokens: make, parse and hash them */
#include "config.h"

#include <sys/random.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "b64url.h"
#include "session.h"
#include "token.h"

/*
 * Fetched once per process: OpenSSL 3's EVP_sha256() makes EVP_Digest
 * look the implementation up again at every call (seen: 295 ns a hash
 * against 117 ns).  Never freed: it lives as long as the process.
 */
static EVP_MD	*sha256_md;

int
session_random(void *buf, size_t len)
{
	unsigned char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		/* Flags 0: blocks only until the pool is first seeded. */
		if ((n = getrandom(p, len, 0)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
session_new_id(char id[SESSION_SID_CHARS + 1])
{
	unsigned char	 raw[SESSION_SID_BYTES];
	int		 ret = -1;

	id[0] = '\0';
	if (session_random(raw, sizeof(raw)) == -1)
		goto done;
	if (b64url_encode(raw, sizeof(raw), id,
	    SESSION_SID_CHARS + 1) != SESSION_SID_CHARS)
		goto done;
	ret = 0;
done:
	explicit_bzero(raw, sizeof(raw));
	return ret;
}

int
session_sid_decode(const char *sid, size_t len,
    unsigned char raw[SESSION_SID_BYTES])
{
	/* Room for what a longer input could decode to: never cut. */
	unsigned char	 buf[SESSION_SID_BYTES + 3];

	if (sid == NULL || len != SESSION_SID_CHARS ||
	    memchr(sid, '\0', len) != NULL)
		return -1;
	if (b64url_decode(sid, len, buf, sizeof(buf)) !=
	    SESSION_SID_BYTES)
		return -1;
	memcpy(raw, buf, SESSION_SID_BYTES);
	return 0;
}

int
session_sha256(const void *in, size_t len,
    unsigned char out[SESSION_HASH_BYTES])
{
	unsigned int	 n = 0;

	if (sha256_md == NULL &&
	    (sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		return -1;
	if (EVP_Digest(in, len, out, &n, sha256_md, NULL) != 1 ||
	    n != SESSION_HASH_BYTES) {
		explicit_bzero(out, SESSION_HASH_BYTES);
		return -1;
	}
	return 0;
}

int
session_refresh_new(const char *sid, char token[SESSION_REFRESH_CHARS + 1],
    unsigned char hash[SESSION_HASH_BYTES])
{
	unsigned char	 raw[SESSION_REFRESH_BYTES];
	int		 ret = -1;

	token[0] = '\0';
	if (sid == NULL || session_sid_decode(sid, strnlen(sid,
	    SESSION_SID_CHARS + 1), raw) == -1)
		goto done;
	if (session_random(raw + SESSION_SID_BYTES, SESSION_SECRET_BYTES) ==
	    -1)
		goto done;
	if (b64url_encode(raw, sizeof(raw), token,
	    SESSION_REFRESH_CHARS + 1) != SESSION_REFRESH_CHARS)
		goto done;
	if (session_sha256(raw, sizeof(raw), hash) == -1)
		goto done;
	ret = 0;
done:
	explicit_bzero(raw, sizeof(raw));
	if (ret == -1) {
		explicit_bzero(token, SESSION_REFRESH_CHARS + 1);
		explicit_bzero(hash, SESSION_HASH_BYTES);
	}
	return ret;
}

int
session_refresh_parse(const char *token, size_t len,
    char sid[SESSION_SID_CHARS + 1], unsigned char hash[SESSION_HASH_BYTES])
{
	/* Room for what a longer input could decode to: never cut. */
	unsigned char	 raw[SESSION_REFRESH_BYTES + 3];
	int		 ret = -1;

	sid[0] = '\0';
	if (token == NULL || len != SESSION_REFRESH_CHARS ||
	    memchr(token, '\0', len) != NULL)
		goto done;
	if (b64url_decode(token, len, raw, sizeof(raw)) !=
	    SESSION_REFRESH_BYTES)
		goto done;
	if (b64url_encode(raw, SESSION_SID_BYTES, sid,
	    SESSION_SID_CHARS + 1) != SESSION_SID_CHARS)
		goto done;
	if (session_sha256(raw, SESSION_REFRESH_BYTES, hash) == -1)
		goto done;
	ret = 0;
done:
	explicit_bzero(raw, sizeof(raw));
	if (ret == -1) {
		explicit_bzero(sid, SESSION_SID_CHARS + 1);
		explicit_bzero(hash, SESSION_HASH_BYTES);
	}
	return ret;
}

int
session_pw_fingerprint(const char *hash, char fp[SESSION_PWFP_CHARS + 1])
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 d[SESSION_HASH_BYTES];
	size_t			 i;

	fp[0] = '\0';
	if (hash == NULL || session_sha256(hash, strlen(hash), d) == -1)
		return -1;
	for (i = 0; i < SESSION_PWFP_BYTES; i++) {
		fp[2 * i] = hex[d[i] >> 4];
		fp[2 * i + 1] = hex[d[i] & 0xf];
	}
	fp[SESSION_PWFP_CHARS] = '\0';
	explicit_bzero(d, sizeof(d));
	return 0;
}
