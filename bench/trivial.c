/* trivial.c -- the benchmark's floor: a FastCGI program with a fixed reply */
#include "config.h"

#include <signal.h>

#include <fcgiapp.h>

/*
 * Byte for byte what me.fcgi answers alice, with no work behind it: what
 * lighttpd, libfcgi and the sockets cost alone.  Same accept loop as
 * common/fcgi_loop.c: FCGX_Accept_r, one reply, FCGX_Finish_r.
 */
static const char reply[] =
    "Status: 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 35\r\n"
    "\r\n"
    "{\"username\":\"alice\",\"role\":\"admin\"}";

int
main(void)
{
	FCGX_Request	 rq;

	(void)signal(SIGPIPE, SIG_IGN);
	if (FCGX_Init() != 0 ||
	    FCGX_InitRequest(&rq, 0, FCGI_FAIL_ACCEPT_ON_INTR) != 0)
		return 1;
	while (FCGX_Accept_r(&rq) >= 0) {
		(void)FCGX_GetParam("REQUEST_METHOD", rq.envp);
		(void)FCGX_PutStr(reply, (int)sizeof(reply) - 1, rq.out);
		FCGX_Finish_r(&rq);
	}
	return 0;
}
