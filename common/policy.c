/* policy.c -- the access policy file: who may make which request */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "policy.h"
#include "users.h"
#include "watch.h"

#define NONE		SIZE_MAX
#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL

/* A string of the image, not NUL-terminated where it sits in a list. */
struct key {
	const char	*s;
	size_t		 len;
	uint64_t	 hash;
};

/* Distinct keys, each at its index, found by hash (open addressing). */
struct ktable {
	struct key	*keys;
	size_t		 n;
	uint32_t	*slots;		/* key index + 1; 0 is empty */
	size_t		 mask;		/* slots - 1, a power of two - 1 */
};

struct rule {
	struct policy_rule	 pub;
	int			 any_method;
	size_t			 next;	/* next rule of the same PATH, or NONE */
};

struct role {
	const char	*name;
	const char	*scopes;	/* space-separated, NUL-terminated */
	size_t		 lineno;
};

/* One parsed version of the file.  Every string points into buf. */
struct image {
	char		*buf;
	size_t		 buflen;
	struct rule	*rules;		/* allow lines, in file order */
	size_t		 nrules;
	struct ktable	 paths;		/* the rules' PATHs */
	size_t		*first;		/* per PATH: its first rule */
	struct role	*roles;		/* role lines, at their names' index */
	size_t		 nroles;
	struct ktable	 role_names;
	struct ktable	 scopes;	/* every scope some role grants */
};

struct policy {
	struct watch	*watch;		/* NULL: made from a buffer */
	struct image	*img;
};

static uint64_t	fnv(uint64_t, const char *, size_t);
static int	ktable_init(struct ktable *, size_t);
static size_t	ktable_find(const struct ktable *, const char *, size_t,
		    uint64_t);
static size_t	ktable_add(struct ktable *, const char *, size_t, int *);
static void	ktable_free(struct ktable *);
static int	is_tchar(int);
static int	is_blank(int);
static int	list_has(const char *, size_t, int, const char *, size_t);
static size_t	split_fields(char *, char **, size_t);
static int	valid_list(const char *, int (*)(const char *, size_t));
static int	valid_method(const char *, size_t);
static int	valid_role(const char *, size_t);
static int	parse_methods(const char *, int *, const char **);
static int	parse_who(char *, struct policy_rule *, const char **);
static int	parse_allow(char **, size_t, struct rule *, const char **);
static int	parse_role(char **, size_t, struct role *, size_t *,
		    const char **);
static struct image *image_parse(char *, size_t, const char *, char *,
		    size_t);
static int	image_index(struct image *, size_t, const char *, char *,
		    size_t);
static void	image_free(struct image *);
static int	hexval(int);
static size_t	scheme_len(const char *, size_t);
static size_t	longest_path(const struct image *, const char *, size_t);

static uint64_t
fnv(uint64_t h, const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= FNV_PRIME;
	}
	return h;
}

/* Room for up to n keys, the table at most half full. */
static int
ktable_init(struct ktable *t, size_t n)
{
	size_t	 nslots;

	memset(t, 0, sizeof(*t));
	for (nslots = 16; nslots <= 2 * n; nslots *= 2)
		;
	if ((t->keys = calloc(n > 0 ? n : 1, sizeof(*t->keys))) == NULL ||
	    (t->slots = calloc(nslots, sizeof(*t->slots))) == NULL)
		return -1;
	t->mask = nslots - 1;
	return 0;
}

static size_t
ktable_find(const struct ktable *t, const char *s, size_t len, uint64_t h)
{
	const struct key	*k;
	size_t			 i;

	for (i = (size_t)h & t->mask; t->slots[i] != 0; i = (i + 1) & t->mask) {
		k = &t->keys[t->slots[i] - 1];
		if (k->hash == h && k->len == len && memcmp(k->s, s, len) == 0)
			return t->slots[i] - 1;
	}
	return NONE;
}

/*
 * The index of key s, added if it is new (*added says which).  The
 * caller sized the table for every key it adds.
 */
static size_t
ktable_add(struct ktable *t, const char *s, size_t len, int *added)
{
	uint64_t	 h = fnv(FNV_OFFSET, s, len);
	size_t		 i;

	*added = 0;
	for (i = (size_t)h & t->mask; t->slots[i] != 0; i = (i + 1) & t->mask)
		if (t->keys[t->slots[i] - 1].hash == h &&
		    t->keys[t->slots[i] - 1].len == len &&
		    memcmp(t->keys[t->slots[i] - 1].s, s, len) == 0)
			return t->slots[i] - 1;
	t->keys[t->n].s = s;
	t->keys[t->n].len = len;
	t->keys[t->n].hash = h;
	t->slots[i] = (uint32_t)++t->n;
	*added = 1;
	return t->n - 1;
}

static void
ktable_free(struct ktable *t)
{
	free(t->keys);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* RFC 9110 5.6.2 tchar. */
static int
is_tchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/*
 * Whether the list (len bytes, items separated by sep; empty items, as
 * runs of separators leave, are none) holds the item s of slen bytes.
 */
static int
list_has(const char *list, size_t len, int sep, const char *s, size_t slen)
{
	const char	*p = list, *end = list + len, *e;

	while (p < end) {
		if ((e = memchr(p, sep, (size_t)(end - p))) == NULL)
			e = end;
		if ((size_t)(e - p) == slen && memcmp(p, s, slen) == 0)
			return 1;
		p = e + 1;
	}
	return 0;
}

int
policy_valid_scope(const char *s, size_t len)
{
	size_t	 i;
	int	 c;

	if (len == 0 || len > POLICY_SCOPE_MAX)
		return 0;
	/* RFC 6749 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c < 0x21 || c > 0x7e || c == '"' || c == '\\')
			return 0;
	}
	return 1;
}

/* A method name; '*' is a tchar, but here it means any method. */
static int
valid_method(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > POLICY_METHOD_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!is_tchar((unsigned char)s[i]) || s[i] == '*')
			return 0;
	return 1;
}

static int
valid_role(const char *s, size_t len)
{
	return users_valid_role(s, len);
}

/* A comma list, each item non-empty and valid. */
static int
valid_list(const char *list, int (*valid)(const char *, size_t))
{
	const char	*p = list, *e;

	for (;;) {
		e = strchr(p, ',');
		if (!valid(p, e != NULL ? (size_t)(e - p) : strlen(p)))
			return 0;
		if (e == NULL)
			return 1;
		p = e + 1;
	}
}

/*
 * Split line in place at runs of blanks into at most max fields.
 * Returns how many there are; max + 1 if there are more.
 */
static size_t
split_fields(char *line, char **f, size_t max)
{
	size_t	 n = 0;
	char	*p = line;

	for (;;) {
		while (is_blank((unsigned char)*p))
			*p++ = '\0';
		if (*p == '\0')
			return n;
		if (n == max)
			return max + 1;
		f[n++] = p;
		while (*p != '\0' && !is_blank((unsigned char)*p))
			p++;
	}
}

static int
parse_methods(const char *m, int *any, const char **why)
{
	*any = strcmp(m, "*") == 0;
	if (!*any && !valid_list(m, valid_method)) {
		*why = "METHODS must be * or a comma list of method names";
		return -1;
	}
	return 0;
}

static int
parse_who(char *who, struct policy_rule *r, const char **why)
{
	r->names = "";
	if (strcmp(who, "anyone") == 0) {
		r->who = POLICY_ANYONE;
		return 0;
	}
	if (strcmp(who, "authenticated") == 0) {
		r->who = POLICY_AUTHENTICATED;
		return 0;
	}
	if (strncmp(who, "role=", 5) == 0) {
		r->who = POLICY_ROLE;
		r->names = who + 5;
		if (!valid_list(r->names, valid_role)) {
			*why = "role= must list roles, comma-separated";
			return -1;
		}
		return 0;
	}
	if (strncmp(who, "scope=", 6) == 0) {
		r->who = POLICY_SCOPE;
		r->names = who + 6;
		if (!valid_list(r->names, policy_valid_scope)) {
			*why = "scope= must list scopes, comma-separated";
			return -1;
		}
		return 0;
	}
	*why = "WHO must be anyone, authenticated, role=... or scope=...";
	return -1;
}

/* "allow METHODS PATH WHO": f[0] is "allow". */
static int
parse_allow(char **f, size_t n, struct rule *r, const char **why)
{
	char	 norm[POLICY_PATH_MAX + 1];
	long	 len;

	if (n != 4) {
		*why = "expected allow METHODS PATH WHO";
		return -1;
	}
	memset(r, 0, sizeof(*r));
	if (parse_methods(f[1], &r->any_method, why) == -1)
		return -1;
	len = policy_normalize(f[2], strlen(f[2]), norm, sizeof(norm), why);
	if (len < 0 || (size_t)len != strlen(f[2]) ||
	    memcmp(norm, f[2], (size_t)len) != 0) {
		/* The request's path is compared normalised, so must this. */
		*why = "PATH must be absolute and normalised (no //, . or .., "
		    "%-escapes, ?, #, \\ or ;-parameters on dot segments)";
		return -1;
	}
	if (parse_who(f[3], &r->pub, why) == -1)
		return -1;
	r->pub.methods = f[1];
	r->pub.path = f[2];
	r->next = NONE;
	return 0;
}

/*
 * "role ROLE SCOPE...": f[0] is "role".  The scopes are rewritten in
 * place, from f[2] on, as one space-separated string; *nscopes gets
 * their number.
 */
static int
parse_role(char **f, size_t n, struct role *r, size_t *nscopes,
    const char **why)
{
	char	*out;
	size_t	 i, len, olen = 0;

	if (n < 2) {
		*why = "expected role ROLE SCOPE...";
		return -1;
	}
	if (!valid_role(f[1], strlen(f[1]))) {
		*why = "invalid role name";
		return -1;
	}
	if (n - 2 > POLICY_ROLE_SCOPES_MAX) {
		*why = "a role may grant at most 64 scopes";
		return -1;
	}
	r->name = f[1];
	r->scopes = "";
	*nscopes = n - 2;
	if (n == 2)
		return 0;
	out = f[2];
	for (i = 2; i < n; i++) {
		len = strlen(f[i]);
		if (!policy_valid_scope(f[i], len)) {
			*why = "invalid scope (1 to 64 printable characters, "
			    "no \" or \\)";
			return -1;
		}
		if (list_has(out, olen, ' ', f[i], len)) {
			*why = "a scope listed twice";
			return -1;
		}
		if (olen + (olen > 0) + len > POLICY_SCOPES_MAX_BYTES) {
			*why = "a role's scopes may take at most 2048 bytes, "
			    "space-separated";
			return -1;
		}
		if (olen > 0)
			out[olen++] = ' ';
		/* Moving left, over what is already read. */
		memmove(out + olen, f[i], len);
		olen += len;
	}
	out[olen] = '\0';
	r->scopes = out;
	return 0;
}

/*
 * Parse buf (len bytes and a NUL, taken over) into an image.  Any bad
 * line refuses it all: err names label, the line and why.
 */
static struct image *
image_parse(char *buf, size_t len, const char *label, char *err,
    size_t errlen)
{
	struct image	*img;
	char		*line, *nl, *end, *f[POLICY_ROLE_SCOPES_MAX + 2];
	const char	*why = NULL;
	size_t		 lineno = 0, maxlines = 1, n, nscopes = 0, ns;

	if (memchr(buf, '\0', len) != NULL) {
		log_seterr(err, errlen, "%s: contains a NUL byte", label);
		free(buf);
		return NULL;
	}
	if ((img = calloc(1, sizeof(*img))) == NULL) {
		log_seterr(err, errlen, "out of memory");
		free(buf);
		return NULL;
	}
	img->buf = buf;
	img->buflen = len;
	for (line = buf; (nl = memchr(line, '\n',
	    len - (size_t)(line - buf))) != NULL; line = nl + 1)
		maxlines++;
	if (maxlines > POLICY_RULES_MAX)
		maxlines = POLICY_RULES_MAX;
	if ((img->rules = calloc(maxlines, sizeof(*img->rules))) == NULL ||
	    (img->roles = calloc(maxlines, sizeof(*img->roles))) == NULL) {
		log_seterr(err, errlen, "out of memory");
		image_free(img);
		return NULL;
	}

	for (line = buf;; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(buf + len - line));
		end = nl != NULL ? nl : buf + len;	/* buf[len] is NUL */
		*end = '\0';
		lineno++;
		if ((size_t)(end - line) > POLICY_LINE_MAX) {
			why = "longer than 4096 bytes";
			goto bad;
		}
		if (end > line && end[-1] == '\r')
			*--end = '\0';
		n = split_fields(line, f, sizeof(f) / sizeof(f[0]));
		if (n > 0 && f[0][0] != '#') {
			if (img->nrules + img->nroles == POLICY_RULES_MAX) {
				why = "more than 10000 rules";
				goto bad;
			}
			if (strcmp(f[0], "allow") == 0) {
				if (parse_allow(f, n, &img->rules[img->nrules],
				    &why) == -1)
					goto bad;
				img->rules[img->nrules++].pub.lineno = lineno;
			} else if (strcmp(f[0], "role") == 0) {
				if (parse_role(f, n, &img->roles[img->nroles],
				    &ns, &why) == -1)
					goto bad;
				img->roles[img->nroles++].lineno = lineno;
				nscopes += ns;
			} else {
				why = "expected a role or an allow line";
				goto bad;
			}
		}
		if (nl == NULL)
			break;
	}
	if (image_index(img, nscopes, label, err, errlen) == -1) {
		image_free(img);
		return NULL;
	}
	return img;
bad:
	log_seterr(err, errlen, "%s line %zu: %s", label, lineno, why);
	image_free(img);
	return NULL;
}

/*
 * The look-up tables: PATHs to their rules (in file order), role names
 * to their lines, and every scope a role grants.  A second line for a
 * role refuses the image.
 */
static int
image_index(struct image *img, size_t nscopes, const char *label,
    char *err, size_t errlen)
{
	struct role	*r;
	size_t		*last = NULL, i, k;
	const char	*p, *e;
	int		 added;

	if (ktable_init(&img->paths, img->nrules) == -1 ||
	    ktable_init(&img->role_names, img->nroles) == -1 ||
	    ktable_init(&img->scopes, nscopes) == -1 ||
	    (img->first = calloc(img->nrules > 0 ? img->nrules : 1,
	    sizeof(*img->first))) == NULL ||
	    (last = calloc(img->nrules > 0 ? img->nrules : 1,
	    sizeof(*last))) == NULL) {
		free(last);
		return log_seterr(err, errlen, "out of memory");
	}
	for (i = 0; i < img->nrules; i++) {
		k = ktable_add(&img->paths, img->rules[i].pub.path,
		    strlen(img->rules[i].pub.path), &added);
		if (added)
			img->first[k] = i;
		else
			img->rules[last[k]].next = i;
		last[k] = i;
	}
	free(last);
	for (i = 0; i < img->nroles; i++) {
		r = &img->roles[i];
		k = ktable_add(&img->role_names, r->name, strlen(r->name),
		    &added);
		if (!added)
			return log_seterr(err, errlen, "%s line %zu: a second "
			    "line for the role of line %zu", label, r->lineno,
			    img->roles[k].lineno);
		/* Keys are added in order: role i is at index i. */
		for (p = r->scopes; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
			e = p + strcspn(p, " ");
			(void)ktable_add(&img->scopes, p, (size_t)(e - p),
			    &added);
		}
	}
	return 0;
}

static void
image_free(struct image *img)
{
	if (img == NULL)
		return;
	free(img->buf);
	free(img->rules);
	free(img->first);
	free(img->roles);
	ktable_free(&img->paths);
	ktable_free(&img->role_names);
	ktable_free(&img->scopes);
	free(img);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). */
static size_t
scheme_len(const char *s, size_t len)
{
	size_t	 i;
	int	 c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (i > 0 && ((c >= '0' && c <= '9') || c == '+' ||
		    c == '-' || c == '.'))))
			break;
	}
	return i;
}

long
policy_normalize(const char *target, size_t len, char *out, size_t outsize,
    const char **why)
{
	const char	*p = target, *end = target + len, *cut;
	size_t		 o, seg, base, n;
	int		 c, h1, h2;

	if (outsize < POLICY_PATH_MAX + 1) {
		*why = "no room";
		return -1;
	}
	/* 1. "http://host/x" (Apache passes it as it came): the path. */
	if ((n = scheme_len(p, len)) > 0 && len - n >= 3 &&
	    memcmp(p + n, "://", 3) == 0) {
		for (p += n + 3; p < end && *p != '/' && *p != '?' &&
		    *p != '#'; p++)
			;
	}
	if (p == end || *p != '/') {
		*why = "not an absolute path";
		return -1;
	}
	/* 2. The query and a fragment are no part of the path. */
	for (cut = p; cut < end && *cut != '?' && *cut != '#'; cut++)
		;
	end = cut;
	/* 3. */
	if ((size_t)(end - p) > POLICY_PATH_MAX) {
		*why = "path longer than 4096 bytes";
		return -1;
	}

	/*
	 * 4 and 5 in one pass: each segment (between raw '/'s: an encoded
	 * one is refused) is decoded into out after the '/' that ends the
	 * previous one, then judged.
	 */
	out[0] = '/';
	o = 1;
	for (p++;;) {
		seg = o;
		for (; p < end && *p != '/'; p++) {
			c = (unsigned char)*p;
			if (c == '%') {
				if (end - p < 3 || (h1 = hexval(
				    (unsigned char)p[1])) == -1 || (h2 =
				    hexval((unsigned char)p[2])) == -1) {
					*why = "an invalid %-escape";
					return -1;
				}
				c = h1 << 4 | h2;
				p += 2;
				if (c == '/' || c == '\\') {
					*why = "an encoded / or \\ (%2F, %5C)";
					return -1;
				}
			} else if (c == '\\') {
				*why = "a \\ in the path";
				return -1;
			}
			if (c < 0x20 || c == 0x7f) {
				*why = c == 0 ? "%00 in the path" :
				    "a control character in the path";
				return -1;
			}
			out[o++] = (char)c;
		}
		n = o - seg;
		/* The segment before any ";parameters", as Tomcat cuts it. */
		for (base = 0; base < n && out[seg + base] != ';'; base++)
			;
		if (n == 0)
			;			/* "//": collapsed */
		else if (n == 1 && out[seg] == '.')
			o = seg;		/* "." */
		else if (n == 2 && out[seg] == '.' && out[seg + 1] == '.') {
			if (seg == 1) {
				*why = "a .. above the root";
				return -1;
			}
			/* Back to just after the '/' before the last segment. */
			for (o = seg - 1; o > 0 && out[o - 1] != '/'; o--)
				;
		} else if (base == 0 || (base == 1 && out[seg] == '.') ||
		    (base == 2 && out[seg] == '.' && out[seg + 1] == '.')) {
			*why = "a ., .. or empty segment with ;parameters";
			return -1;
		} else if (p < end)
			out[o++] = '/';	/* the one that ends it */
		/*
		 * 6. So a trailing '/' stays, and a final "." or ".." leaves
		 * one: out then ends just after a '/'.
		 */
		if (p == end)
			break;
		p++;		/* the '/' */
	}
	out[o] = '\0';
	return (long)o;
}

/*
 * The longest PATH covering path (len > 0, normalised), as an index of
 * img->paths, or NONE.  A PATH ending in '/' covers it if it is a prefix
 * ending at one of its '/'; another PATH if it is path itself, or path
 * without its trailing '/'.  The hash of each prefix comes from the one
 * before (FNV-1a is a running hash), so this reads path once.
 */
static size_t
longest_path(const struct image *img, const char *path, size_t len)
{
	uint64_t	 h = FNV_OFFSET, before_last = FNV_OFFSET;
	size_t		 i, k, best = NONE, best_len = 0;

	for (i = 0; i < len; i++) {
		before_last = h;
		h = fnv(h, path + i, 1);
		if (path[i] == '/' &&
		    (k = ktable_find(&img->paths, path, i + 1, h)) != NONE) {
			best = k;
			best_len = i + 1;
		}
	}
	if (path[len - 1] != '/') {
		if ((k = ktable_find(&img->paths, path, len, h)) != NONE)
			best = k;
	} else if (best_len != len && len > 1 &&
	    (k = ktable_find(&img->paths, path, len - 1, before_last)) != NONE)
		best = k;
	return best;
}

const struct policy_rule *
policy_match(const struct policy *p, const char *method, const char *path,
    size_t len, const char **why)
{
	const struct image	*img = p->img;
	size_t			 k, i, mlen = strlen(method);

	if (len == 0 || (k = longest_path(img, path, len)) == NONE) {
		*why = "no rule for the path";
		return NULL;
	}
	for (i = img->first[k]; i != NONE; i = img->rules[i].next)
		if (img->rules[i].any_method ||
		    list_has(img->rules[i].pub.methods,
		    strlen(img->rules[i].pub.methods), ',', method, mlen))
			return &img->rules[i].pub;
	*why = "no rule for the method";
	return NULL;
}

int
policy_rule_has_role(const struct policy_rule *r, const char *role)
{
	return r->who == POLICY_ROLE &&
	    list_has(r->names, strlen(r->names), ',', role, strlen(role));
}

int
policy_rule_has_scopes(const struct policy_rule *r, const char *scopes)
{
	const char	*p, *e;
	size_t		 slen = strlen(scopes);

	if (r->who != POLICY_SCOPE)
		return 0;
	for (p = r->names;; p = e + 1) {
		e = p + strcspn(p, ",");
		if (!list_has(scopes, slen, ' ', p, (size_t)(e - p)))
			return 0;
		if (*e == '\0')
			return 1;
	}
}

const char *
policy_role_scopes(const struct policy *p, const char *role)
{
	size_t	 len = strlen(role), k;

	k = ktable_find(&p->img->role_names, role, len,
	    fnv(FNV_OFFSET, role, len));
	return k != NONE ? p->img->roles[k].scopes : "";
}

size_t
policy_scopes_granted(const struct policy *p, const char *role,
    const char *list, size_t len, char *out, size_t outsize)
{
	const char	*grants = policy_role_scopes(p, role), *s, *e;
	size_t		 o = 0, n;

	if (outsize == 0)
		return 0;
	for (s = grants; *s != '\0'; s = *e != '\0' ? e + 1 : e) {
		e = s + strcspn(s, " ");
		n = (size_t)(e - s);
		if (!list_has(list, len, ' ', s, n) ||
		    o + (o > 0) + n >= outsize)
			continue;
		if (o > 0)
			out[o++] = ' ';
		memcpy(out + o, s, n);
		o += n;
	}
	out[o] = '\0';
	return o;
}

int
policy_scopes_known(const struct policy *p, const char *list, size_t len)
{
	const char	*s = list, *end = list + len, *e;
	size_t		 n;

	while (s < end) {
		if ((e = memchr(s, ' ', (size_t)(end - s))) == NULL)
			e = end;
		n = (size_t)(e - s);
		if (n > 0 && (!policy_valid_scope(s, n) ||
		    ktable_find(&p->img->scopes, s, n,
		    fnv(FNV_OFFSET, s, n)) == NONE))
			return 0;
		s = e + 1;
	}
	return 1;
}

size_t
policy_rule_count(const struct policy *p)
{
	return p->img->nrules;
}

size_t
policy_role_count(const struct policy *p)
{
	return p->img->nroles;
}

struct policy *
policy_open(const char *path, const struct watch_clock *clock, char *err,
    size_t errlen)
{
	struct policy	*p;
	char		*buf;
	size_t		 len;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		log_seterr(err, errlen, "out of memory");
		return NULL;
	}
	p->watch = watch_open(path, POLICY_FILE_MAX_BYTES,
	    POLICY_CHECK_INTERVAL_MS, clock, &buf, &len, err, errlen);
	if (p->watch == NULL ||
	    (p->img = image_parse(buf, len, path, err, errlen)) == NULL) {
		watch_free(p->watch);
		free(p);
		return NULL;
	}
	return p;
}

struct policy *
policy_from_buffer(const char *image, size_t len, char *err, size_t errlen)
{
	struct policy	*p;
	char		*buf;

	if (len > POLICY_FILE_MAX_BYTES) {
		log_seterr(err, errlen, "policy: larger than %lu bytes",
		    POLICY_FILE_MAX_BYTES);
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (buf = malloc(len + 1)) == NULL) {
		free(p);
		log_seterr(err, errlen, "out of memory");
		return NULL;
	}
	memcpy(buf, image, len);
	buf[len] = '\0';
	if ((p->img = image_parse(buf, len, "policy", err, errlen)) == NULL) {
		free(p);
		return NULL;
	}
	return p;
}

void
policy_free(struct policy *p)
{
	if (p == NULL)
		return;
	image_free(p->img);
	watch_free(p->watch);
	free(p);
}

/*
 * Look at the file (watch.c decides when, and whether a version is new);
 * parse a new version, and keep the last good copy if it is refused.
 * Each problem is logged once, not per request.
 */
int
policy_refresh(struct policy *p, enum watch_mode mode)
{
	struct image	*img;
	char		 err[PATH_MAX + 256];
	char		*buf;
	size_t		 len;
	int		 r;

	if (p->watch == NULL)
		return 0;	/* made from a buffer: nothing to watch */
	if ((r = watch_poll(p->watch, mode, &buf, &len, err,
	    sizeof(err))) <= 0) {
		if (r == -1)
			log_warnx("%s; keeping the policy already loaded (%zu "
			    "rules)", err, p->img->nrules);
		return 0;
	}
	img = image_parse(buf, len, watch_path(p->watch), err, sizeof(err));
	watch_done(p->watch);
	if (img == NULL) {
		log_warnx("%s; keeping the policy already loaded (%zu rules)",
		    err, p->img->nrules);
		return 0;
	}
	image_free(p->img);
	p->img = img;
	log_info("%s: reloaded, %zu rules, %zu roles", watch_path(p->watch),
	    img->nrules, img->nroles);
	return 1;
}
