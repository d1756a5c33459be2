/* fcgi_accept.h -- take FastCGI connections as libfcgi would, but one at a time */
#ifndef FCGI_AUTH_FCGI_ACCEPT_H
#define FCGI_AUTH_FCGI_ACCEPT_H

#include <netinet/in.h>

#include <stddef.h>

#define FCGI_ACCEPT_ADDRS_MAX	32

/*
 * Who may connect over TCP: FCGI_WEB_SERVER_ADDRS, as libfcgi reads it
 * (comma-separated addresses; unset or empty: anyone).  Unix-socket peers
 * are the file system's business, as in libfcgi.
 */
struct fcgi_accept_cfg {
	size_t		 naddrs;
	struct {
		int		 family;	/* AF_INET or AF_INET6 */
		struct in_addr	 v4;
		struct in6_addr	 v6;
	}		 addrs[FCGI_ACCEPT_ADDRS_MAX];
};

/*
 * Read FCGI_WEB_SERVER_ADDRS into cfg.  Unlike libfcgi, an entry that is
 * not an IPv4 or IPv6 address is an error (libfcgi would quietly refuse
 * every connection), and IPv6 peers are checked too.  Returns 0, or -1
 * with one line in err.
 */
int	fcgi_accept_cfg_load(struct fcgi_accept_cfg *cfg, char *err,
	    size_t errlen);

/*
 * Take the next connection off the listening socket lfd (non-blocking),
 * as libfcgi's own accept would: a TCP peer must be one cfg lets in, and
 * gets TCP_NODELAY (an answer goes out in a few small writes).  Returns
 * the connection; -1 if there was none to take (another process took it,
 * or it was refused, which is logged); -2 if accepting fails for good (no
 * descriptors left, logged).
 */
int	fcgi_accept(int lfd, const struct fcgi_accept_cfg *cfg);

#endif /* FCGI_AUTH_FCGI_ACCEPT_H */
