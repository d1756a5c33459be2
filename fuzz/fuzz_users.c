/* fuzz_users.c -- libFuzzer target: the users-file parser and lookups */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "password.h"
#include "users.h"
#include "fuzz.h"

static void	check_lookup(const struct users *, const char *, size_t);

/*
 * Look a name up; whatever is found must be a valid entry of that name.
 * The name is copied to a heap block of exactly its size plus the NUL.
 */
static void
check_lookup(const struct users *users, const char *name, size_t len)
{
	const struct user	*u;
	char			*s;

	if ((s = malloc(len + 1)) == NULL)
		return;
	memcpy(s, name, len);
	s[len] = '\0';
	if ((u = users_lookup(users, s)) != NULL) {
		FUZZ_ASSERT(strcmp(u->name, s) == 0);
		FUZZ_ASSERT(users_valid_name(u->name, strlen(u->name)));
		FUZZ_ASSERT(users_valid_role(u->role, strlen(u->role)));
		FUZZ_ASSERT(password_hash_usable(u->hash));
		FUZZ_ASSERT(password_setting_len(u->hash) >= 3 &&
		    password_setting_len(u->hash) < strlen(u->hash));
		FUZZ_ASSERT(u->version >= 0 && u->version <= USERS_VERSION_MAX);
		FUZZ_ASSERT(u->disabled == 0 || u->disabled == 1);
		FUZZ_ASSERT(u->lineno >= 1);
	}
	free(s);
}

/*
 * Parse the input as a users file, then look up the first field of every
 * line (each user the file may hold) and a few names that are not there.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 ready;
	struct users		*users;
	const char		*p = (const char *)data, *end = p + size;
	const char		*nl, *colon;
	char			 err[256];
	size_t			 n = 0;

	if (!ready) {
		fuzz_quiet();
		ready = 1;
	}
	(void)users_valid_name(p, size);
	(void)users_valid_role(p, size);
	if ((users = users_from_buffer(p, size, err, sizeof(err))) == NULL) {
		FUZZ_ASSERT(memchr(err, '\0', sizeof(err)) != NULL);
		return 0;
	}
	/* The dummy hash is chosen by a cost model, hashing nothing. */
	FUZZ_ASSERT(users_hash_settings(users) <= 8);
	FUZZ_ASSERT((users_hash_settings(users) == 0) ==
	    (users_count(users) == 0));
	FUZZ_ASSERT(password_hash_usable(users_dummy_hash(users)));
	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((colon = memchr(p, ':', (size_t)(nl - p))) == NULL)
			colon = nl;
		if (memchr(p, '\0', (size_t)(colon - p)) == NULL) {
			check_lookup(users, p, (size_t)(colon - p));
			n++;
		}
		p = nl + 1;
	}
	check_lookup(users, "", 0);
	check_lookup(users, "nobody-here", 11);
	FUZZ_ASSERT(users_count(users) <= n);
	users_free(users);
	return 0;
}
