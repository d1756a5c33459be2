/* page.c -- the HTML a browser gets: the sign-in form, refusals, redirects */
#include "config.h"

#include <string.h>

#include "page.h"

/* A page being written into buf; once anything does not fit, failed. */
struct out {
	char	 buf[HTTP_RESPONSE_BODY_MAX];
	size_t	 len;
	int	 failed;
};

static void	put(struct out *, const char *);
static void	put_escaped(struct out *, const char *);
static void	put_head(struct out *, const char *);
static void	put_tail(struct out *);
static int	finish(struct http_response *, struct out *, int);
static int	fail(struct http_response *);

static void
put(struct out *o, const char *s)
{
	size_t	 n = strlen(s);

	if (o->failed || n >= sizeof(o->buf) - o->len) {
		o->failed = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

/* s with the five characters HTML gives a meaning escaped. */
static void
put_escaped(struct out *o, const char *s)
{
	char	 one[2] = { '\0', '\0' };

	for (; *s != '\0' && !o->failed; s++)
		switch (*s) {
		case '&':
			put(o, "&amp;");
			break;
		case '<':
			put(o, "&lt;");
			break;
		case '>':
			put(o, "&gt;");
			break;
		case '"':
			put(o, "&quot;");
			break;
		case '\'':
			put(o, "&#39;");
			break;
		default:
			one[0] = *s;
			put(o, one);
			break;
		}
}

static void
put_head(struct out *o, const char *title)
{
	put(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>");
	put_escaped(o, title);
	put(o, "</title>\n</head>\n<body>\n<main>\n<h1>");
	put_escaped(o, title);
	put(o, "</h1>\n");
}

static void
put_tail(struct out *o)
{
	put(o, "</main>\n</body>\n</html>\n");
}

/* The page could not be made: a plain 500. */
static int
fail(struct http_response *resp)
{
	(void)http_reply_detail(resp, 500, "Internal server error");
	return -1;
}

static int
finish(struct http_response *resp, struct out *o, int status)
{
	int	 ret;

	if (o->failed)
		ret = fail(resp);
	else if ((ret = http_reply(resp, status, "text/html; charset=utf-8",
	    o->buf, o->len)) == 0 && page_headers(resp) == -1)
		ret = fail(resp);
	/* It may hold a name typed into the form. */
	explicit_bzero(o->buf, o->len);
	return ret;
}

int
page_headers(struct http_response *resp)
{
	if (http_header_add(resp, "Content-Security-Policy",
	    "default-src 'self'; frame-ancestors 'none'") == -1 ||
	    http_header_add(resp, "X-Frame-Options", "DENY") == -1 ||
	    http_header_add(resp, "Cache-Control", "no-store") == -1 ||
	    http_header_add(resp, "X-Content-Type-Options", "nosniff") == -1 ||
	    http_header_add(resp, "Referrer-Policy", "same-origin") == -1)
		return -1;
	return 0;
}

int
page_signin(struct http_response *resp, int status, const char *next,
    const char *username, const char *message)
{
	struct out	 o;

	o.len = 0;
	o.failed = 0;
	put_head(&o, "Sign in");
	if (message != NULL) {
		/* Read out at once by screen readers. */
		put(&o, "<p role=\"alert\">");
		put_escaped(&o, message);
		put(&o, "</p>\n");
	}
	put(&o, "<form method=\"post\" action=\"/auth/signin\">\n"
	    "<input type=\"hidden\" name=\"next\" value=\"");
	put_escaped(&o, next);
	put(&o, "\">\n<p><label for=\"username\">Username</label><br>\n"
	    "<input id=\"username\" name=\"username\" type=\"text\" "
	    "autocomplete=\"username\" autocapitalize=\"none\" "
	    "spellcheck=\"false\" required autofocus value=\"");
	put_escaped(&o, username != NULL ? username : "");
	put(&o, "\"></p>\n<p><label for=\"password\">Password</label><br>\n"
	    "<input id=\"password\" name=\"password\" type=\"password\" "
	    "autocomplete=\"current-password\" required></p>\n"
	    "<p><button type=\"submit\">Sign in</button></p>\n</form>\n");
	put_tail(&o);
	return finish(resp, &o, status);
}

int
page_message(struct http_response *resp, int status, const char *title,
    const char *text, int flags)
{
	struct out	 o;

	o.len = 0;
	o.failed = 0;
	put_head(&o, title);
	put(&o, "<p>");
	put_escaped(&o, text);
	put(&o, "</p>\n");
	if (flags & PAGE_SIGNOUT_FORM)
		put(&o, "<form method=\"post\" action=\"/auth/signout\">\n"
		    "<p><button type=\"submit\">Sign out</button></p>\n"
		    "</form>\n");
	if (flags & PAGE_SIGNIN_LINK)
		put(&o, "<p><a href=\"/auth/signin\">Sign in</a></p>\n");
	put_tail(&o);
	return finish(resp, &o, status);
}

int
page_redirect(struct http_response *resp, int status, const char *location)
{
	struct out	 o;

	o.len = 0;
	o.failed = 0;
	put_head(&o, "Redirecting");
	put(&o, "<p><a href=\"");
	put_escaped(&o, location);
	put(&o, "\">Continue</a></p>\n");
	put_tail(&o);
	if (finish(resp, &o, status) == -1)
		return -1;
	if (http_header_add(resp, "Location", location) == -1)
		return fail(resp);
	return 0;
}
