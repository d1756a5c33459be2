/* b64url.c -- unpadded base64url (RFC 4648 5): one encoder, one strict decoder */
#include "config.h"

#include <limits.h>
#include <stdint.h>

#include "b64url.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int
b64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

long
b64url_encode(const unsigned char *in, size_t len, char *out, size_t outsize)
{
	size_t		 i, o = 0, need;
	uint32_t	 v;

	if (len > (SIZE_MAX - 3) / 4)
		return -1;
	need = (len * 4 + 2) / 3;
	if (outsize == 0 || need > outsize - 1 || need > LONG_MAX)
		return -1;
	for (i = 0; len - i >= 3; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		out[o++] = alphabet[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
	} else if (len - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
	}
	out[o] = '\0';
	return (long)o;
}

long
b64url_decode(const char *in, size_t len, unsigned char *out, size_t outsize)
{
	uint32_t	 acc = 0;
	size_t		 i, o = 0, bits = 0;
	int		 v;

	if (len % 4 == 1 || len / 4 * 3 + 3 > outsize || len > LONG_MAX / 2)
		return -1;
	for (i = 0; i < len; i++) {
		if ((v = b64url_value((unsigned char)in[i])) == -1)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1U << bits) - 1;
		}
	}
	/* Leftover bits must be zero, or two strings decode alike. */
	if (acc != 0)
		return -1;
	return (long)o;
}
