/* fcgi_accept.c -- take FastCGI connections as libfcgi would, but one at a time */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fcgi_accept.h"
#include "log.h"

/*
 * Why not libfcgi's own accept: it reads a request's parameters inside
 * the call that accepts the connection, with no time limit, and accepts
 * the next connection within the same call when one brings no request.
 * fcgi_loop.c accepts here instead, starts its deadline on the
 * connection, then hands it to libfcgi (see run_fastcgi).
 */

static int	peer_allowed(const struct fcgi_accept_cfg *,
		    const struct sockaddr_storage *);

int
fcgi_accept_cfg_load(struct fcgi_accept_cfg *cfg, char *err, size_t errlen)
{
	char		 one[INET6_ADDRSTRLEN];
	const char	*list, *p, *end;
	size_t		 len;

	memset(cfg, 0, sizeof(*cfg));
	list = getenv("FCGI_WEB_SERVER_ADDRS");
	if (list == NULL || *list == '\0')
		return 0;	/* anyone, as in libfcgi */
	for (p = list;; p = end + 1) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		len = (size_t)(end - p);
		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (cfg->naddrs == FCGI_ACCEPT_ADDRS_MAX)
			return log_seterr(err, errlen, "FCGI_WEB_SERVER_ADDRS: "
			    "more than %d addresses", FCGI_ACCEPT_ADDRS_MAX);
		if (len < sizeof(one)) {
			memcpy(one, p, len);
			one[len] = '\0';
		}
		if (len < sizeof(one) && inet_pton(AF_INET, one,
		    &cfg->addrs[cfg->naddrs].v4) == 1)
			cfg->addrs[cfg->naddrs].family = AF_INET;
		else if (len < sizeof(one) && inet_pton(AF_INET6, one,
		    &cfg->addrs[cfg->naddrs].v6) == 1)
			cfg->addrs[cfg->naddrs].family = AF_INET6;
		else
			return log_seterr(err, errlen, "FCGI_WEB_SERVER_ADDRS: "
			    "\"%.*s\" is not an IP address", (int)len, p);
		cfg->naddrs++;
		if (*end == '\0')
			return 0;
	}
}

/* Whether an IP peer is one FCGI_WEB_SERVER_ADDRS lets in. */
static int
peer_allowed(const struct fcgi_accept_cfg *cfg,
    const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)ss;
	struct in_addr			 v4;
	size_t				 i;
	int				 family = ss->ss_family;

	if (cfg->naddrs == 0)
		return 1;
	memset(&v4, 0, sizeof(v4));
	if (family == AF_INET)
		v4 = sin->sin_addr;
	else if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		/* An IPv4 peer of a dual-stack socket. */
		memcpy(&v4, &sin6->sin6_addr.s6_addr[12], sizeof(v4));
		family = AF_INET;
	}
	for (i = 0; i < cfg->naddrs; i++) {
		if (cfg->addrs[i].family != family)
			continue;
		if (family == AF_INET ? cfg->addrs[i].v4.s_addr == v4.s_addr :
		    memcmp(&cfg->addrs[i].v6, &sin6->sin6_addr,
		    sizeof(struct in6_addr)) == 0)
			return 1;
	}
	return 0;
}

int
fcgi_accept(int lfd, const struct fcgi_accept_cfg *cfg)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	char			 addr[INET6_ADDRSTRLEN];
	int			 fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if ((fd = accept(lfd, (struct sockaddr *)&ss, &len)) == -1) {
		switch (errno) {
		case EAGAIN:
#if EWOULDBLOCK != EAGAIN
		case EWOULDBLOCK:
#endif
		case EINTR:
		case ECONNABORTED:
		case EPROTO:
			return -1;
		default:
			log_warn("accepting a FastCGI connection");
			return -2;
		}
	}
	if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)
		return fd;
	if (!peer_allowed(cfg, &ss)) {
		if (inet_ntop(ss.ss_family, ss.ss_family == AF_INET ?
		    (const void *)&((struct sockaddr_in *)&ss)->sin_addr :
		    (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr,
		    addr, sizeof(addr)) == NULL)
			(void)snprintf(addr, sizeof(addr), "?");
		log_warnx("refused a connection from %s: not in "
		    "FCGI_WEB_SERVER_ADDRS", addr);
		(void)close(fd);
		return -1;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}
