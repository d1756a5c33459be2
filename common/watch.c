/* watch.c -- a file re-read when it changes: bounded, settled, racily clean */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "watch.h"

/* What identifies one version of the file on disk. */
struct file_id {
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtim;
};

/* One version as read: who it was, what it held, and when. */
struct version {
	struct file_id	 id;
	uint64_t	 hash;		/* of the content */
	long long	 read_ms;	/* real time just before the read */
	int		 clean;		/* mtime WATCH_RACY_MS older than that */
};

struct watch {
	char		 path[PATH_MAX];
	size_t		 max_bytes;
	int		 interval_ms;
	struct watch_clock clock;
	struct version	 cur;		/* the version read last */
	struct version	 next;		/* handed out, awaiting watch_done */
	int		 pending;
	long long	 checked_ms;	/* monotonic time of the last look */
	long long	 edit_seen_ms;	/* an edit in place first seen, or -1 */
	int		 problem;	/* errno of the problem last reported */
	struct file_id	 problem_id;	/* ...and the version it concerned */
};

static long long sys_mono_ms(void *);
static long long sys_real_ms(void *);
static void	file_id_of(const struct stat *, struct file_id *);
static int	file_id_eq(const struct file_id *, const struct file_id *);
static long long mtime_ms(const struct file_id *);
static uint64_t	content_hash(const char *, size_t);
static void	version_set(struct version *, const struct stat *,
		    const char *, size_t, long long);
static int	settling(struct watch *, const struct file_id *, long long,
		    long long);
static int	report(struct watch *, int, const struct file_id *);
static void	wipe_free(char *, size_t);

const struct watch_clock watch_system_clock = {
	sys_mono_ms, sys_real_ms, NULL
};

static long long
sys_mono_ms(void *arg)
{
	(void)arg;
	return clock_ms(CLOCK_MONOTONIC_COARSE);
}

static long long
sys_real_ms(void *arg)
{
	(void)arg;
	return clock_ms(CLOCK_REALTIME);
}

static void
file_id_of(const struct stat *st, struct file_id *id)
{
	memset(id, 0, sizeof(*id));
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->size = st->st_size;
	id->mtim = st->st_mtim;
}

static int
file_id_eq(const struct file_id *a, const struct file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	    a->mtim.tv_sec == b->mtim.tv_sec &&
	    a->mtim.tv_nsec == b->mtim.tv_nsec;
}

/* Rounded down, as a coarse file system rounds its timestamps. */
static long long
mtime_ms(const struct file_id *id)
{
	return (long long)id->mtim.tv_sec * 1000 + id->mtim.tv_nsec / 1000000;
}

/*
 * 64-bit FNV-1a over 8-byte words, then the tail byte by byte.  Each step
 * is a bijection of the state, so two contents of one size that differ in
 * a single word never collide; otherwise a collision is a 2^-64 chance.
 * The content is not an attacker's: whoever writes the file owns the
 * service, so no keyed hash is needed.
 */
static uint64_t
content_hash(const char *buf, size_t len)
{
	uint64_t	 h = 0xcbf29ce484222325ULL, w;
	size_t		 i = 0;

	for (; len - i >= sizeof(w); i += sizeof(w)) {
		memcpy(&w, buf + i, sizeof(w));
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
	}
	for (; i < len; i++)
		h = (h ^ (unsigned char)buf[i]) * 0x100000001b3ULL;
	return h ^ (uint64_t)len;
}

static void
version_set(struct version *v, const struct stat *st, const char *buf,
    size_t len, long long read_ms)
{
	file_id_of(st, &v->id);
	v->hash = content_hash(buf, len);
	v->read_ms = read_ms;
	v->clean = read_ms - mtime_ms(&v->id) >= WATCH_RACY_MS;
}

static void
wipe_free(char *buf, size_t len)
{
	if (buf == NULL)
		return;
	/* Callers read secrets' neighbours (password hashes) with this. */
	explicit_bzero(buf, len);
	free(buf);
}

int
watch_read(const char *path, size_t max_bytes, char **out, size_t *outlen,
    struct stat *stp, char *err, size_t errlen)
{
	struct stat	 st, again;
	char		*buf = NULL, extra;
	size_t		 len = 0, size = 0;
	ssize_t		 n;
	int		 fd, ret = -1, saved_errno;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return log_seterr(err, errlen, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == -1) {
		log_seterr(err, errlen, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		log_seterr(err, errlen, "%s: not a regular file", path);
		goto done;
	}
	if (st.st_size < 0 || (uintmax_t)st.st_size > max_bytes ||
	    (uintmax_t)st.st_size >= SIZE_MAX) {
		errno = EFBIG;
		log_seterr(err, errlen, "%s: larger than %zu bytes", path,
		    max_bytes);
		goto done;
	}
	size = (size_t)st.st_size;
	if ((buf = malloc(size + 1)) == NULL) {
		log_seterr(err, errlen, "out of memory");
		goto done;
	}
	while (len < size) {
		n = read(fd, buf + len, size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_seterr(err, errlen, "%s: %s", path, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	/*
	 * An edit in place (nobody's lock keeps it out) may have shrunk the
	 * file, grown it past what fstat said, or changed it under us: what
	 * we hold is then no version of it.  A same-size rewrite within one
	 * timestamp tick goes unseen here; the caller's racily-clean check
	 * reads the file again.
	 */
	if (len != size || read(fd, &extra, 1) != 0 ||
	    fstat(fd, &again) == -1 || again.st_size != st.st_size ||
	    again.st_mtim.tv_sec != st.st_mtim.tv_sec ||
	    again.st_mtim.tv_nsec != st.st_mtim.tv_nsec) {
		errno = EAGAIN;
		log_seterr(err, errlen, "%s: changed while being read; try "
		    "again", path);
		goto done;
	}
	buf[len] = '\0';
	if (stp != NULL)
		*stp = st;
	*out = buf;
	*outlen = len;
	buf = NULL;
	ret = 0;
done:
	saved_errno = errno;
	wipe_free(buf, size);
	(void)close(fd);
	errno = saved_errno;
	return ret;
}

struct watch *
watch_open(const char *path, size_t max_bytes, int interval_ms,
    const struct watch_clock *clock, char **buf, size_t *len, char *err,
    size_t errlen)
{
	struct watch	*w;
	struct stat	 st;
	long long	 real;
	int		 n;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		log_seterr(err, errlen, "out of memory");
		return NULL;
	}
	n = snprintf(w->path, sizeof(w->path), "%s", path);
	if (n < 0 || (size_t)n >= sizeof(w->path)) {
		log_seterr(err, errlen, "path too long");
		free(w);
		return NULL;
	}
	w->max_bytes = max_bytes;
	w->interval_ms = interval_ms;
	w->clock = clock != NULL ? *clock : watch_system_clock;
	real = w->clock.real_ms(w->clock.arg);
	if (watch_read(path, max_bytes, buf, len, &st, err, errlen) == -1) {
		free(w);
		return NULL;
	}
	version_set(&w->cur, &st, *buf, *len, real);
	w->checked_ms = w->clock.mono_ms(w->clock.arg);
	w->edit_seen_ms = -1;
	return w;
}

void
watch_free(struct watch *w)
{
	free(w);
}

const char *
watch_path(const struct watch *w)
{
	return w->path;
}

/*
 * Whether a version edited in place must be left alone a little longer
 * (see WATCH_SETTLE_MS).  A future mtime (a copied file, a clock step)
 * is not a fresh edit.
 */
static int
settling(struct watch *w, const struct file_id *id, long long mono,
    long long real)
{
	long long	 age_ms = real - mtime_ms(id);

	if (id->dev != w->cur.id.dev || id->ino != w->cur.id.ino)
		return 0;
	if (w->edit_seen_ms < 0)
		w->edit_seen_ms = mono;
	return age_ms >= 0 && age_ms < WATCH_SETTLE_MS &&
	    mono - w->edit_seen_ms < WATCH_SETTLE_MAX_MS;
}

/*
 * A problem found while looking: -1 to have the caller report it, or 0
 * if it is the one reported last (the same cause, the same version), so
 * that a file that stays broken is reported once, not per request.
 */
static int
report(struct watch *w, int errnum, const struct file_id *id)
{
	struct file_id	 none;

	if (id == NULL) {
		memset(&none, 0, sizeof(none));
		id = &none;
	}
	if (errnum == w->problem && file_id_eq(id, &w->problem_id))
		return 0;
	w->problem = errnum;
	w->problem_id = *id;
	return -1;
}

int
watch_poll(struct watch *w, enum watch_mode mode, char **out,
    size_t *outlen, char *err, size_t errlen)
{
	struct stat	 st;
	struct file_id	 id;
	struct version	 v;
	char		*buf;
	size_t		 len;
	long long	 mono, real;
	int		 same;

	w->pending = 0;
	mono = w->clock.mono_ms(w->clock.arg);
	if (mode == WATCH_DUE && mono - w->checked_ms < w->interval_ms)
		return 0;
	w->checked_ms = mono;

	if (stat(w->path, &st) == -1) {
		log_seterr(err, errlen, "%s: %s", w->path, strerror(errno));
		return report(w, errno, NULL);
	}
	file_id_of(&st, &id);
	same = file_id_eq(&id, &w->cur.id);
	/* The hot path: a version known to be old, still there. */
	if (same && w->cur.clean)
		goto unchanged;
	real = w->clock.real_ms(w->clock.arg);
	/*
	 * No shortcut for an mtime in the future (an NFS server's clock
	 * ahead of ours, a copied file): that server stamps the next write
	 * with its own time, within the same tick, so only the content tells
	 * the two apart.  Such a version stays racy until our clock is
	 * WATCH_RACY_MS past its mtime, and each look until then reads it
	 * again and hashes it: one bounded read (max_bytes) per interval_ms,
	 * no more, for as long as the server's clock is ahead.
	 */
	if (!same && mode != WATCH_FORCE && settling(w, &id, mono, real))
		return 0;

	if (watch_read(w->path, w->max_bytes, &buf, &len, &st, err,
	    errlen) == -1) {
		if (errno == EAGAIN)
			return 0;	/* being edited: the next check */
		return report(w, errno, &id);
	}
	version_set(&v, &st, buf, len, real);
	if (v.hash == w->cur.hash && v.id.size == w->cur.id.size) {
		/* The same content (touched, copied, or racily clean). */
		wipe_free(buf, len);
		w->cur = v;
		goto unchanged;
	}
	/* Racily clean until now: an edit in place, found by its content. */
	if (same && mode != WATCH_FORCE && settling(w, &v.id, mono, real)) {
		wipe_free(buf, len);
		return 0;
	}
	w->edit_seen_ms = -1;
	w->problem = 0;
	w->next = v;
	w->pending = 1;
	*out = buf;
	*outlen = len;
	return 1;
unchanged:
	w->edit_seen_ms = -1;
	w->problem = 0;
	return 0;
}

void
watch_done(struct watch *w)
{
	if (!w->pending)
		return;
	w->cur = w->next;
	w->pending = 0;
}
