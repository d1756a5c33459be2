/* watch.h -- a file re-read when it changes: bounded, settled, racily clean */
#ifndef FCGI_AUTH_WATCH_H
#define FCGI_AUTH_WATCH_H

#include <sys/stat.h>

#include <stddef.h>

/*
 * A watched file is looked at (stat(2)) at most every interval_ms, and
 * read when its identity (device, inode, size, mtime) changed or, while
 * that identity cannot be trusted, at every look.  A version whose content
 * differs from the one read last is new, and handed to the caller to
 * parse; the caller keeps its last good copy.
 *
 * Racily clean (git's word for the same problem in its index): two
 * versions written within one timestamp tick (1 s on ext4 with 128-byte
 * inodes, NFS, some tmpfs set-ups) can share an mtime, and with the same
 * size and a reused inode number (a rename-based writer alternates two)
 * their identities are equal.  So a version whose mtime was not at least
 * WATCH_RACY_MS older than the moment it was read is compared by content
 * (a hash) at every check until a read shows it that old.  After that, any
 * later write carries a later mtime, and a check is one stat again.
 */
#define WATCH_RACY_MS		3000	/* a 1 s (or FAT's 2 s) tick + skew */
/*
 * A file edited in place (same inode) is left alone until it has been
 * still for WATCH_SETTLE_MS (an editor that truncates and writes shows an
 * empty file for a moment), but no longer than WATCH_SETTLE_MAX_MS after
 * the edit was first seen, so that a stream of edits cannot hold it back.
 * A file replaced by rename (a new inode) is whole, and read at once.
 */
#define WATCH_SETTLE_MS		200
#define WATCH_SETTLE_MAX_MS	500

/*
 * Where a watch gets the time: milliseconds on a monotonic clock (any
 * origin) and on the real-time clock (since the epoch, as file times
 * are).  Tests step a clock of their own instead of sleeping.
 */
struct watch_clock {
	long long	(*mono_ms)(void *arg);
	long long	(*real_ms)(void *arg);
	void		 *arg;
};

/* The system's: CLOCK_MONOTONIC_COARSE and CLOCK_REALTIME (clock.h). */
extern const struct watch_clock watch_system_clock;

/* When watch_poll looks at the file. */
enum watch_mode {
	WATCH_DUE,	/* at most every interval_ms */
	WATCH_NOW,	/* now; an edit in place must still settle */
	WATCH_FORCE,	/* now, and read any change at once */
};

struct watch;

/*
 * Read the whole regular file at path, at most max_bytes, into a malloc'd
 * buffer with a NUL after its *len bytes (NUL bytes inside are left for
 * the caller to judge); the caller frees it.  st, if not NULL, gets the
 * file's fstat(2).  Returns 0, or -1 with errno and one line in err: the
 * error of open or read, EINVAL (not a regular file), EFBIG (larger than
 * max_bytes), or EAGAIN if the file changed while being read (an edit in
 * place: try again).
 */
int		 watch_read(const char *path, size_t max_bytes, char **buf,
		    size_t *len, struct stat *st, char *err, size_t errlen);

/*
 * Start watching path: read it as watch_read does, the content into *buf
 * for the caller to parse (and free).  clock NULL is the system's
 * (CLOCK_MONOTONIC_COARSE, CLOCK_REALTIME).  Returns NULL with one line in
 * err if the file cannot be read or on out of memory.  watch_free(NULL)
 * is a no-op.
 */
struct watch	*watch_open(const char *path, size_t max_bytes,
		    int interval_ms, const struct watch_clock *clock,
		    char **buf, size_t *len, char *err, size_t errlen);
void		 watch_free(struct watch *w);

/*
 * Is there a new version?  Looks when mode says to, and reads a version
 * edited in place only once it has settled.  Returns:
 *   1  a new version in *buf (malloc'd, *len bytes and a NUL; the
 *      caller's to free): parse it, keep it or the last good copy, then
 *      call watch_done; until then, every watch_poll hands it out again
 *      (a caller out of memory simply tries again at the next check);
 *   0  nothing new, or not yet;
 *  -1  the file cannot be read (vanished, unreadable, over the cap): err
 *      says why, once per cause; the checks go on and find it when it is
 *      back.
 */
int		 watch_poll(struct watch *w, enum watch_mode mode, char **buf,
		    size_t *len, char *err, size_t errlen);

/*
 * The caller has dealt with the version watch_poll handed out, whether it
 * took it or found it broken and reported that: it is not handed out
 * again.  A broken file fixed later is a new version, even at the same
 * size within the same second.
 */
void		 watch_done(struct watch *w);

/* The path given to watch_open; borrowed for the watch's life. */
const char	*watch_path(const struct watch *w);

#endif /* FCGI_AUTH_WATCH_H */
