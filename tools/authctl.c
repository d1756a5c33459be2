/* authctl.c -- the users-file admin command: a thin shell on users_edit */
#include "config.h"

#include <sys/stat.h>

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "jwk.h"
#include "keys.h"
#include "log.h"
#include "password.h"
#include "session.h"
#include "store.h"
#include "token.h"
#include "users.h"
#include "users_edit.h"

/* The services' default (cfg.c), for when neither --file nor USERS_FILE. */
#define USERS_FILE_DEFAULT	SYSCONFDIR "/fcgi-auth/users"
/*
 * Where the services' settings are (the systemd units' EnvironmentFile),
 * for SESSION_STORE and ACCESS_TOKEN_TTL_MIN when the environment has
 * none; and the Redis password the units hand the services.
 */
#define ENV_FILE_DEFAULT	SYSCONFDIR "/fcgi-auth/fcgi-auth.env"
#define ENV_FILE_MAX_BYTES	(64 * 1024)
#define TTL_TEXT_MAX		16	/* ACCESS_TOKEN_TTL_MIN's value */
#define STORE_PASSWORD_DEFAULT	SYSCONFDIR "/fcgi-auth/session-store-password"
/* libxcrypt's bcrypt default cost is 5, far too cheap today. */
#define BCRYPT_COST_DEFAULT	12
/*
 * The longest password: what libxcrypt hashes (CRYPT_MAX_PASSPHRASE_SIZE
 * - 1, 511 bytes) or the services take (PASSWORD_MAX_BYTES), if less.
 */
#define PW_MAX_BYTES	(CRYPT_MAX_PASSPHRASE_SIZE - 1 < PASSWORD_MAX_BYTES ? \
			    CRYPT_MAX_PASSPHRASE_SIZE - 1 : PASSWORD_MAX_BYTES)
/* bcrypt reads no further; the rest of a longer password is ignored. */
#define BCRYPT_MAX_BYTES	72

/* Exit statuses; authctl.8 documents them. */
enum {
	EXIT_DONE = 0,		/* done; check: the password is correct */
	EXIT_FAIL = 1,		/* check: wrong password or disabled user;
				   passwords that differ; version at maximum */
	EXIT_USAGE = 2,		/* bad command line, name, role, cost or
				   password (empty, too long, NUL byte) */
	EXIT_NO_USER = 3,	/* no such user */
	EXIT_EXISTS = 4,	/* a user of that name exists */
	EXIT_FILE = 5,		/* cannot lock, read or replace the file */
	EXIT_STORE = 6,		/* the session store is down or unusable:
				   for a change, the file was changed, the
				   sessions not ended */
};

/* The exit status of a change that users_edit refused. */
static const int exit_of[] = {
	[USERS_EDIT_OK] = EXIT_DONE,
	[USERS_EDIT_INVALID] = EXIT_USAGE,
	[USERS_EDIT_NO_USER] = EXIT_NO_USER,
	[USERS_EDIT_EXISTS] = EXIT_EXISTS,
	[USERS_EDIT_LIMIT] = EXIT_FAIL,
	[USERS_EDIT_ERROR] = EXIT_FAIL,
};

/* Which options a command takes. */
#define OPT_ROLE	0x01
#define OPT_HASH	0x02	/* --scheme, --cost */
#define OPT_STDIN	0x04
#define OPT_STORE	0x08	/* --store, --store-password-file, --env-file */
#define OPT_KEY		0x10	/* --alg, --bits, --out */

/* What a command needs before it runs. */
#define CMD_NAME	0x01	/* its first argument is a user name */
#define CMD_ROLE	0x02	/* a role: --role, or its second argument */
#define CMD_HASH	0x04	/* a new password, asked twice and hashed */
#define CMD_CREATE	0x08	/* a new name; a missing file is an empty one */
#define CMD_NO_FILE	0x10	/* reads no users file: --file is moot */
#define CMD_STORE	0x20	/* needs the session store */
#define CMD_END		0x40	/* ends the user's sessions, if a store */

/* What the report of a change says after its text. */
#define SAY_VERSION	0x01	/* " (version V)" */
#define SAY_WAS		0x02	/* " (version V, was W)" */

struct opts {
	const char	*file;
	const char	*role;
	const char	*scheme;	/* NULL: yescrypt */
	const char	*cost;		/* NULL: the scheme's default */
	const char	*store;		/* --store */
	const char	*store_password;	/* --store-password-file */
	const char	*env_file;	/* --env-file */
	const char	*alg;		/* --alg */
	const char	*bits;		/* --bits */
	const char	*out;		/* --out */
	int		 use_stdin;
	int		 given;		/* OPT_* seen on the command line */
};

struct scheme {
	const char	*name;		/* "yescrypt", ... */
	const char	*prefix;	/* "$y$", ... */
	long		 cost;		/* 0: libxcrypt's default */
};

/*
 * A command.  A change to one user is run_edit with the one users_edit
 * call it makes: edit (name), edit_arg (name and the new hash or role) or
 * edit_add (name, hash, role).  It reports "NAME: did[ ROLE][ (version
 * V[, was W])]", or "NAME: same" when the user was already in that state.
 */
struct cmd {
	const char	*name;
	const char	*args;		/* the usage line after the name */
	int		 nargs;
	int		 optargs;	/* how many more it may take */
	int		 opts;		/* OPT_* it takes */
	int		 flags;		/* CMD_* */
	const char	*prompt;	/* "Password": "Password for NAME: " */
	int		(*run)(const struct cmd *, const struct opts *,
			    char **);
	enum users_edit_status (*edit)(struct users_edit *, const char *);
	enum users_edit_status (*edit_arg)(struct users_edit *, const char *,
			    const char *);
	enum users_edit_status (*edit_add)(struct users_edit *, const char *,
			    const char *, const char *);
	const char	*did;
	const char	*same;		/* NULL: did, whatever the state */
	int		 says;		/* SAY_* */
	const char	*help;
};

static int	run_edit(const struct cmd *, const struct opts *, char **);
static int	cmd_list(const struct cmd *, const struct opts *, char **);
static int	cmd_check(const struct cmd *, const struct opts *, char **);
static int	cmd_hash(const struct cmd *, const struct opts *, char **);
static int	cmd_sessions(const struct cmd *, const struct opts *,
		    char **);
static int	cmd_logout(const struct cmd *, const struct opts *, char **);
static int	cmd_key(const struct cmd *, const struct opts *, char **);

static const struct cmd cmds[] = {
	{ .name = "add", .nargs = 1,
	    .args = "NAME --role ROLE [--stdin] [--scheme S] [--cost N]",
	    .opts = OPT_ROLE | OPT_HASH | OPT_STDIN,
	    .flags = CMD_NAME | CMD_ROLE | CMD_HASH | CMD_CREATE,
	    .prompt = "Password", .run = run_edit,
	    .edit_add = users_edit_add, .did = "added, role", .help =
	    "Add a user with the given role, active, at version 0.  The\n"
	    "password is asked twice on the terminal, or read from stdin.\n" },
	{ .name = "passwd", .nargs = 1,
	    .args = "NAME [--stdin] [--scheme S] [--cost N] [--store URL]",
	    .opts = OPT_HASH | OPT_STDIN | OPT_STORE,
	    .flags = CMD_NAME | CMD_HASH | CMD_END,
	    .prompt = "New password", .run = run_edit,
	    .edit_arg = users_edit_passwd, .says = SAY_VERSION,
	    .did = "password changed; tokens issued before are revoked", .help =
	    "Set a new password, hashed with the strongest scheme (or\n"
	    "--scheme), which upgrades an old or weak hash.  Raises the\n"
	    "user's version: every token issued before is refused.  With a\n"
	    "session store, the user's sessions are ended too.\n" },
	{ .name = "role", .nargs = 2, .args = "NAME ROLE",
	    .flags = CMD_NAME | CMD_ROLE, .run = run_edit,
	    .edit_arg = users_edit_role, .did = "role", .help =
	    "Change a user's role; running services use it at once.\n" },
	{ .name = "disable", .nargs = 1, .args = "NAME [--store URL]",
	    .opts = OPT_STORE, .flags = CMD_NAME | CMD_END, .run = run_edit,
	    .edit = users_edit_disable, .says = SAY_VERSION,
	    .did = "disabled; tokens issued before are revoked",
	    .same = "already disabled", .help =
	    "Refuse a user's logins and tokens.  Raises the version too, so\n"
	    "that enable does not bring back tokens issued before.  With a\n"
	    "session store, the user's sessions are ended too.\n" },
	{ .name = "enable", .nargs = 1, .args = "NAME", .flags = CMD_NAME,
	    .run = run_edit, .edit = users_edit_enable, .did = "enabled",
	    .same = "already enabled", .help =
	    "Accept a disabled user again (with new logins only).\n" },
	{ .name = "del", .nargs = 1, .args = "NAME [--store URL]",
	    .opts = OPT_STORE, .flags = CMD_NAME | CMD_END, .run = run_edit,
	    .edit = users_edit_del, .did = "deleted", .help =
	    "Delete a user: every line of that name.  With a session store,\n"
	    "the user's sessions are ended too.\n" },
	{ .name = "list", .nargs = 0, .args = "", .run = cmd_list, .help =
	    "Show each user's name, role, state, version and hash scheme\n"
	    "(never the hash), in file order.\n" },
	{ .name = "check", .nargs = 1, .args = "NAME [--stdin]",
	    .opts = OPT_STDIN, .flags = CMD_NAME, .prompt = "Password",
	    .run = cmd_check, .help =
	    "Verify a password.  Exit 0 if it is correct and the user active,\n"
	    "1 if it is wrong or the user disabled.\n" },
	{ .name = "revoke", .nargs = 1, .args = "NAME [--store URL]",
	    .opts = OPT_STORE, .flags = CMD_NAME | CMD_END, .run = run_edit,
	    .edit = users_edit_revoke, .says = SAY_WAS,
	    .did = "tokens issued before are revoked", .help =
	    "Raise the user's version: every token issued before is refused\n"
	    "with \"Token revoked\"; the user logs in again.  With a session\n"
	    "store, the user's sessions are ended too.\n" },
	{ .name = "hash", .nargs = 0,
	    .args = "[--stdin] [--scheme S] [--cost N]",
	    .opts = OPT_HASH | OPT_STDIN, .flags = CMD_HASH | CMD_NO_FILE,
	    .prompt = "Password", .run = cmd_hash, .help =
	    "Print a hash of a password read from stdin (one line; asked\n"
	    "twice if stdin is a terminal), for scripts.\n" },
	{ .name = "sessions", .nargs = 1, .args = "NAME [--store URL]",
	    .opts = OPT_STORE, .flags = CMD_NAME | CMD_NO_FILE | CMD_STORE,
	    .run = cmd_sessions, .help =
	    "List the user's live sessions, oldest first, one a line, tab-\n"
	    "separated: id, created, last refreshed, expires (UTC), the\n"
	    "address and the quoted User-Agent at login (escaped).\n" },
	{ .name = "logout", .nargs = 1, .optargs = 1,
	    .args = "NAME [--] [SESSION] [--store URL]", .opts = OPT_STORE,
	    .flags = CMD_NAME | CMD_NO_FILE | CMD_STORE, .run = cmd_logout,
	    .help =
	    "End one of the user's sessions, or all of them: they refresh no\n"
	    "more, and their access tokens are refused by every service\n"
	    "within a second.  The user's other tokens stay valid (revoke\n"
	    "ends those too).\n" },
	{ .name = "key", .nargs = 1, .optargs = KEYS_JWKS_MAX,
	    .args = "new --alg ALG [--bits N] --out FILE | "
	    "key jwks [--alg ALG] PEM...",
	    .opts = OPT_KEY, .flags = CMD_NO_FILE, .run = cmd_key, .help =
	    "new: make a key pair for ES256, ES384, RS256, RS384 or RS512\n"
	    "and write its private key to FILE (PKCS#8 PEM, mode 0600; an\n"
	    "existing FILE or a symlink is never replaced); print its kid,\n"
	    "the RFC 7638 thumbprint tokens it signs carry.\n"
	    "jwks: print the JWK Set of the public halves of the PEM private\n"
	    "keys, for JWT_KEYS_FILE.  Each key's alg is --alg, else ES256\n"
	    "for P-256, ES384 for P-384 and RS256 for RSA.\n" },
};

/* A long option's value: apart from every short option's, from 256 up. */
#define LONG(c)		(256 + (c))

static const struct option longopts[] = {
	{ "file",	required_argument,	NULL,	LONG('f') },
	{ "role",	required_argument,	NULL,	LONG('r') },
	{ "scheme",	required_argument,	NULL,	LONG('S') },
	{ "cost",	required_argument,	NULL,	LONG('C') },
	{ "stdin",	no_argument,		NULL,	LONG('i') },
	{ "store",	required_argument,	NULL,	LONG('s') },
	{ "store-password-file", required_argument, NULL, LONG('p') },
	{ "env-file",	required_argument,	NULL,	LONG('e') },
	{ "alg",	required_argument,	NULL,	LONG('a') },
	{ "bits",	required_argument,	NULL,	LONG('b') },
	{ "out",	required_argument,	NULL,	LONG('o') },
	{ "help",	no_argument,		NULL,	LONG('h') },
	{ "version",	no_argument,		NULL,	LONG('V') },
	{ NULL,		0,			NULL,	0 },
};

static const char	*users_file;
static volatile sig_atomic_t caught_signal;

/* The session store a command uses (store_start). */
static struct {
	struct store	*st;		/* NULL: none, or empty */
	int		 empty;		/* sqlite: no file yet, no sessions */
} ss;

static void	usage(void) __attribute__((noreturn));
static void	print_commands(FILE *, int);
static void	print_usage(FILE *, const struct cmd *);
static void	cmd_help(const struct cmd *);
static void	bad_option(int, const char *) __attribute__((noreturn));
static void	sid_hint(void);
static void	cli_log_sink(const char *, size_t, void *);
static const char *quoted(const char *);
static int	check_name(const char *);
static int	check_role(const char *);
static struct users_edit *open_users(int);
static int	refuse(const char *, enum users_edit_status);
static int	check_user(const struct cmd *, const char *);
static void	report(const struct cmd *, const char *, const char *,
		    const struct user *, const struct user *, const char *);
static int	flush_stdout(void);
static void	on_signal(int);
static int	read_line(int, char *, size_t, int *);
static int	ask_tty(const char *, char *, size_t, int *);
static int	get_password(const struct cmd *, const struct opts *,
		    const char *, char *, size_t);
static int	pick_scheme(const struct opts *, struct scheme *);
static int	make_hash(const struct scheme *, const char *, char *,
		    size_t);
static int	new_hash(const struct cmd *, const struct opts *,
		    const struct scheme *, const char *, char *, size_t);
static int	read_env_file(const char *, int, char *, char *);
static int	store_start(const struct cmd *, const struct opts *);
static int	store_end_sessions(const char *, char *, size_t);
static const char *store_down(void);
static void	print_time(long long);
static void	print_field(const char *);

static void
usage(void)
{
	print_commands(stderr, 0);
	exit(EXIT_USAGE);
}

/* The usage of every command: on error (stderr), or for --help. */
static void
print_commands(FILE *fp, int help)
{
	size_t	 i;

	fprintf(fp, "usage: authctl [--file PATH] COMMAND [ARGS]\n%s",
	    help ? "\n" : "commands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(fp, "  %s%s%s\n", cmds[i].name,
		    cmds[i].args[0] != '\0' ? " " : "", cmds[i].args);
	fprintf(fp, "%s\"authctl COMMAND --help\" says more; see "
	    "authctl(8).\n", help ? "\n" : "");
}

static void
print_usage(FILE *fp, const struct cmd *c)
{
	fprintf(fp, "usage: authctl %s%s%s%s\n", c->name,
	    c->args[0] != '\0' ? " " : "", c->args,
	    (c->flags & CMD_NO_FILE) ? "" : " [--file PATH]");
}

static void
cmd_help(const struct cmd *c)
{
	print_usage(stdout, c);
	printf("\n%s", c->help);
	if (c->opts & OPT_ROLE)
		printf("\n  --role ROLE    1 to %d of A-Z a-z 0-9 . _ -",
		    USERS_ROLE_MAX);
	if (c->opts & OPT_STDIN)
		printf("\n  --stdin        read the password from stdin, one "
		    "line (1 to %d bytes),\n                 not from the "
		    "terminal", PW_MAX_BYTES);
	if (c->opts & OPT_HASH)
		printf("\n  --scheme S     yescrypt (default), bcrypt or "
		    "sha512crypt"
		    "\n  --cost N       yescrypt 1-%d (default 5), bcrypt "
		    "4-%d (default %d),\n                 sha512crypt "
		    "1000-%lu rounds (default 5000)",
		    PASSWORD_YESCRYPT_COST_MAX, PASSWORD_BCRYPT_COST_MAX,
		    BCRYPT_COST_DEFAULT, PASSWORD_SHACRYPT_ROUNDS_MAX);
	if (c->opts & OPT_KEY)
		printf("\n  --alg ALG      ES256 (the one to choose), ES384, "
		    "RS256, RS384 or RS512"
		    "\n  --bits N       RSA only: %d (default) to %d"
		    "\n  --out FILE     the new private key file",
		    JWK_RSA_MIN_BITS, JWK_RSA_MAX_BITS);
	if (c->opts & OPT_STORE)
		printf("\n  --store URL    the session store (default: "
		    "$SESSION_STORE, else the\n                 SESSION_STORE "
		    "line of --env-file)"
		    "\n  --store-password-file FILE"
		    "\n                 Redis's password (default: "
		    "$SESSION_STORE_PASSWORD_FILE,\n                 else %s"
		    "\n                 if it exists)"
		    "\n  --env-file PATH"
		    "\n                 the services' settings (default:"
		    "\n                 %s)",
		    STORE_PASSWORD_DEFAULT, ENV_FILE_DEFAULT);
	if (!(c->flags & CMD_NO_FILE))
		printf("\n  --file PATH    the users file (default: "
		    "$USERS_FILE, else\n                 %s)",
		    USERS_FILE_DEFAULT);
	printf("\n\nExit status: 0 done, 1 failed (wrong password, ...), 2 usage,"
	    "\n3 no such user%s, 4 user exists, 5 cannot lock, read or write "
	    "the file,\n6 the session store is down or unusable.\n",
	    c->run == cmd_logout ? " or session" : "");
}

/*
 * What getopt_long refused (opterr is 0: it says nothing itself), with
 * the option as typed.  An optopt below LONG(0) is a short option; a
 * long one is a whole word, the last one getopt_long took.
 */
static void
bad_option(int ch, const char *word)
{
	char	 name[64], c = (char)optopt;
	size_t	 i, len, n = 0;

	if (optopt > 0 && optopt < LONG(0)) {
		name[0] = '-';
		(void)log_escape(&c, 1, name + 1, sizeof(name) - 1);
	} else
		(void)log_escape(word, strcspn(word, "="), name,
		    sizeof(name));
	if (ch == ':')
		log_warnx("option \"%s\" needs an argument", name);
	else if (optopt >= LONG(0))
		log_warnx("option \"%s\" takes no argument", name);
	else {
		/* Which long option names a prefix could be. */
		len = strcspn(word, "=");
		for (i = 0; len > 2 && longopts[i].name != NULL; i++)
			if (strncmp(longopts[i].name, word + 2, len - 2) == 0)
				n++;
		log_warnx("%s option \"%s\"", n > 1 ? "ambiguous" : "unknown",
		    name);
		sid_hint();
	}
	usage();
}

static char	**main_argv;

/*
 * A session id is base64url, so about one in 64 starts with "-", which
 * getopt takes for options.  Say so when such an id is on the line.
 */
static void
sid_hint(void)
{
	unsigned char	 raw[SESSION_SID_BYTES];
	char		 **a;

	for (a = main_argv; a != NULL && *a != NULL; a++)
		if ((*a)[0] == '-' && strlen(*a) == SESSION_SID_CHARS &&
		    session_sid_decode(*a, SESSION_SID_CHARS, raw) == 0) {
			log_warnx("a session id that starts with \"-\" goes "
			    "after \"--\": authctl logout NAME -- SESSION");
			break;
		}
}

/* Every diagnostic, ours and the library's: "authctl: ...", no time. */
static void
cli_log_sink(const char *line, size_t len, void *arg)
{
	const char	*sp;

	(void)arg;
	if ((sp = memchr(line, ' ', len)) != NULL) {
		len -= (size_t)(sp + 1 - line);
		line = sp + 1;
	}
	(void)fwrite(line, 1, len, stderr);
}

/* An argument, printable, for a message; valid until the next call. */
static const char *
quoted(const char *s)
{
	static char	 buf[4 * USERS_NAME_MAX + 8];

	return log_escape(s, strlen(s), buf, sizeof(buf));
}

static int
check_name(const char *name)
{
	if (users_valid_name(name, strlen(name)))
		return 0;
	log_warnx("invalid user name \"%s\": use 1 to %d of A-Z a-z 0-9 . _ "
	    "@ + -, not starting with - or .", quoted(name), USERS_NAME_MAX);
	return -1;
}

static int
check_role(const char *role)
{
	if (users_valid_role(role, strlen(role)))
		return 0;
	log_warnx("invalid role \"%s\": use 1 to %d of A-Z a-z 0-9 . _ -",
	    quoted(role), USERS_ROLE_MAX);
	return -1;
}

/*
 * The users file, read (USERS_EDIT_READONLY) or locked for a change,
 * waiting for another editor; NULL when it cannot be (reported).
 */
static struct users_edit *
open_users(int flags)
{
	struct users_edit	*e;
	char			 err[PATH_MAX + 128];

	e = users_edit_open(users_file, flags, (flags & USERS_EDIT_READONLY) ?
	    0 : USERS_EDIT_LOCK_WAIT_MS, err, sizeof(err));
	if (e == NULL)
		log_warnx("%s", err);
	return e;
}

/* Say why a change to name cannot be made; its exit status. */
static int
refuse(const char *name, enum users_edit_status st)
{
	if (st == USERS_EDIT_NO_USER)
		log_warnx("%s: no such user in %s", name, users_file);
	else if (st == USERS_EDIT_EXISTS)
		log_warnx("%s: a user of that name is already in %s", name,
		    users_file);
	else if (st == USERS_EDIT_LIMIT)
		log_warnx("%s: version already at %ld, the maximum, so no "
		    "token of this name can be revoked any more; a new JWT "
		    "secret ends every token", name, USERS_VERSION_MAX);
	else
		log_warnx("%s: %s", name, users_edit_status_text(st));
	return exit_of[st];
}

/*
 * Whether name is new (add) or there (passwd), without the lock: to say
 * "exists", "no such user" or why the file cannot be read before asking
 * for a password, not after.  0 or an exit status.
 */
static int
check_user(const struct cmd *c, const char *name)
{
	struct users_edit	*e;
	int			 found;

	if ((e = open_users(USERS_EDIT_READONLY | USERS_EDIT_QUIET |
	    ((c->flags & CMD_CREATE) ? USERS_EDIT_CREATE : 0))) == NULL)
		return EXIT_FILE;
	found = users_edit_lookup(e, name) != NULL;
	users_edit_free(e);
	if ((c->flags & CMD_CREATE) && found)
		return refuse(name, USERS_EDIT_EXISTS);
	if (!(c->flags & CMD_CREATE) && !found)
		return refuse(name, USERS_EDIT_NO_USER);
	return 0;
}

/*
 * A change made: the user as it was (was) and is (now; NULL if gone), and
 * what became of the sessions ("" if nothing).
 */
static void
report(const struct cmd *c, const char *name, const char *role,
    const struct user *was, const struct user *now, const char *sessions)
{
	char	 version[64] = "";

	if (c->same != NULL && now->disabled == was->disabled) {
		log_info("%s: %s%s", name, c->same, sessions);
		return;
	}
	if (c->says & SAY_WAS)
		(void)snprintf(version, sizeof(version),
		    " (version %ld, was %ld)", now->version, was->version);
	else if (c->says & SAY_VERSION)
		(void)snprintf(version, sizeof(version), " (version %ld)",
		    now->version);
	log_info("%s: %s%s%s%s%s", name, c->did, role != NULL ? " " : "",
	    role != NULL ? role : "", version, sessions);
}

static int
flush_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		log_warn("stdout");
		return EXIT_FAIL;
	}
	return EXIT_DONE;
}

static void
on_signal(int sig)
{
	caught_signal = sig;
}

/*
 * Read one line from fd into buf (size bytes with the NUL), without its
 * "\n" or "\r\n".  A longer line is read to its end and set *too_long.
 * Returns the length, or -1 (EINTR when a signal came).
 */
static int
read_line(int fd, char *buf, size_t size, int *too_long)
{
	size_t	 len = 0;
	ssize_t	 n;
	char	 c;

	*too_long = 0;
	for (;;) {
		if ((n = read(fd, &c, 1)) == -1) {
			if (errno == EINTR && caught_signal == 0)
				continue;
			explicit_bzero(buf, size);
			return -1;
		}
		if (n == 0 || c == '\n')
			break;
		if (len + 1 < size)
			buf[len++] = c;
		else
			*too_long = 1;
	}
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	return (int)len;
}

/*
 * Prompt on the terminal and read a line with echo off, as read_line.  A
 * signal that ends us restores the terminal first.  The length or -1.
 */
static int
ask_tty(const char *prompt, char *buf, size_t size, int *too_long)
{
	static const int	 sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction	 sa, old_sa[4];
	struct termios		 old, noecho;
	size_t			 i;
	int			 fd, len, saved_errno;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1 ||
	    tcgetattr(fd, &old) == -1) {
		log_warnx("no terminal to ask for the password on; use "
		    "--stdin");
		if (fd != -1)
			(void)close(fd);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: read returns */
	(void)sigemptyset(&sa.sa_mask);
	caught_signal = 0;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		(void)sigaction(sigs[i], &sa, &old_sa[i]);
	noecho = old;
	noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
	(void)tcsetattr(fd, TCSAFLUSH, &noecho);
	(void)write(fd, prompt, strlen(prompt));
	len = read_line(fd, buf, size, too_long);
	saved_errno = errno;
	(void)write(fd, "\n", 1);
	/* TCSAFLUSH: nothing typed ahead reaches the shell after us. */
	(void)tcsetattr(fd, TCSAFLUSH, &old);
	(void)close(fd);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		(void)sigaction(sigs[i], &old_sa[i], NULL);
	if (caught_signal != 0) {
		explicit_bzero(buf, size);
		(void)raise(caught_signal);
		log_warnx("interrupted");
		return -1;
	}
	if (len == -1) {
		errno = saved_errno;
		log_warn("/dev/tty");
		return -1;
	}
	return len;
}

/*
 * The password for name (NULL: for no one) into buf (PW_MAX_BYTES + 1
 * bytes): from stdin with --stdin (or for hash, when stdin is no
 * terminal), else from the terminal, twice if the command makes a new
 * one.  Returns 0 or an exit status.
 */
static int
get_password(const struct cmd *c, const struct opts *o, const char *name,
    char *buf, size_t size)
{
	char	 prompt[USERS_NAME_MAX + 32], again[PW_MAX_BYTES + 1];
	int	 len, too_long = 0, ret = EXIT_USAGE;

	(void)snprintf(prompt, sizeof(prompt), "%s%s%s: ", c->prompt,
	    name != NULL ? " for " : "", name != NULL ? name : "");
	if (o->use_stdin) {
		if ((len = read_line(STDIN_FILENO, buf, size, &too_long)) ==
		    -1)
			log_warn("stdin");
	} else if ((len = ask_tty(prompt, buf, size, &too_long)) > 0 &&
	    !too_long && (c->flags & CMD_HASH)) {
		if (ask_tty("Again: ", again, sizeof(again), &too_long) == -1)
			len = -1;
		else if (!too_long && strcmp(buf, again) != 0) {
			log_warnx("the passwords differ");
			len = -1;
		}
	}
	if (len == -1)
		ret = EXIT_FAIL;
	else if (too_long)
		log_warnx("password longer than %d bytes, the most libxcrypt "
		    "hashes", PW_MAX_BYTES);
	else if (len == 0)
		log_warnx("empty password");
	else if (strlen(buf) != (size_t)len)
		log_warnx("password contains a NUL byte");
	else
		ret = 0;
	explicit_bzero(again, sizeof(again));
	if (ret != 0)
		explicit_bzero(buf, size);
	return ret;
}

/*
 * The scheme and cost --scheme and --cost ask for; 0 or an exit status.
 * The most is what the services load (password.h): a dearer hash would
 * be a skipped line, its user locked out.
 */
static int
pick_scheme(const struct opts *o, struct scheme *s)
{
	long	 min, max;

	s->name = o->scheme != NULL ? o->scheme : "yescrypt";
	s->cost = 0;
	if (strcmp(s->name, "yescrypt") == 0) {
		s->prefix = "$y$";
		min = 1;
		max = PASSWORD_YESCRYPT_COST_MAX;
	} else if (strcmp(s->name, "bcrypt") == 0) {
		s->prefix = "$2b$";
		min = 4;
		max = PASSWORD_BCRYPT_COST_MAX;
		s->cost = BCRYPT_COST_DEFAULT;
	} else if (strcmp(s->name, "sha512crypt") == 0) {
		s->prefix = "$6$";
		min = 1000;
		max = (long)PASSWORD_SHACRYPT_ROUNDS_MAX;
	} else {
		log_warnx("unknown scheme \"%s\": use yescrypt, bcrypt or "
		    "sha512crypt", quoted(s->name));
		return EXIT_USAGE;
	}
	if (o->cost != NULL &&
	    cfg_parse_long(o->cost, min, max, &s->cost) == -1) {
		if (cfg_parse_long(o->cost, max + 1, LONG_MAX, &s->cost) == 0)
			log_warnx("--cost %ld for %s is above %ld, the most "
			    "the services load: their cap on the CPU one "
			    "login may cost (see authctl(8))", s->cost,
			    s->name, max);
		else
			log_warnx("--cost for %s must be a number from %ld "
			    "to %ld", s->name, min, max);
		return EXIT_USAGE;
	}
	return 0;
}

static int
make_hash(const struct scheme *s, const char *password, char *out,
    size_t outlen)
{
	if (strcmp(s->name, "bcrypt") == 0 &&
	    strlen(password) > BCRYPT_MAX_BYTES)
		log_warnx("warning: bcrypt uses only the first %d bytes of a "
		    "password", BCRYPT_MAX_BYTES);
	if (password_hash(password, s->prefix, (unsigned long)s->cost, out,
	    outlen) == -1) {
		log_warn("cannot hash the password with %s", s->name);
		return EXIT_FAIL;
	}
	return 0;
}

/* A new password for name, hashed into out.  0 or an exit status. */
static int
new_hash(const struct cmd *c, const struct opts *o, const struct scheme *s,
    const char *name, char *out, size_t outlen)
{
	char	 pw[PW_MAX_BYTES + 1];
	int	 ret;

	if ((ret = get_password(c, o, name, pw, sizeof(pw))) != 0)
		return ret;
	ret = make_hash(s, pw, out, outlen);
	explicit_bzero(pw, sizeof(pw));
	return ret;
}

/*
 * A change to one user: its checks, a new password if it takes one, then
 * the change under the lock, committed and reported.  An exit status.
 */
static int
run_edit(const struct cmd *c, const struct opts *o, char **argv)
{
	struct users_edit	*e;
	const struct user	*u;
	struct user		 was;
	struct scheme		 s;
	enum users_edit_status	 st;
	const char		*name = argv[0], *role = NULL;
	char			 hash[PASSWORD_HASH_MAX] = "";
	char			 err[PATH_MAX + 128], ended[64] = "";
	int			 ret, end_ret = 0;

	if ((c->flags & CMD_HASH) && (ret = pick_scheme(o, &s)) != 0)
		return ret;
	/* A store that cannot be used at all is said before any change. */
	if ((c->flags & CMD_END) && (ret = store_start(c, o)) != 0)
		return ret;
	if (c->flags & CMD_ROLE) {
		if ((role = c->nargs == 2 ? argv[1] : o->role) == NULL) {
			log_warnx("%s needs --role ROLE", c->name);
			return EXIT_USAGE;
		}
		if (check_role(role) == -1)
			return EXIT_USAGE;
	}
	if ((c->flags & CMD_HASH) && ((ret = check_user(c, name)) != 0 ||
	    (ret = new_hash(c, o, &s, name, hash, sizeof(hash))) != 0))
		return ret;

	if ((e = open_users((c->flags & CMD_CREATE) ? USERS_EDIT_CREATE :
	    0)) == NULL)
		return EXIT_FILE;
	memset(&was, 0, sizeof(was));
	if ((u = users_edit_lookup(e, name)) != NULL) {
		was.disabled = u->disabled;
		was.version = u->version;
	}
	if (c->edit_add != NULL)
		st = c->edit_add(e, name, hash, role);
	else if (c->edit_arg != NULL)
		st = c->edit_arg(e, name, (c->flags & CMD_HASH) ? hash : role);
	else
		st = c->edit(e, name);
	if (st != USERS_EDIT_OK)
		ret = refuse(name, st);
	else if (users_edit_commit(e, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		ret = EXIT_FILE;
	} else {
		/* After the change: a login in between gets the new version. */
		if (c->flags & CMD_END)
			end_ret = store_end_sessions(name, ended,
			    sizeof(ended));
		report(c, name, role, &was, users_edit_lookup(e, name), ended);
		if (end_ret != 0)
			log_warnx("%s: the sessions were not ended: %s; the "
			    "file was changed, so refresh refuses them anyway;"
			    " run \"authctl logout %s\" later to end them "
			    "now", name, store_down(), name);
		ret = end_ret != 0 ? end_ret : EXIT_DONE;
	}
	users_edit_free(e);
	return ret;
}

static int
cmd_list(const struct cmd *c, const struct opts *o, char **argv)
{
	struct users_edit	*e;
	const struct user	*u;
	size_t			 pos = 0, wname = 4, wrole = 4, n;

	(void)c;
	(void)o;
	(void)argv;
	if ((e = open_users(USERS_EDIT_READONLY)) == NULL)
		return EXIT_FILE;
	while ((u = users_edit_next(e, &pos)) != NULL) {
		if ((n = strlen(u->name)) > wname)
			wname = n;
		if ((n = strlen(u->role)) > wrole)
			wrole = n;
	}
	printf("%-*s  %-*s  %-8s  %-10s  %s\n", (int)wname, "NAME",
	    (int)wrole, "ROLE", "STATE", "VERSION", "SCHEME");
	for (pos = 0; (u = users_edit_next(e, &pos)) != NULL;)
		printf("%-*s  %-*s  %-8s  %-10ld  %s\n", (int)wname, u->name,
		    (int)wrole, u->role, u->disabled ? "disabled" : "active",
		    u->version, password_scheme_name(u->hash));
	users_edit_free(e);
	return flush_stdout();
}

static int
cmd_check(const struct cmd *c, const struct opts *o, char **argv)
{
	struct users_edit	*e;
	const struct user	*u;
	char			 pw[PW_MAX_BYTES + 1];
	int			 match = 0, ret;

	if ((e = open_users(USERS_EDIT_READONLY)) == NULL)
		return EXIT_FILE;
	if ((u = users_edit_lookup(e, argv[0])) == NULL) {
		ret = refuse(argv[0], USERS_EDIT_NO_USER);
		goto done;
	}
	if ((ret = get_password(c, o, argv[0], pw, sizeof(pw))) != 0)
		goto done;
	ret = password_verify(pw, u->hash, &match);
	explicit_bzero(pw, sizeof(pw));
	if (ret == -1) {
		log_warnx("%s: unusable password hash", argv[0]);
		ret = EXIT_FAIL;
	} else if (!match) {
		log_warnx("%s: wrong password", argv[0]);
		ret = EXIT_FAIL;
	} else if (u->disabled) {
		log_warnx("%s: password correct, but the user is disabled",
		    argv[0]);
		ret = EXIT_FAIL;
	} else {
		log_info("%s: password correct", argv[0]);
		ret = EXIT_DONE;
	}
done:
	users_edit_free(e);
	return ret;
}

static int
cmd_hash(const struct cmd *c, const struct opts *o, char **argv)
{
	struct opts	 io = *o;
	struct scheme	 s;
	char		 hash[PASSWORD_HASH_MAX];
	int		 ret;

	(void)argv;
	if ((ret = pick_scheme(o, &s)) != 0)
		return ret;
	/* For scripts: stdin, unless it is a terminal to prompt on. */
	if (!isatty(STDIN_FILENO))
		io.use_stdin = 1;
	if ((ret = new_hash(c, &io, &s, NULL, hash, sizeof(hash))) != 0)
		return ret;
	printf("%s\n", hash);
	return flush_stdout();
}

/*
 * The SESSION_STORE (store, STORE_URL_MAX + 1 bytes) and
 * ACCESS_TOKEN_TTL_MIN (ttl, TTL_TEXT_MAX bytes) lines of the services' settings
 * file at path, as systemd's EnvironmentFile= reads it: KEY=value, blank
 * lines and # or ; comments, the value maybe in double or single quotes;
 * the last line of a key counts.  A file that is not there is none,
 * unless explicit (--env-file).  Returns 0, or an exit status (said).
 */
static int
read_env_file(const char *path, int explicit, char *store, char *ttl)
{
	char		*buf = NULL, *line, *next, *eq, *key, *val, *end;
	char		*dst;
	size_t		 len = 0, n, dlen;
	ssize_t		 r;
	int		 fd, ret = EXIT_STORE;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		if (errno == ENOENT && !explicit)
			return 0;
		log_warn("%s (the services' settings, for SESSION_STORE; or "
		    "give --store)", path);
		return errno == ENOENT ? EXIT_USAGE : EXIT_STORE;
	}
	if ((buf = malloc(ENV_FILE_MAX_BYTES + 1)) == NULL) {
		log_warn("%s", path);
		goto done;
	}
	while ((r = read(fd, buf + len, ENV_FILE_MAX_BYTES + 1 - len)) != 0) {
		if (r == -1) {
			if (errno == EINTR)
				continue;
			log_warn("%s", path);
			goto done;
		}
		len += (size_t)r;
		if (len > ENV_FILE_MAX_BYTES) {
			log_warnx("%s: longer than %d bytes", path,
			    ENV_FILE_MAX_BYTES);
			goto done;
		}
	}
	buf[len] = '\0';
	for (line = buf; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line += strspn(line, " \t");
		if (*line == '#' || *line == ';' || (eq = strchr(line, '=')) ==
		    NULL)
			continue;
		for (end = eq; end > line && (end[-1] == ' ' ||
		    end[-1] == '\t'); end--)
			;
		*end = '\0';
		key = line;
		val = eq + 1 + strspn(eq + 1, " \t");
		n = strlen(val);
		while (n > 0 && strchr(" \t\r", val[n - 1]) != NULL)
			n--;
		if (n >= 2 && (val[0] == '"' || val[0] == '\'') &&
		    val[n - 1] == val[0]) {
			val++;
			n -= 2;
		}
		if (strcmp(key, "SESSION_STORE") == 0) {
			dst = store;
			dlen = STORE_URL_MAX + 1;
		} else if (strcmp(key, "ACCESS_TOKEN_TTL_MIN") == 0) {
			dst = ttl;
			dlen = TTL_TEXT_MAX;
		} else
			continue;
		if (n >= dlen) {
			log_warnx("%s: %s is too long", path, key);
			goto done;
		}
		memcpy(dst, val, n);
		dst[n] = '\0';
	}
	ret = 0;
done:
	free(buf);
	(void)close(fd);
	return ret;
}

/*
 * Find the session store (--store, else $SESSION_STORE, else the settings
 * file's) and open it, for a command that needs it (CMD_STORE: none is a
 * usage error) or ends sessions if there is one.  SQLite's file is not
 * made if it is not there: no file, no sessions (and root must not make
 * a file the services then cannot write).  Returns 0, or an exit status
 * (said).
 */
static int
store_start(const struct cmd *c, const struct opts *o)
{
	struct store_limits	 lim;
	struct stat		 sb;
	char			 file_store[STORE_URL_MAX + 1] = "";
	char			 file_ttl[TTL_TEXT_MAX] = "";
	char			 err[PATH_MAX + 256];
	const char		*url, *ttl, *pw, *env;
	long			 ttl_min = CFG_TTL_MIN_DEFAULT;
	int			 ret;

	url = o->store;
	if (url == NULL && (env = getenv("SESSION_STORE")) != NULL &&
	    env[0] != '\0')
		url = env;
	if ((ttl = getenv("ACCESS_TOKEN_TTL_MIN")) != NULL && ttl[0] == '\0')
		ttl = NULL;
	if ((url == NULL || ttl == NULL) && (ret = read_env_file(
	    o->env_file != NULL ? o->env_file : ENV_FILE_DEFAULT,
	    o->env_file != NULL, file_store, file_ttl)) != 0)
		return ret;
	if (url == NULL && file_store[0] != '\0')
		url = file_store;
	if (ttl == NULL && file_ttl[0] != '\0')
		ttl = file_ttl;

	if (url == NULL) {
		if (!(c->flags & CMD_STORE))
			return 0;	/* refresh refuses by version */
		log_warnx("no session store: give --store or set "
		    "SESSION_STORE");
		return EXIT_USAGE;
	}
	if (store_url_check(url, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return EXIT_USAGE;
	}
	/* The services' own: the end of a session outlives its tokens. */
	if (ttl != NULL && cfg_parse_long(ttl, 1, CFG_TTL_MIN_MAX,
	    &ttl_min) == -1) {
		log_warnx("ACCESS_TOKEN_TTL_MIN must be a whole number of "
		    "minutes from 1 to %d", CFG_TTL_MIN_MAX);
		return EXIT_USAGE;
	}
	store_limits_init(&lim);
	lim.keep_sec = ttl_min * 60 + TOKEN_LEEWAY_SEC;

	if (strncmp(url, "sqlite:", 7) == 0) {
		if (stat(url + 7, &sb) == -1 && errno == ENOENT) {
			ss.empty = 1;
			return 0;
		}
		pw = o->store_password;		/* store_open refuses it */
	} else {
		pw = o->store_password;
		if (pw == NULL && (env = getenv("SESSION_STORE_PASSWORD_FILE"))
		    != NULL && env[0] != '\0')
			pw = env;
		if (pw == NULL && stat(STORE_PASSWORD_DEFAULT, &sb) == 0)
			pw = STORE_PASSWORD_DEFAULT;
	}
	if ((ss.st = store_open(url, pw, &lim, NULL, err, sizeof(err))) ==
	    NULL) {
		log_warnx("%s", err);
		return EXIT_STORE;
	}
	return 0;
}

/*
 * End name's live sessions, if there is a store; out (outlen bytes) says
 * how many for the report ("; N sessions ended"), "" if no store.
 * Returns 0, or EXIT_STORE if the store is down (store_down says why).
 */
static int
store_end_sessions(const char *name, char *out, size_t outlen)
{
	long	 n = 0;

	out[0] = '\0';
	if (ss.st == NULL && !ss.empty)
		return 0;
	if (ss.st != NULL && store_end_user(ss.st, name, (long long)time(NULL),
	    &n) != STORE_OK)
		return EXIT_STORE;
	(void)snprintf(out, outlen, "; %ld session%s ended", n,
	    n == 1 ? "" : "s");
	return 0;
}

/* Why the store failed, for a message. */
static const char *
store_down(void)
{
	const char	*why;

	why = ss.st != NULL ? store_errstr(ss.st) : "";
	return why[0] != '\0' ? why : "the session store is down";
}

/* A time as ISO 8601 UTC, e.g. 2026-01-02T03:04:05Z. */
static void
print_time(long long t)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;
	char		 buf[64];

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(buf, sizeof(buf), "%lld", t);
	fputs(buf, stdout);
}

/*
 * A field from the store: the login escaped it (log_escape) before it was
 * kept; anything else that is not plain printable ASCII without spaces
 * and quotes is escaped here, so that no store can write to the terminal.
 */
static void
print_field(const char *s)
{
	char	 buf[4 * STORE_AGENT_MAX + 8];
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '"')
			break;
	fputs(s[i] == '\0' ? s : log_escape(s, strlen(s), buf, sizeof(buf)),
	    stdout);
}

static int
cmd_sessions(const struct cmd *c, const struct opts *o, char **argv)
{
	struct store_session	*s = NULL;
	size_t			 i, n = 0;
	int			 ret;

	if ((ret = store_start(c, o)) != 0 || ss.empty)
		return ret != 0 ? ret : flush_stdout();
	if ((s = calloc(STORE_LIST_MAX, sizeof(*s))) == NULL) {
		log_warn("sessions");
		return EXIT_FAIL;
	}
	if (store_list(ss.st, argv[0], (long long)time(NULL), s,
	    STORE_LIST_MAX, &n) != STORE_OK) {
		log_warnx("%s: cannot list the sessions: %s", argv[0],
		    store_down());
		free(s);
		return EXIT_STORE;
	}
	for (i = 0; i < n; i++) {
		printf("%s\t", s[i].sid);
		print_time(s[i].created);
		putchar('\t');
		print_time(s[i].last_used);
		putchar('\t');
		print_time(s[i].expires);
		putchar('\t');
		print_field(s[i].addr);
		fputs("\t\"", stdout);
		print_field(s[i].agent);
		fputs("\"\n", stdout);
	}
	if (n == STORE_LIST_MAX)
		log_warnx("%s: only the oldest %d sessions are shown", argv[0],
		    STORE_LIST_MAX);
	free(s);
	return flush_stdout();
}

static int
cmd_logout(const struct cmd *c, const struct opts *o, char **argv)
{
	struct store_session	 s;
	unsigned char		 raw[SESSION_SID_BYTES];
	const char		*name = argv[0], *sid = argv[1];
	char			 ended[64];
	long long		 now = (long long)time(NULL);
	enum store_status	 st;
	int			 ret;

	if (sid != NULL && session_sid_decode(sid, strlen(sid), raw) == -1) {
		log_warnx("invalid session id \"%s\": %d characters of "
		    "A-Z a-z 0-9 - _, as \"authctl sessions\" shows", quoted(sid),
		    SESSION_SID_CHARS);
		return EXIT_USAGE;
	}
	if ((ret = store_start(c, o)) != 0)
		return ret;
	if (sid == NULL) {
		if ((ret = store_end_sessions(name, ended, sizeof(ended))) !=
		    0) {
			log_warnx("%s: the sessions were not ended: %s", name,
			    store_down());
			return ret;
		}
		log_info("%s: %s", name, ended + 2);
		return EXIT_DONE;
	}
	/* Only a live session of name: a session id is no secret. */
	st = ss.empty ? STORE_NOT_FOUND : store_get(ss.st, sid, &s);
	if (st == STORE_OK && (strcmp(s.user, name) != 0 || s.ended != 0 ||
	    s.expires <= now))
		st = STORE_NOT_FOUND;
	if (st == STORE_OK)
		st = store_end(ss.st, sid, now);
	switch (st) {
	case STORE_OK:
		log_info("%s: session %s ended", name, sid);
		return EXIT_DONE;
	case STORE_NOT_FOUND:
		log_warnx("%s: no such session: %s", name, sid);
		return EXIT_NO_USER;
	default:
		log_warnx("%s: session %s not ended: %s", name, sid,
		    store_down());
		return EXIT_STORE;
	}
}

/* key: key pairs for JWT_ALG ES* and RS* */

/* --alg as an algorithm signed with a key pair; KEYS_ALG_NONE if not. */
static enum keys_alg
key_alg(const char *name)
{
	enum keys_alg	 alg = keys_alg_from_name(name);

	if (keys_alg_is_pair(alg))
		return alg;
	log_warnx("invalid --alg \"%s\": use ES256, ES384, RS256, RS384 or "
	    "RS512", quoted(name));
	return KEYS_ALG_NONE;
}

static int
key_new(const struct opts *o, char **argv)
{
	struct jwk	*k;
	enum keys_alg	 alg;
	unsigned long	 bits = 0;
	char		 err[PATH_MAX + 128], *end;

	if (argv[1] != NULL) {
		log_warnx("key new takes no argument: the file is --out FILE");
		return EXIT_USAGE;
	}
	if (o->alg == NULL || o->out == NULL) {
		log_warnx("key new needs --alg ALG and --out FILE");
		return EXIT_USAGE;
	}
	if ((alg = key_alg(o->alg)) == KEYS_ALG_NONE)
		return EXIT_USAGE;
	if (o->bits != NULL) {
		errno = 0;
		bits = strtoul(o->bits, &end, 10);
		if (alg != KEYS_RS256 && alg != KEYS_RS384 &&
		    alg != KEYS_RS512) {
			log_warnx("--bits is for RSA keys; %s's size is its "
			    "curve's", keys_alg_name(alg));
			return EXIT_USAGE;
		}
		if (o->bits[0] < '0' || o->bits[0] > '9' || *end != '\0' ||
		    errno != 0 || bits < JWK_RSA_MIN_BITS ||
		    bits > JWK_RSA_MAX_BITS) {
			log_warnx("invalid --bits \"%s\": RSA keys are %d to %d "
			    "bits", quoted(o->bits), JWK_RSA_MIN_BITS,
			    JWK_RSA_MAX_BITS);
			return EXIT_USAGE;
		}
	}
	if ((k = jwk_generate(alg, (unsigned int)bits, err, sizeof(err))) ==
	    NULL) {
		log_warnx("%s", err);
		return EXIT_FAIL;
	}
	if (jwk_write_pem(k, o->out, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		jwk_free(k);
		return EXIT_FILE;
	}
	printf("%s\n", jwk_kid(k));
	jwk_free(k);
	return flush_stdout();
}

/*
 * The private key in path, for alg; or, alg KEYS_ALG_NONE, for the one
 * of ES256 (P-256), ES384 (P-384) and RS256 (RSA) it fits.
 */
static struct jwk *
key_load(const char *path, enum keys_alg alg)
{
	static const enum keys_alg guess[] = {
		KEYS_ES256, KEYS_ES384, KEYS_RS256,
	};
	struct jwk	*k;
	char		 err[PATH_MAX + 256];
	size_t		 i;

	if (alg != KEYS_ALG_NONE) {
		if ((k = jwk_load_pem(path, alg, err, sizeof(err))) == NULL)
			log_warnx("%s", err);
		return k;
	}
	for (i = 0; i < sizeof(guess) / sizeof(guess[0]); i++)
		if ((k = jwk_load_pem(path, guess[i], err, sizeof(err))) !=
		    NULL)
			return k;
	log_warnx("%s (not an EC P-256 or P-384 key or an RSA key of %d to "
	    "%d bits either)", err, JWK_RSA_MIN_BITS, JWK_RSA_MAX_BITS);
	return NULL;
}

static int
key_jwks(const struct opts *o, char **argv)
{
	struct jwk	*k;
	json_object	*set, *keys, *pub, *v;
	enum keys_alg	 alg = KEYS_ALG_NONE;
	const char	*kids[KEYS_JWKS_MAX], *kid;
	size_t		 i, j, n = 0;
	int		 ret = EXIT_FAIL;

	if (o->bits != NULL || o->out != NULL) {
		log_warnx("key jwks takes no --bits or --out: it prints the "
		    "set");
		return EXIT_USAGE;
	}
	if (argv[1] == NULL) {
		log_warnx("key jwks needs one or more PEM private key files");
		return EXIT_USAGE;
	}
	if (o->alg != NULL && (alg = key_alg(o->alg)) == KEYS_ALG_NONE)
		return EXIT_USAGE;
	if ((set = json_object_new_object()) == NULL ||
	    (keys = json_object_new_array()) == NULL) {
		json_object_put(set);
		log_warnx("out of memory");
		return EXIT_FAIL;
	}
	(void)json_object_object_add(set, "keys", keys);
	for (i = 1; argv[i] != NULL; i++) {
		if ((k = key_load(argv[i], alg)) == NULL) {
			ret = EXIT_FILE;
			goto done;
		}
		pub = jwk_public_json(k);
		jwk_free(k);
		if (pub == NULL || json_object_array_add(keys, pub) != 0) {
			json_object_put(pub);
			log_warnx("out of memory");
			goto done;
		}
		kid = NULL;
		if (json_object_object_get_ex(pub, "kid", &v))
			kid = json_object_get_string(v);
		for (j = 0; kid != NULL && j < n; j++)
			if (strcmp(kids[j], kid) == 0) {
				log_warnx("%s: the same key as an earlier "
				    "file (kid %s)", argv[i], kid);
				ret = EXIT_USAGE;
				goto done;
			}
		if (kid == NULL || n == KEYS_JWKS_MAX)
			goto done;
		kids[n++] = kid;
	}
	printf("%s\n", json_object_to_json_string_ext(set,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	ret = flush_stdout();
done:
	json_object_put(set);
	return ret;
}

static int
cmd_key(const struct cmd *c, const struct opts *o, char **argv)
{
	(void)c;
	if (strcmp(argv[0], "new") == 0)
		return key_new(o, argv);
	if (strcmp(argv[0], "jwks") == 0)
		return key_jwks(o, argv);
	log_warnx("unknown key command \"%s\": new or jwks", quoted(argv[0]));
	return EXIT_USAGE;
}

int
main(int argc, char *argv[])
{
	struct opts		 o;
	const struct cmd	*c = NULL;
	const char		*env;
	size_t			 i;
	int			 ch, help = 0, nargs, ret;

	log_init("authctl");
	log_set_sink(cli_log_sink, NULL);
	main_argv = argv;
	memset(&o, 0, sizeof(o));
	opterr = 0;
	/* Options may come before or after the command and its names. */
	while ((ch = getopt_long(argc, argv, ":f:r:h", longopts, NULL)) !=
	    -1) {
		switch (ch >= LONG(0) ? ch - LONG(0) : ch) {
		case 'f':
			o.file = optarg;
			break;
		case 'r':
			o.role = optarg;
			o.given |= OPT_ROLE;
			break;
		case 'S':
			o.scheme = optarg;
			o.given |= OPT_HASH;
			break;
		case 'C':
			o.cost = optarg;
			o.given |= OPT_HASH;
			break;
		case 'i':
			o.use_stdin = 1;
			o.given |= OPT_STDIN;
			break;
		case 's':
			o.store = optarg;
			o.given |= OPT_STORE;
			break;
		case 'p':
			o.store_password = optarg;
			o.given |= OPT_STORE;
			break;
		case 'e':
			o.env_file = optarg;
			o.given |= OPT_STORE;
			break;
		case 'a':
			o.alg = optarg;
			o.given |= OPT_KEY;
			break;
		case 'b':
			o.bits = optarg;
			o.given |= OPT_KEY;
			break;
		case 'o':
			o.out = optarg;
			o.given |= OPT_KEY;
			break;
		case 'h':
			help = 1;
			break;
		case 'V':
			printf("authctl (%s)\n", PACKAGE_STRING);
			return flush_stdout();
		default:
			bad_option(ch, argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 0 && strcmp(argv[0], "help") == 0) {
		help = 1;
		argc--;
		argv++;
	}
	if (argc == 0) {
		if (!help)
			usage();
		print_commands(stdout, 1);
		return flush_stdout();
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[0], cmds[i].name) == 0)
			c = &cmds[i];
	if (c == NULL) {
		log_warnx("unknown command \"%s\"", quoted(argv[0]));
		usage();
	}
	if (help) {
		cmd_help(c);
		return flush_stdout();
	}
	nargs = argc - 1;
	if (nargs < c->nargs || nargs > c->nargs + c->optargs) {
		if (c->optargs == 0)
			log_warnx("%s takes %d argument%s, not %d", c->name,
			    c->nargs, c->nargs == 1 ? "" : "s", nargs);
		else
			log_warnx("%s takes %d to %d arguments, not %d",
			    c->name, c->nargs, c->nargs + c->optargs, nargs);
		print_usage(stderr, c);
		return EXIT_USAGE;
	}
	if ((o.given & ~c->opts) != 0) {
		log_warnx("%s does not take %s", c->name,
		    (o.given & ~c->opts & OPT_ROLE) ? "--role" :
		    (o.given & ~c->opts & OPT_HASH) ? "--scheme or --cost" :
		    (o.given & ~c->opts & OPT_STORE) ? "--store, "
		    "--store-password-file or --env-file" :
		    (o.given & ~c->opts & OPT_KEY) ? "--alg, --bits or --out" :
		    "--stdin");
		print_usage(stderr, c);
		return EXIT_USAGE;
	}
	if ((c->flags & CMD_NAME) && check_name(argv[1]) == -1)
		return EXIT_USAGE;

	if (o.file != NULL)
		users_file = o.file;
	else if ((env = getenv("USERS_FILE")) != NULL && env[0] != '\0')
		users_file = env;
	else
		users_file = USERS_FILE_DEFAULT;
	ret = c->run(c, &o, argv + 1);
	store_free(ss.st);
	return ret;
}
