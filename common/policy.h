/* policy.h -- the access policy file: who may make which request */
#ifndef FCGI_AUTH_POLICY_H
#define FCGI_AUTH_POLICY_H

#include <stddef.h>

#include "watch.h"

/*
 * Two kinds of line, fields separated by spaces or tabs; '#' starts a
 * comment line, blank lines are ignored:
 *
 *   role ROLE SCOPE...          the scopes ROLE grants (none is fine)
 *   allow METHODS PATH WHO      who may make that request
 *
 *   ROLE     a role as the users file writes it (users_valid_role)
 *   SCOPE    an RFC 6749 scope-token (%x21 / %x23-5B / %x5D-7E), 1 to
 *            POLICY_SCOPE_MAX bytes; at most POLICY_ROLE_SCOPES_MAX a
 *            role, each once, POLICY_SCOPES_MAX_BYTES in all (space-
 *            separated, as a token carries them)
 *   METHODS  "*", or a comma list of RFC 9110 method tokens (compared
 *            case-sensitively: HEAD is not GET)
 *   PATH     absolute, written as policy_normalize leaves it (the file is
 *            refused otherwise); ending in '/' it covers that subtree (the
 *            path and everything below), else exactly that path and that
 *            path followed by one '/'
 *   WHO      "anyone" | "authenticated" | "role=R1,R2" | "scope=S1,S2"
 *
 * A role line per role.  A line that breaks these rules, or a file over
 * a limit, refuses the whole file (a skipped rule could open or close
 * access unexpectedly): at start that is a bad configuration, later the
 * last good copy stays and one log line names the line number.
 *
 * Matching (policy_match): the rule with the longest PATH covering the
 * request's path wins, whatever its method; among the rules with exactly
 * that PATH, the first in the file that lists the method or "*".  If none
 * lists it, nothing matches: there is no falling back to a shorter PATH.
 * No match is a refusal (deny by default).
 */
#define POLICY_FILE_MAX_BYTES	(1024UL * 1024)
#define POLICY_LINE_MAX		4096
#define POLICY_RULES_MAX	10000	/* role and allow lines */
#define POLICY_SCOPE_MAX	64
#define POLICY_ROLE_SCOPES_MAX	64
#define POLICY_SCOPES_MAX_BYTES	2048	/* = TOKEN_SCOPE_MAX (authz.c) */
#define POLICY_METHOD_MAX	64
/* A request target is refused past this, before decoding. */
#define POLICY_PATH_MAX		4096
/* Looked at as often as the users file (watch.h). */
#define POLICY_CHECK_INTERVAL_MS	250

/* Who a rule lets in. */
enum policy_who {
	POLICY_ANYONE,		/* no token needed; a valid one still counts */
	POLICY_AUTHENTICATED,	/* any valid token of an active user */
	POLICY_ROLE,		/* ... whose role is one of names */
	POLICY_SCOPE,		/* ... whose effective scopes hold all names */
};

/* One allow line.  Borrowed until the next policy_refresh. */
struct policy_rule {
	const char	*methods;	/* "*", or "GET,HEAD" as written */
	const char	*path;
	enum policy_who	 who;
	const char	*names;		/* role= or scope= list, "R1,R2"; "" */
	size_t		 lineno;
};

struct policy;
struct watch_clock;

/*
 * Load the policy file at path, watched by watch.c on clock (NULL: the
 * system's).  Returns NULL with one line in err (the file and, for a bad
 * line, its number and what is wrong, never its text) if it cannot be
 * read or is refused.  policy_free(NULL) is a no-op.
 */
struct policy	*policy_open(const char *path,
		    const struct watch_clock *clock, char *err, size_t errlen);
void		 policy_free(struct policy *p);

/*
 * Parse an in-memory image of a policy file (tests, fuzzing); the buffer
 * is copied.  Returns NULL with err set if it is refused.
 */
struct policy	*policy_from_buffer(const char *buf, size_t len, char *err,
		    size_t errlen);

/*
 * Re-read the file if it changed, when mode says to look (watch.h).  A
 * version that cannot be read or is refused keeps the last good copy and
 * is logged once, with the line number.  Returns 1 if it loaded a new
 * copy (which invalidates everything borrowed from the old one), else 0.
 */
int		 policy_refresh(struct policy *p, enum watch_mode mode);

size_t		 policy_rule_count(const struct policy *p);	/* allow lines */
size_t		 policy_role_count(const struct policy *p);	/* role lines */

/*
 * Normalise a request target (len bytes, as the web server hands it
 * over) into out, exactly once:
 *   1. an absolute-form target (scheme://authority/path) loses its
 *      scheme and authority; anything else must start with '/';
 *   2. it ends at the first raw '#' or '?';
 *   3. what is left may be POLICY_PATH_MAX bytes at most;
 *   4. %XX escapes are decoded once; an invalid escape, %00, an encoded
 *      '/' or '\', a raw '\' and any byte below 0x20 or 0x7f are refused;
 *   5. empty segments collapse, "." goes, ".." takes the segment before
 *      it (above the root: refused); a segment that is ".", ".." or
 *      empty once a ";..." suffix is cut ("..;", ".;x=1", ";x") is
 *      refused: applications behind a proxy (Tomcat) take it for one;
 *   6. a trailing '/' stays, and one follows a final "." or "..".
 * Everything else is literal and case-sensitive ("%252e" becomes "%2e",
 * "/reports./x" stays).  out must hold POLICY_PATH_MAX + 1 bytes.
 * Returns the length of out (NUL-terminated, starting with '/'), or -1
 * with *why (static, for the log) if the target is refused.
 */
long		 policy_normalize(const char *target, size_t len, char *out,
		    size_t outsize, const char **why);

/*
 * The rule for method on path (normalised, len bytes), or NULL with *why
 * (static, for the log) when no rule covers the path or none of the rules
 * of the longest covering PATH lists the method.  No allocation.
 * Borrowed until the next policy_refresh.
 */
const struct policy_rule *policy_match(const struct policy *p,
		    const char *method, const char *path, size_t len,
		    const char **why);

/* Whether role is one of a POLICY_ROLE rule's names. */
int		 policy_rule_has_role(const struct policy_rule *r,
		    const char *role);

/*
 * Whether every scope a POLICY_SCOPE rule names is in scopes (space-
 * separated).
 */
int		 policy_rule_has_scopes(const struct policy_rule *r,
		    const char *scopes);

/*
 * The scopes role grants (space-separated, in the role line's order),
 * "" if it has no role line or none listed.  Borrowed until the next
 * policy_refresh.
 */
const char	*policy_role_scopes(const struct policy *p, const char *role);

/*
 * Of the scopes role grants, those also in list (len bytes, scopes
 * separated by spaces; the same one twice counts once), space-separated
 * in the role line's order, into out (outsize bytes, enough for
 * POLICY_SCOPES_MAX_BYTES + 1).  Returns the length of out.  Effective
 * scopes are a token's and its user's role's now; a login's grant those
 * asked for and the role's.
 */
size_t		 policy_scopes_granted(const struct policy *p,
		    const char *role, const char *list, size_t len, char *out,
		    size_t outsize);

/*
 * Whether list (len bytes) asks only for scopes some role of the policy
 * grants: one or more scope-tokens separated by spaces (runs of them, and
 * spaces around, are fine).  An empty list asks for nothing: 1.
 */
int		 policy_scopes_known(const struct policy *p, const char *list,
		    size_t len);

/* Whether s (len bytes) is one scope a role line may hold. */
int		 policy_valid_scope(const char *s, size_t len);

#endif /* FCGI_AUTH_POLICY_H */
