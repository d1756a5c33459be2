/* token_cache.h -- remember verified tokens, so a client's next request skips the crypto */
#ifndef FCGI_AUTH_TOKEN_CACHE_H
#define FCGI_AUTH_TOKEN_CACHE_H

#include <stddef.h>
#include <time.h>

#include "cfg.h"
#include "token.h"

/*
 * A client sends the same token with every request for its lifetime, and
 * verifying it is most of what a token check costs (libjwt parses it again
 * and keys a new HMAC each time).  The cache keeps the claims of tokens
 * that verified, keyed by their exact bytes; a token is found only if it
 * is byte for byte one that passed token_verify under the same
 * configuration, and its times are checked again (token_claims_current) at
 * every use.  Only passing tokens are kept, so an attacker can fill it
 * with nothing but tokens they could already use.  What the users file
 * says (the user, the role, disabled, the version) is not cached.
 */
#define TOKEN_CACHE_SLOTS	256	/* direct-mapped: a new token evicts */
#define TOKEN_CACHE_MAX_BYTES	1024	/* longer tokens are not kept */

struct token_cache;

/*
 * A cache for tokens verified under cfg, which must outlive it.  Returns
 * NULL if out of memory.  token_cache_free wipes the tokens it held;
 * token_cache_free(NULL) is a no-op.
 */
struct token_cache *token_cache_new(const struct cfg *cfg);
void		 token_cache_free(struct token_cache *cache);

/*
 * token_verify(), answered from the cache when this exact token passed
 * before.  The same results as token_verify at every time now.
 */
enum token_result token_cache_verify(struct token_cache *cache,
		    const char *token, size_t len, time_t now,
		    struct token_claims *claims);

#endif /* FCGI_AUTH_TOKEN_CACHE_H */
