/* forge.c -- JWTs built byte by byte, for the Check suites and the fuzzers */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "forge.h"

static const char	 b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *
forge_b64url(const void *data, size_t len)
{
	const unsigned char	*in = data;
	char			*out;
	size_t			 i, o = 0;
	uint32_t		 v;

	if (len > (SIZE_MAX - 4) / 4 * 3)
		return NULL;
	if ((out = malloc(len / 3 * 4 + 4 + 1)) == NULL)
		return NULL;
	for (i = 0; i + 3 <= len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64url_alphabet[v >> 18 & 63];
		out[o++] = b64url_alphabet[v >> 12 & 63];
		out[o++] = b64url_alphabet[v >> 6 & 63];
		out[o++] = b64url_alphabet[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = b64url_alphabet[v >> 18 & 63];
		out[o++] = b64url_alphabet[v >> 12 & 63];
	} else if (len - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64url_alphabet[v >> 18 & 63];
		out[o++] = b64url_alphabet[v >> 12 & 63];
		out[o++] = b64url_alphabet[v >> 6 & 63];
	}
	out[o] = '\0';
	return out;
}

char *
forge_token(const void *header, size_t hlen, const void *payload,
    size_t plen, const char *hs, const void *key, size_t keylen)
{
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0;
	const EVP_MD	*md = NULL;
	char		*h = NULL, *p = NULL, *s = NULL, *out = NULL;
	size_t		 hl, pl, sl;

	if (hs != NULL) {
		if (strcmp(hs, "HS256") == 0)
			md = EVP_sha256();
		else if (strcmp(hs, "HS384") == 0)
			md = EVP_sha384();
		else if (strcmp(hs, "HS512") == 0)
			md = EVP_sha512();
		else
			return NULL;
	}
	if ((h = forge_b64url(header, hlen)) == NULL ||
	    (p = forge_b64url(payload, plen)) == NULL)
		goto done;
	hl = strlen(h);
	pl = strlen(p);
	/* Room for "h.p." and the longest signature's 86 characters. */
	if ((out = malloc(hl + pl + 2 + 88 + 1)) == NULL)
		goto done;
	memcpy(out, h, hl);
	out[hl] = '.';
	memcpy(out + hl + 1, p, pl);
	out[hl + 1 + pl] = '\0';
	if (md != NULL) {
		if (keylen > INT32_MAX || HMAC(md, key, (int)keylen,
		    (const unsigned char *)out, hl + 1 + pl, mac,
		    &maclen) == NULL || (s = forge_b64url(mac, maclen)) == NULL) {
			free(out);
			out = NULL;
			goto done;
		}
	}
	sl = s != NULL ? strlen(s) : 0;
	out[hl + 1 + pl] = '.';
	if (sl > 0)
		memcpy(out + hl + 2 + pl, s, sl);
	out[hl + 2 + pl + sl] = '\0';
done:
	free(h);
	free(p);
	free(s);
	return out;
}

char *
forge_token_str(const char *header, const char *payload, const char *hs,
    const void *key, size_t keylen)
{
	return forge_token(header, strlen(header), payload, strlen(payload),
	    hs, key, keylen);
}
