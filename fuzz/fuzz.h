/* fuzz.h -- what the libFuzzer targets share: a fixed clock, config and log */
#ifndef FCGI_AUTH_FUZZ_H
#define FCGI_AUTH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "log.h"
#include "token.h"
#include "token_cache.h"

/* The seeds in corpus/ are minted for this clock and this secret. */
#define FUZZ_NOW	1700000000
#define FUZZ_SECRET	"fuzz-secret-0123456789abcdefghij"	/* 32 bytes */
#define FUZZ_TTL_MIN	30

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* An invariant broke: libFuzzer saves the input and stops. */
#define FUZZ_ASSERT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* The parsers log malformed input; a fuzzer would do nothing else. */
static inline void
fuzz_log_discard(const char *line, size_t len, void *arg)
{
	(void)line;
	(void)len;
	(void)arg;
}

static inline void
fuzz_quiet(void)
{
	log_init("fuzz");
	log_set_sink(fuzz_log_discard, NULL);
}

/* What fuzz_cfg_aud_iss configures as JWT_AUDIENCE and JWT_ISSUER. */
#define FUZZ_AUDIENCE	"fuzz-api"
#define FUZZ_ISSUER	"https://fuzz.example"

/*
 * An HS256 config with FUZZ_SECRET, as cfg_load would make it, with no
 * audience or issuer.  Made once per process: the key set is never freed.
 */
static inline void
fuzz_cfg(struct cfg *cfg)
{
	char	 err[256];

	memset(cfg, 0, sizeof(*cfg));
	cfg->keys = keys_new_hs(KEYS_HS256, FUZZ_SECRET, strlen(FUZZ_SECRET),
	    err, sizeof(err));
	if (cfg->keys == NULL) {
		fprintf(stderr, "fuzz_cfg: %s\n", err);
		abort();
	}
	cfg->ttl_min = FUZZ_TTL_MIN;
}

/* The same, with FUZZ_AUDIENCE and FUZZ_ISSUER set. */
static inline void
fuzz_cfg_aud_iss(struct cfg *cfg)
{
	fuzz_cfg(cfg);
	memcpy(cfg->audience, FUZZ_AUDIENCE, sizeof(FUZZ_AUDIENCE));
	memcpy(cfg->issuer, FUZZ_ISSUER, sizeof(FUZZ_ISSUER));
}

/* What every accepted token must satisfy, whatever the input was. */
static inline void
fuzz_check_claims(const struct cfg *cfg, const struct token_claims *c)
{
	size_t	 sl, rl;

	sl = strnlen(c->sub, sizeof(c->sub));
	rl = strnlen(c->role, sizeof(c->role));
	FUZZ_ASSERT(sl > 0 && sl < sizeof(c->sub));
	FUZZ_ASSERT(rl > 0 && rl < sizeof(c->role));
	FUZZ_ASSERT(c->exp > FUZZ_NOW);
	FUZZ_ASSERT(c->exp - FUZZ_NOW <=
	    (long long)cfg->ttl_min * 60 + TOKEN_LEEWAY_SEC);
	FUZZ_ASSERT(c->iat >= 0 && c->iat <= FUZZ_NOW + TOKEN_LEEWAY_SEC);
	FUZZ_ASSERT(c->iat <= c->exp);
	FUZZ_ASSERT(c->ver >= 0 && c->ver <= TOKEN_VER_MAX);
	/* Accepted only for the audience and issuer configured. */
	FUZZ_ASSERT(strcmp(c->aud, cfg->audience) == 0);
	FUZZ_ASSERT(strcmp(c->iss, cfg->issuer) == 0);
}

/*
 * The cache of verified tokens, which the endpoints go through, must give
 * token_verify's verdict r and claims: the first time, and again when it
 * answers from memory.
 */
static inline void
fuzz_check_cache(struct token_cache *cache, const char *tok, size_t len,
    enum token_result r, const struct token_claims *claims)
{
	struct token_claims	 cached;
	int			 round;

	for (round = 0; round < 2; round++) {
		FUZZ_ASSERT(token_cache_verify(cache, tok, len, FUZZ_NOW,
		    &cached) == r);
		if (r != TOKEN_OK)
			continue;
		/* Field by field: padding bytes carry no meaning. */
		FUZZ_ASSERT(strcmp(cached.sub, claims->sub) == 0);
		FUZZ_ASSERT(strcmp(cached.role, claims->role) == 0);
		FUZZ_ASSERT(cached.iat == claims->iat);
		FUZZ_ASSERT(cached.exp == claims->exp);
		FUZZ_ASSERT(cached.nbf == claims->nbf);
		FUZZ_ASSERT(cached.ver == claims->ver);
		FUZZ_ASSERT(strcmp(cached.aud, claims->aud) == 0);
		FUZZ_ASSERT(strcmp(cached.iss, claims->iss) == 0);
	}
}

#endif /* FCGI_AUTH_FUZZ_H */
