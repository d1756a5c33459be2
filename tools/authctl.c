/* authctl.c -- the users-file admin command: a thin shell on users_edit */
#include "config.h"

#include <crypt.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cfg.h"
#include "log.h"
#include "password.h"
#include "users.h"
#include "users_edit.h"

/* The services' default (cfg.c), for when neither --file nor USERS_FILE. */
#define USERS_FILE_DEFAULT	SYSCONFDIR "/fcgi-auth/users"
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
};

enum op { OP_ADD, OP_PASSWD, OP_ROLE, OP_DISABLE, OP_ENABLE, OP_REVOKE,
	OP_DEL };

/* Which options a command takes. */
#define OPT_ROLE	0x01
#define OPT_HASH	0x02	/* --scheme, --cost */
#define OPT_STDIN	0x04

struct opts {
	const char	*file;
	const char	*role;
	const char	*scheme;	/* NULL: yescrypt */
	const char	*cost;		/* NULL: the scheme's default */
	int		 use_stdin;
	int		 given;		/* OPT_* seen on the command line */
};

struct scheme {
	const char	*name;		/* "yescrypt", ... */
	const char	*prefix;	/* "$y$", ... */
	long		 cost;		/* 0: libxcrypt's default */
};

struct cmd {
	const char	*name;
	const char	*args;
	int		 nargs;
	int		 opts;
	int		(*run)(const struct opts *, char **);
	const char	*help;
};

static int	cmd_add(const struct opts *, char **);
static int	cmd_passwd(const struct opts *, char **);
static int	cmd_role(const struct opts *, char **);
static int	cmd_disable(const struct opts *, char **);
static int	cmd_enable(const struct opts *, char **);
static int	cmd_del(const struct opts *, char **);
static int	cmd_list(const struct opts *, char **);
static int	cmd_check(const struct opts *, char **);
static int	cmd_revoke(const struct opts *, char **);
static int	cmd_hash(const struct opts *, char **);

static const struct cmd cmds[] = {
	{ "add", "NAME --role ROLE [--stdin] [--scheme S] [--cost N]", 1,
	    OPT_ROLE | OPT_HASH | OPT_STDIN, cmd_add,
	    "Add a user with the given role, active, at version 0.  The\n"
	    "password is asked twice on the terminal, or read from stdin.\n" },
	{ "passwd", "NAME [--stdin] [--scheme S] [--cost N]", 1,
	    OPT_HASH | OPT_STDIN, cmd_passwd,
	    "Set a new password, hashed with the strongest scheme (or\n"
	    "--scheme), which upgrades an old or weak hash.  Raises the\n"
	    "user's version: every token issued before is refused.\n" },
	{ "role", "NAME ROLE", 2, 0, cmd_role,
	    "Change a user's role; running services use it at once.\n" },
	{ "disable", "NAME", 1, 0, cmd_disable,
	    "Refuse a user's logins and tokens.  Raises the version too, so\n"
	    "that enable does not bring back tokens issued before.\n" },
	{ "enable", "NAME", 1, 0, cmd_enable,
	    "Accept a disabled user again (with new logins only).\n" },
	{ "del", "NAME", 1, 0, cmd_del,
	    "Delete a user: every line of that name.\n" },
	{ "list", "", 0, 0, cmd_list,
	    "Show each user's name, role, state, version and hash scheme\n"
	    "(never the hash), in file order.\n" },
	{ "check", "NAME [--stdin]", 1, OPT_STDIN, cmd_check,
	    "Verify a password.  Exit 0 if it is correct and the user active,\n"
	    "1 if it is wrong or the user disabled.\n" },
	{ "revoke", "NAME", 1, 0, cmd_revoke,
	    "Raise the user's version: every token issued before is refused\n"
	    "with \"Token revoked\"; the user logs in again.\n" },
	{ "hash", "[--scheme S] [--cost N]", 0, OPT_HASH | OPT_STDIN, cmd_hash,
	    "Print a hash of a password read from stdin (one line; asked\n"
	    "twice if stdin is a terminal), for scripts.\n" },
};

static const char	*users_file;
static volatile sig_atomic_t caught_signal;

static void	usage(void) __attribute__((noreturn));
static void	cmd_usage(const struct cmd *) __attribute__((noreturn));
static void	cmd_help(const struct cmd *);
static void	cli_log_sink(const char *, size_t, void *);
static const char *quoted(const char *);
static int	check_name(const char *);
static int	exit_of(enum users_edit_status);
static int	user_exists(const char *, int *);
static void	on_signal(int);
static int	read_line(int, char *, size_t, int *);
static int	ask_tty(const char *, char *, size_t);
static int	get_password(const struct opts *, const char *, int, char *,
		    size_t);
static int	pick_scheme(const struct opts *, struct scheme *);
static int	make_hash(const struct scheme *, const char *, char *,
		    size_t);
static int	apply(const struct opts *, enum op, const char *,
		    const char *);

static void
usage(void)
{
	size_t	 i;

	fprintf(stderr, "usage: authctl [--file PATH] COMMAND [ARGS]\n"
	    "commands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(stderr, "  %s%s%s\n", cmds[i].name,
		    cmds[i].args[0] != '\0' ? " " : "", cmds[i].args);
	fprintf(stderr, "\"authctl COMMAND --help\" says more; "
	    "see authctl(8).\n");
	exit(EXIT_USAGE);
}

static void
cmd_usage(const struct cmd *c)
{
	fprintf(stderr, "usage: authctl %s%s%s [--file PATH]\n", c->name,
	    c->args[0] != '\0' ? " " : "", c->args);
	exit(EXIT_USAGE);
}

static void
cmd_help(const struct cmd *c)
{
	printf("usage: authctl %s%s%s [--file PATH]\n\n%s", c->name,
	    c->args[0] != '\0' ? " " : "", c->args, c->help);
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
	printf("\n  --file PATH    the users file (default: $USERS_FILE, "
	    "else\n                 %s)\n\n"
	    "Exit status: 0 done, 1 failed (wrong password, ...), 2 usage, "
	    "3 no such user,\n4 user exists, 5 cannot lock, read or write "
	    "the file.\n", USERS_FILE_DEFAULT);
}

/* Library warnings, without the timestamp the services' logs want. */
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
	warnx("invalid user name \"%s\": use 1 to %d of A-Z a-z 0-9 . _ @ + -"
	    ", not starting with - or .", quoted(name), USERS_NAME_MAX);
	return -1;
}

static int
exit_of(enum users_edit_status st)
{
	switch (st) {
	case USERS_EDIT_OK:
		return EXIT_DONE;
	case USERS_EDIT_INVALID:
		return EXIT_USAGE;
	case USERS_EDIT_NO_USER:
		return EXIT_NO_USER;
	case USERS_EDIT_EXISTS:
		return EXIT_EXISTS;
	case USERS_EDIT_LIMIT:
	case USERS_EDIT_ERROR:
		break;
	}
	return EXIT_FAIL;
}

/*
 * Whether name is in the file, without the lock: to say "no such user"
 * or "exists" before asking for a password, not after.  Returns 0 with
 * *found set, or -1 (reported) if the file cannot be read.
 */
static int
user_exists(const char *name, int *found)
{
	struct users_edit	*e;
	char			 err[PATH_MAX + 128];

	e = users_edit_open(users_file, USERS_EDIT_READONLY |
	    USERS_EDIT_CREATE | USERS_EDIT_QUIET, 0, err, sizeof(err));
	if (e == NULL) {
		warnx("%s", err);
		return -1;
	}
	*found = users_edit_lookup(e, name) != NULL;
	users_edit_free(e);
	return 0;
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
 * Prompt on the terminal and read a line with echo off.  A signal that
 * ends us restores the terminal first.  Returns the length or -1.
 */
static int
ask_tty(const char *prompt, char *buf, size_t size)
{
	static const int	 sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction	 sa, old_sa[4];
	struct termios		 old, noecho;
	size_t			 i;
	int			 fd, len, too_long, saved_errno;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1 ||
	    tcgetattr(fd, &old) == -1) {
		warnx("no terminal to ask for the password on; use --stdin");
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
	len = read_line(fd, buf, size, &too_long);
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
		warnx("interrupted");
		return -1;
	}
	if (len == -1) {
		errno = saved_errno;
		warn("/dev/tty");
		return -1;
	}
	if (too_long) {
		explicit_bzero(buf, size);
		warnx("password longer than %d bytes, the most libxcrypt "
		    "hashes", PW_MAX_BYTES);
		return -2;
	}
	return len;
}

/*
 * A password into buf (PW_MAX_BYTES + 1 bytes): from stdin with
 * --stdin (or for hash, when stdin is no terminal), else from the
 * terminal, twice if confirm.  Returns 0 or an exit status.
 */
static int
get_password(const struct opts *o, const char *prompt, int confirm,
    char *buf, size_t size)
{
	char	 again[PW_MAX_BYTES + 1];
	int	 len, too_long = 0, ret = EXIT_USAGE;

	if (o->use_stdin) {
		if ((len = read_line(STDIN_FILENO, buf, size, &too_long)) ==
		    -1) {
			warn("stdin");
			return EXIT_FAIL;
		}
	} else {
		if ((len = ask_tty(prompt, buf, size)) < 0)
			return len == -2 ? EXIT_USAGE : EXIT_FAIL;
		if (len > 0 && confirm) {
			if ((ret = ask_tty("Again: ", again, sizeof(again))) <
			    0) {
				ret = ret == -2 ? EXIT_USAGE : EXIT_FAIL;
				goto fail;
			}
			if (strcmp(buf, again) != 0) {
				warnx("the passwords differ");
				ret = EXIT_FAIL;
				goto fail;
			}
			ret = EXIT_USAGE;
		}
	}
	if (too_long) {
		warnx("password longer than %d bytes, the most libxcrypt "
		    "hashes", PW_MAX_BYTES);
		goto fail;
	}
	if (len == 0) {
		warnx("empty password");
		goto fail;
	}
	if (strlen(buf) != (size_t)len) {
		warnx("password contains a NUL byte");
		goto fail;
	}
	explicit_bzero(again, sizeof(again));
	return 0;
fail:
	explicit_bzero(again, sizeof(again));
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
		warnx("unknown scheme \"%s\": use yescrypt, bcrypt or "
		    "sha512crypt", quoted(s->name));
		return EXIT_USAGE;
	}
	if (o->cost != NULL &&
	    cfg_parse_long(o->cost, min, max, &s->cost) == -1) {
		if (cfg_parse_long(o->cost, max + 1, LONG_MAX, &s->cost) == 0)
			warnx("--cost %ld for %s is above %ld, the most the "
			    "services load: their cap on the CPU one login "
			    "may cost (see authctl(8))", s->cost, s->name, max);
		else
			warnx("--cost for %s must be a number from %ld to %ld",
			    s->name, min, max);
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
		warnx("warning: bcrypt uses only the first %d bytes of a "
		    "password", BCRYPT_MAX_BYTES);
	if (password_hash(password, s->prefix, (unsigned long)s->cost, out,
	    outlen) == -1) {
		warn("cannot hash the password with %s", s->name);
		return EXIT_FAIL;
	}
	return 0;
}

/* One locked change, committed; reports the outcome.  An exit status. */
static int
apply(const struct opts *o, enum op op, const char *name, const char *arg)
{
	struct users_edit	*e;
	const struct user	*u;
	enum users_edit_status	 st = USERS_EDIT_ERROR;
	char			 err[PATH_MAX + 128];
	int			 was_disabled = 0, ret = EXIT_FILE;
	long			 was_version = 0;

	e = users_edit_open(users_file, op == OP_ADD ? USERS_EDIT_CREATE : 0,
	    USERS_EDIT_LOCK_WAIT_MS, err, sizeof(err));
	if (e == NULL) {
		warnx("%s", err);
		return EXIT_FILE;
	}
	if ((u = users_edit_lookup(e, name)) != NULL) {
		was_disabled = u->disabled;
		was_version = u->version;
	}
	switch (op) {
	case OP_ADD:
		st = users_edit_add(e, name, arg, o->role);
		break;
	case OP_PASSWD:
		st = users_edit_passwd(e, name, arg);
		break;
	case OP_ROLE:
		st = users_edit_role(e, name, arg);
		break;
	case OP_DISABLE:
		st = users_edit_disable(e, name);
		break;
	case OP_ENABLE:
		st = users_edit_enable(e, name);
		break;
	case OP_REVOKE:
		st = users_edit_revoke(e, name);
		break;
	case OP_DEL:
		st = users_edit_del(e, name);
		break;
	}
	if (st != USERS_EDIT_OK) {
		if (st == USERS_EDIT_NO_USER)
			warnx("%s: no such user in %s", name, users_file);
		else if (st == USERS_EDIT_EXISTS)
			warnx("%s: a user of that name is already in %s",
			    name, users_file);
		else if (st == USERS_EDIT_LIMIT)
			warnx("%s: version already at %ld, the maximum, so "
			    "no token of this name can be revoked any more; "
			    "a new JWT secret ends every token", name,
			    USERS_VERSION_MAX);
		else
			warnx("%s: %s", name, users_edit_status_text(st));
		ret = exit_of(st);
		goto done;
	}
	if (users_edit_commit(e, err, sizeof(err)) == -1) {
		warnx("%s", err);
		goto done;
	}
	u = users_edit_lookup(e, name);
	switch (op) {
	case OP_ADD:
		warnx("%s: added, role %s", name, o->role);
		break;
	case OP_PASSWD:
		warnx("%s: password changed; tokens issued before are revoked "
		    "(version %ld)", name, u->version);
		break;
	case OP_ROLE:
		warnx("%s: role %s", name, arg);
		break;
	case OP_DISABLE:
		if (was_disabled)
			warnx("%s: already disabled", name);
		else
			warnx("%s: disabled; tokens issued before are revoked "
			    "(version %ld)", name, u->version);
		break;
	case OP_ENABLE:
		warnx("%s: %s", name, was_disabled ? "enabled" :
		    "already enabled");
		break;
	case OP_REVOKE:
		warnx("%s: tokens issued before are revoked (version %ld, "
		    "was %ld)", name, u->version, was_version);
		break;
	case OP_DEL:
		warnx("%s: deleted", name);
		break;
	}
	ret = EXIT_DONE;
done:
	users_edit_free(e);
	return ret;
}

static int
cmd_add(const struct opts *o, char **argv)
{
	struct scheme	 s;
	char		 pw[PW_MAX_BYTES + 1], hash[PASSWORD_HASH_MAX];
	char		 prompt[USERS_NAME_MAX + 32];
	int		 found, ret;

	if (check_name(argv[0]) == -1)
		return EXIT_USAGE;
	if ((ret = pick_scheme(o, &s)) != 0)
		return ret;
	if (o->role == NULL) {
		warnx("add needs --role ROLE");
		return EXIT_USAGE;
	}
	if (!users_valid_role(o->role, strlen(o->role))) {
		warnx("invalid role \"%s\": use 1 to %d of A-Z a-z 0-9 . _ -",
		    quoted(o->role), USERS_ROLE_MAX);
		return EXIT_USAGE;
	}
	if (user_exists(argv[0], &found) == -1)
		return EXIT_FILE;
	if (found) {
		warnx("%s: a user of that name is already in %s", argv[0],
		    users_file);
		return EXIT_EXISTS;
	}
	(void)snprintf(prompt, sizeof(prompt), "Password for %s: ", argv[0]);
	if ((ret = get_password(o, prompt, 1, pw, sizeof(pw))) != 0)
		return ret;
	ret = make_hash(&s, pw, hash, sizeof(hash));
	explicit_bzero(pw, sizeof(pw));
	if (ret != 0)
		return ret;
	return apply(o, OP_ADD, argv[0], hash);
}

static int
cmd_passwd(const struct opts *o, char **argv)
{
	struct scheme	 s;
	char		 pw[PW_MAX_BYTES + 1], hash[PASSWORD_HASH_MAX];
	char		 prompt[USERS_NAME_MAX + 32];
	int		 found, ret;

	if (check_name(argv[0]) == -1)
		return EXIT_USAGE;
	if ((ret = pick_scheme(o, &s)) != 0)
		return ret;
	if (user_exists(argv[0], &found) == -1)
		return EXIT_FILE;
	if (!found) {
		warnx("%s: no such user in %s", argv[0], users_file);
		return EXIT_NO_USER;
	}
	(void)snprintf(prompt, sizeof(prompt), "New password for %s: ",
	    argv[0]);
	if ((ret = get_password(o, prompt, 1, pw, sizeof(pw))) != 0)
		return ret;
	ret = make_hash(&s, pw, hash, sizeof(hash));
	explicit_bzero(pw, sizeof(pw));
	if (ret != 0)
		return ret;
	return apply(o, OP_PASSWD, argv[0], hash);
}

static int
cmd_role(const struct opts *o, char **argv)
{
	if (check_name(argv[0]) == -1)
		return EXIT_USAGE;
	if (!users_valid_role(argv[1], strlen(argv[1]))) {
		warnx("invalid role \"%s\": use 1 to %d of A-Z a-z 0-9 . _ -",
		    quoted(argv[1]), USERS_ROLE_MAX);
		return EXIT_USAGE;
	}
	return apply(o, OP_ROLE, argv[0], argv[1]);
}

static int
cmd_disable(const struct opts *o, char **argv)
{
	if (check_name(argv[0]) == -1)
		return EXIT_USAGE;
	return apply(o, OP_DISABLE, argv[0], NULL);
}

static int
cmd_enable(const struct opts *o, char **argv)
{
	if (check_name(argv[0]) == -1)
		return EXIT_USAGE;
	return apply(o, OP_ENABLE, argv[0], NULL);
}

static int
cmd_del(const struct opts *o, char **argv)
{
	if (check_name(argv[0]) == -1)
		return EXIT_USAGE;
	return apply(o, OP_DEL, argv[0], NULL);
}

static int
cmd_revoke(const struct opts *o, char **argv)
{
	if (check_name(argv[0]) == -1)
		return EXIT_USAGE;
	return apply(o, OP_REVOKE, argv[0], NULL);
}

static int
cmd_list(const struct opts *o, char **argv)
{
	struct users_edit	*e;
	const struct user	*u;
	char			 err[PATH_MAX + 128];
	size_t			 pos = 0, wname = 4, wrole = 4, n;

	(void)o;
	(void)argv;
	e = users_edit_open(users_file, USERS_EDIT_READONLY, 0, err,
	    sizeof(err));
	if (e == NULL) {
		warnx("%s", err);
		return EXIT_FILE;
	}
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
	if (fflush(stdout) == EOF || ferror(stdout)) {
		warn("stdout");
		return EXIT_FAIL;
	}
	return EXIT_DONE;
}

static int
cmd_check(const struct opts *o, char **argv)
{
	struct users_edit	*e;
	const struct user	*u;
	char			 pw[PW_MAX_BYTES + 1];
	char			 prompt[USERS_NAME_MAX + 32];
	char			 err[PATH_MAX + 128];
	int			 match = 0, ret;

	if (check_name(argv[0]) == -1)
		return EXIT_USAGE;
	e = users_edit_open(users_file, USERS_EDIT_READONLY, 0, err,
	    sizeof(err));
	if (e == NULL) {
		warnx("%s", err);
		return EXIT_FILE;
	}
	if ((u = users_edit_lookup(e, argv[0])) == NULL) {
		warnx("%s: no such user in %s", argv[0], users_file);
		ret = EXIT_NO_USER;
		goto done;
	}
	(void)snprintf(prompt, sizeof(prompt), "Password for %s: ", argv[0]);
	if ((ret = get_password(o, prompt, 0, pw, sizeof(pw))) != 0)
		goto done;
	ret = password_verify(pw, u->hash, &match);
	explicit_bzero(pw, sizeof(pw));
	if (ret == -1) {
		warnx("%s: unusable password hash", argv[0]);
		ret = EXIT_FAIL;
	} else if (!match) {
		warnx("%s: wrong password", argv[0]);
		ret = EXIT_FAIL;
	} else if (u->disabled) {
		warnx("%s: password correct, but the user is disabled",
		    argv[0]);
		ret = EXIT_FAIL;
	} else {
		warnx("%s: password correct", argv[0]);
		ret = EXIT_DONE;
	}
done:
	users_edit_free(e);
	return ret;
}

static int
cmd_hash(const struct opts *o, char **argv)
{
	struct opts	 io = *o;
	struct scheme	 s;
	char		 pw[PW_MAX_BYTES + 1], hash[PASSWORD_HASH_MAX];
	int		 ret;

	(void)argv;
	if ((ret = pick_scheme(o, &s)) != 0)
		return ret;
	/* For scripts: stdin, unless it is a terminal to prompt on. */
	if (!isatty(STDIN_FILENO))
		io.use_stdin = 1;
	if ((ret = get_password(&io, "Password: ", 1, pw, sizeof(pw))) != 0)
		return ret;
	ret = make_hash(&s, pw, hash, sizeof(hash));
	explicit_bzero(pw, sizeof(pw));
	if (ret != 0)
		return ret;
	printf("%s\n", hash);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		warn("stdout");
		return EXIT_FAIL;
	}
	return EXIT_DONE;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "file",	required_argument,	NULL,	'f' },
		{ "role",	required_argument,	NULL,	'r' },
		{ "scheme",	required_argument,	NULL,	'S' },
		{ "cost",	required_argument,	NULL,	'C' },
		{ "stdin",	no_argument,		NULL,	'i' },
		{ "help",	no_argument,		NULL,	'h' },
		{ "version",	no_argument,		NULL,	'V' },
		{ NULL,		0,			NULL,	0 },
	};
	struct opts		 o;
	const struct cmd	*c = NULL;
	const char		*env;
	size_t			 i;
	int			 ch, help = 0, nargs;

	log_init("authctl");
	log_set_sink(cli_log_sink, NULL);
	memset(&o, 0, sizeof(o));
	/* Options may come before or after the command and its names. */
	while ((ch = getopt_long(argc, argv, "f:r:h", longopts, NULL)) != -1) {
		switch (ch) {
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
		case 'h':
			help = 1;
			break;
		case 'V':
			printf("authctl (%s)\n", PACKAGE_STRING);
			return EXIT_DONE;
		default:
			usage();
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
		printf("usage: authctl [--file PATH] COMMAND [ARGS]\n\n");
		for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
			printf("  %s%s%s\n", cmds[i].name,
			    cmds[i].args[0] != '\0' ? " " : "",
			    cmds[i].args);
		printf("\n\"authctl COMMAND --help\" says more; see "
		    "authctl(8).\n");
		return EXIT_DONE;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[0], cmds[i].name) == 0)
			c = &cmds[i];
	if (c == NULL) {
		warnx("unknown command \"%s\"", quoted(argv[0]));
		usage();
	}
	if (help) {
		cmd_help(c);
		return EXIT_DONE;
	}
	nargs = argc - 1;
	if (nargs != c->nargs) {
		warnx("%s takes %d argument%s, not %d", c->name, c->nargs,
		    c->nargs == 1 ? "" : "s", nargs);
		cmd_usage(c);
	}
	if ((o.given & ~c->opts) != 0) {
		warnx("%s does not take %s", c->name,
		    (o.given & ~c->opts & OPT_ROLE) ? "--role" :
		    (o.given & ~c->opts & OPT_HASH) ? "--scheme or --cost" :
		    "--stdin");
		cmd_usage(c);
	}

	if (o.file != NULL)
		users_file = o.file;
	else if ((env = getenv("USERS_FILE")) != NULL && env[0] != '\0')
		users_file = env;
	else
		users_file = USERS_FILE_DEFAULT;
	return c->run(&o, argv + 1);
}
