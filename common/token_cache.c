/* token_cache.c -- remember verified tokens, so a client's next request skips the crypto */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "token_cache.h"

struct slot {
	size_t			 len;		/* 0: empty */
	char			 token[TOKEN_CACHE_MAX_BYTES];
	struct token_claims	 claims;
};

struct token_cache {
	const struct cfg	*cfg;
	unsigned long		 generation;	/* of cfg->keys, when filled */
	struct slot		 slots[TOKEN_CACHE_SLOTS];
};

static size_t	slot_of(const char *, size_t);
static int	same_token(const struct slot *, const char *, size_t);

/*
 * FNV-1a picks the slot.  Which slot a token lands in is no secret: a
 * match still needs every byte (same_token), and only tokens that passed
 * are ever stored.
 */
static size_t
slot_of(const char *token, size_t len)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;
	size_t		 i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)token[i];
		h *= 0x100000001b3ULL;
	}
	return (size_t)(h % TOKEN_CACHE_SLOTS);
}

/* Every byte compared, whatever the first difference: no timing oracle. */
static int
same_token(const struct slot *s, const char *token, size_t len)
{
	unsigned char	 diff = 0;
	size_t		 i;

	if (s->len != len)
		return 0;
	for (i = 0; i < len; i++)
		diff |= (unsigned char)(s->token[i] ^ token[i]);
	return diff == 0;
}

struct token_cache *
token_cache_new(const struct cfg *cfg)
{
	struct token_cache	*cache;

	if ((cache = calloc(1, sizeof(*cache))) == NULL)
		return NULL;
	cache->cfg = cfg;
	cache->generation = keys_generation(cfg->keys);
	return cache;
}

void
token_cache_free(struct token_cache *cache)
{
	if (cache == NULL)
		return;
	explicit_bzero(cache, sizeof(*cache));
	free(cache);
}

enum token_result
token_cache_verify(struct token_cache *cache, const char *token, size_t len,
    time_t now, struct token_claims *claims)
{
	struct slot		*s;
	enum token_result	 ret;

	/*
	 * New verifying keys: what the old ones passed is forgotten, or a
	 * removed (compromised) key's tokens would still pass from here.
	 */
	if (keys_generation(cache->cfg->keys) != cache->generation) {
		explicit_bzero(cache->slots, sizeof(cache->slots));
		cache->generation = keys_generation(cache->cfg->keys);
	}
	if (len == 0 || len > TOKEN_CACHE_MAX_BYTES)
		return token_verify(cache->cfg, token, len, now, claims);
	s = &cache->slots[slot_of(token, len)];
	if (same_token(s, token, len)) {
		if (!token_claims_current(cache->cfg, &s->claims, now))
			return TOKEN_INVALID;
		*claims = s->claims;
		return TOKEN_OK;
	}
	ret = token_verify(cache->cfg, token, len, now, claims);
	if (ret == TOKEN_OK) {
		explicit_bzero(s->token, s->len);
		memcpy(s->token, token, len);
		s->len = len;
		s->claims = *claims;
	}
	return ret;
}
