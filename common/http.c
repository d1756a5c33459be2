/* http.c -- the request/response model handlers see; form and Bearer parsing */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http.h"

#define FORM_NAME_MAX	64	/* longer field names are none of ours */

static const struct {
	int		 status;
	const char	*text;
} status_texts[] = {
	{ 200, "OK" },
	{ 201, "Created" },
	{ 204, "No Content" },
	{ 301, "Moved Permanently" },
	{ 302, "Found" },
	{ 303, "See Other" },
	{ 304, "Not Modified" },
	{ 307, "Temporary Redirect" },
	{ 308, "Permanent Redirect" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 408, "Request Timeout" },
	{ 411, "Length Required" },
	{ 413, "Payload Too Large" },
	{ 415, "Unsupported Media Type" },
	{ 422, "Unprocessable Entity" },
	{ 429, "Too Many Requests" },
	{ 500, "Internal Server Error" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
};

/* The response says these itself: a handler adding one would forge it. */
static const char *const own_headers[] = {
	"Status", "Content-Type", "Content-Length",
};

static int	json_string(char *, size_t, size_t *, const char *);
static size_t	pct_decode(const char *, size_t, char *, size_t, int *);
static int	valid_header_name(const char *);
static int	valid_header_value(const char *, size_t);
static void	body_forget(struct http_response *);
static int	reply_internal_error(struct http_response *);
static char	*format_size(size_t, char *, size_t);
static int	head_add(char *, size_t, size_t *, const char *, const char *,
		    const char *);

const char *
http_param(const struct http_request *req, const char *name)
{
	const char *const	*p;
	size_t			 n = strlen(name);

	/* No name holds '=': "A=b" would find the tail of A's value. */
	if (req->params == NULL || n == 0 || strchr(name, '=') != NULL)
		return NULL;
	for (p = req->params; *p != NULL; p++)
		if (strncmp(*p, name, n) == 0 && (*p)[n] == '=')
			return *p + n + 1;
	return NULL;
}

void
http_response_init(struct http_response *resp)
{
	resp->status = 500;
	memcpy(resp->content_type, "application/json",
	    sizeof("application/json"));
	resp->nheaders = 0;
	resp->hbuf_len = 0;
	resp->body[0] = '\0';
	resp->body_len = 0;
	resp->bare = 0;
}

void
http_response_wipe(struct http_response *resp)
{
	explicit_bzero(resp->hbuf, resp->hbuf_len);
	explicit_bzero(resp->body, resp->body_len);
	http_response_init(resp);
}

void
http_outcome_init(struct http_outcome *out)
{
	out->user[0] = '\0';
	out->reason = NULL;
	out->method[0] = '\0';
	out->path[0] = '\0';
}

/* An RFC 9110 5.6.2 token of at most HTTP_HEADER_NAME_MAX bytes. */
static int
valid_header_name(const char *name)
{
	static const char	 tchar[] = "!#$%&'*+-.^_`|~";
	size_t			 i, n = strlen(name);

	if (n == 0 || n > HTTP_HEADER_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9') ||
		    strchr(tchar, name[i]) != NULL))
			return 0;
	for (i = 0; i < sizeof(own_headers) / sizeof(own_headers[0]); i++)
		if (strcasecmp(name, own_headers[i]) == 0)
			return 0;
	return 1;
}

/*
 * RFC 9110 5.5: visible characters, obs-text, space and tab.  CR and LF
 * would end the header and start one of the sender's choosing; a NUL
 * would cut the value short where the server reads it.
 */
static int
valid_header_value(const char *value, size_t len)
{
	size_t		 i;
	unsigned char	 c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)value[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

int
http_header_addn(struct http_response *resp, const char *name,
    const char *value, size_t len)
{
	size_t	 nlen = strlen(name), need;

	if (!valid_header_name(name) || !valid_header_value(value, len) ||
	    resp->nheaders >= HTTP_HEADERS_MAX)
		return -1;
	/* Both fit, with their NULs: nlen is small, len is checked first. */
	if (len > sizeof(resp->hbuf) - resp->hbuf_len)
		return -1;
	need = nlen + 1 + len + 1;
	if (need > sizeof(resp->hbuf) - resp->hbuf_len)
		return -1;
	resp->headers[resp->nheaders].name = resp->hbuf_len;
	memcpy(resp->hbuf + resp->hbuf_len, name, nlen + 1);
	resp->hbuf_len += nlen + 1;
	resp->headers[resp->nheaders].value = resp->hbuf_len;
	memcpy(resp->hbuf + resp->hbuf_len, value, len);
	resp->hbuf[resp->hbuf_len + len] = '\0';
	resp->hbuf_len += len + 1;
	resp->nheaders++;
	return 0;
}

int
http_header_add(struct http_response *resp, const char *name,
    const char *value)
{
	return http_header_addn(resp, name, value, strlen(value));
}

const char *
http_header(const struct http_response *resp, const char *name)
{
	size_t	 i;

	for (i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->hbuf + resp->headers[i].name, name) == 0)
			return resp->hbuf + resp->headers[i].value;
	return NULL;
}

const char *
http_status_text(int status)
{
	size_t	 i;

	for (i = 0; i < sizeof(status_texts) / sizeof(status_texts[0]); i++)
		if (status_texts[i].status == status)
			return status_texts[i].text;
	return "Unknown";
}

/*
 * Wipe the body a response held before it gets another (a token, say,
 * replaced by a 500), so that the loop, which wipes body_len bytes after
 * each request, wipes all a request ever put there.
 */
static void
body_forget(struct http_response *resp)
{
	explicit_bzero(resp->body, resp->body_len);
	resp->body_len = 0;
}

/* The JSON 500 a response falls back to when it cannot be what was asked. */
static int
reply_internal_error(struct http_response *resp)
{
	static const char	 fallback[] =
	    "{\"detail\":\"Internal server error\"}";

	body_forget(resp);
	memcpy(resp->content_type, "application/json",
	    sizeof("application/json"));
	memcpy(resp->body, fallback, sizeof(fallback));
	resp->body_len = sizeof(fallback) - 1;
	resp->status = 500;
	resp->bare = 0;
	return -1;
}

int
http_reply(struct http_response *resp, int status, const char *content_type,
    const void *body, size_t len)
{
	size_t	 tlen;

	if (content_type == NULL)
		content_type = "";
	tlen = strlen(content_type);
	/* A body needs a type (RFC 3875 6.3.1). */
	if (len >= sizeof(resp->body) || (len > 0 && body == NULL) ||
	    tlen >= sizeof(resp->content_type) || (tlen == 0 && len > 0) ||
	    !valid_header_value(content_type, tlen))
		return reply_internal_error(resp);
	body_forget(resp);
	memcpy(resp->content_type, content_type, tlen + 1);
	if (len > 0)
		memcpy(resp->body, body, len);
	resp->body[len] = '\0';
	resp->body_len = len;
	resp->status = status;
	resp->bare = 0;
	return 0;
}

int
http_reply_bare(struct http_response *resp, int status)
{
	(void)http_reply(resp, status, NULL, NULL, 0);
	resp->bare = 1;
	return 0;
}

int
http_reply_json(struct http_response *resp, int status, json_object *obj)
{
	const char	*s = NULL;
	size_t		 len = 0;
	int		 ret;

	if (obj != NULL)
		s = json_object_to_json_string_length(obj,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
		    &len);
	ret = s != NULL ? http_reply(resp, status, "application/json", s,
	    len) : reply_internal_error(resp);
	json_object_put(obj);
	return ret;
}

/*
 * Append s to buf at *len as a JSON string, quotes and all, leaving at
 * least one byte of size free (as a body must); -1 if it does not fit.
 */
static int
json_string(char *buf, size_t size, size_t *len, const char *s)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 o = *len, need;
	unsigned char		 c;

	if (o + 3 > size)
		return -1;
	buf[o++] = '"';
	for (; (c = (unsigned char)*s) != '\0'; s++) {
		need = c == '"' || c == '\\' ? 2 : c < 0x20 ? 6 : 1;
		/* This, the closing quote, and the byte left free. */
		if (o + need + 2 > size)
			return -1;
		if (need == 2) {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (need == 6) {
			memcpy(buf + o, "\\u00", 4);
			buf[o + 4] = hex[c >> 4];
			buf[o + 5] = hex[c & 0xf];
			o += 6;
		} else
			buf[o++] = (char)c;
	}
	buf[o++] = '"';
	*len = o;
	return 0;
}

int
http_reply_fields(struct http_response *resp, int status,
    const char *const *kv)
{
	char	 body[HTTP_RESPONSE_BODY_MAX];
	size_t	 len = 0;

	body[len++] = '{';
	for (; kv[0] != NULL; kv += 2) {
		/* Each byte added leaves one free, as the body must. */
		if (len > 1) {
			if (len + 2 > sizeof(body))
				return reply_internal_error(resp);
			body[len++] = ',';
		}
		if (json_string(body, sizeof(body), &len, kv[0]) == -1 ||
		    len + 2 > sizeof(body))
			return reply_internal_error(resp);
		body[len++] = ':';
		if (kv[1] == NULL) {
			if (len + 5 > sizeof(body))
				return reply_internal_error(resp);
			memcpy(body + len, "null", 4);
			len += 4;
		} else if (json_string(body, sizeof(body), &len, kv[1]) == -1)
			return reply_internal_error(resp);
	}
	if (len + 2 > sizeof(body))
		return reply_internal_error(resp);
	body[len++] = '}';
	return http_reply(resp, status, "application/json", body, len);
}

int
http_reply_detail(struct http_response *resp, int status, const char *detail)
{
	return http_reply_json(resp, status, http_json_object("detail",
	    json_object_new_string(detail), NULL));
}

int
http_no_store(struct http_response *resp)
{
	if (http_header_add(resp, "Cache-Control", "no-store") == -1 ||
	    http_header_add(resp, "Pragma", "no-cache") == -1)
		return http_reply_json(resp, 500, NULL);
	return 0;
}

int
http_reply_oauth_error(struct http_response *resp, int status,
    const char *error, const char *description, int retry_after)
{
	const char	*kv[] = { "error", error, "error_description",
			    description, NULL };
	char		 ra[16];

	if (http_reply_fields(resp, status, kv) == -1 ||
	    http_no_store(resp) == -1)
		return -1;
	if (retry_after > 0) {
		(void)snprintf(ra, sizeof(ra), "%d", retry_after);
		if (http_header_add(resp, "Retry-After", ra) == -1)
			return http_reply_json(resp, 500, NULL);
	}
	return 0;
}

json_object *
http_json_object(const char *key, json_object *value, ...)
{
	json_object	*obj;
	va_list		 ap;
	int		 failed;

	obj = json_object_new_object();
	failed = obj == NULL;
	va_start(ap, value);
	while (key != NULL) {
		if (value == NULL || failed ||
		    json_object_object_add(obj, key, value) != 0) {
			failed = 1;
			json_object_put(value);
		}
		if ((key = va_arg(ap, const char *)) != NULL)
			value = va_arg(ap, json_object *);
	}
	va_end(ap);
	if (failed) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

json_object *
http_json_strings(const char *const *list)
{
	json_object	*array, *s;

	if ((array = json_object_new_array()) == NULL)
		return NULL;
	for (; *list != NULL; list++) {
		if ((s = json_object_new_string(*list)) == NULL ||
		    json_object_array_add(array, s) != 0) {
			json_object_put(s);
			json_object_put(array);
			return NULL;
		}
	}
	return array;
}

int
http_method_not_allowed(struct http_response *resp, struct http_outcome *out,
    const char *allow)
{
	out->reason = "method not allowed";
	if (http_header_add(resp, "Allow", allow) == -1)
		return reply_internal_error(resp);
	return http_reply_detail(resp, 405, "Method Not Allowed");
}

/*
 * Append the strings a, b and c to buf at *len, keeping a NUL after them;
 * -1 if they do not fit.  (memcpy, not snprintf: this runs for every line
 * of every answer, and vfprintf cost a tenth of a token check.)
 */
static int
head_add(char *buf, size_t size, size_t *len, const char *a, const char *b,
    const char *c)
{
	const char	*part[3] = { a, b, c };
	size_t		 i, n;

	for (i = 0; i < 3; i++) {
		n = strlen(part[i]);
		if (n >= size - *len)
			return -1;
		memcpy(buf + *len, part[i], n);
		*len += n;
	}
	buf[*len] = '\0';
	return 0;
}

/* The decimal digits of v in out (at least 21 bytes); returns out. */
static char *
format_size(size_t v, char *out, size_t outsize)
{
	char	*p = out + outsize - 1;

	*p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 && p > out);
	return p;
}

long
http_format_head(const struct http_response *resp, char *buf, size_t size)
{
	char	 num[24];
	size_t	 len = 0, i;

	if (resp->status < 100 || resp->status > 599 || size == 0)
		return -1;
	if (head_add(buf, size, &len, "Status: ", format_size(
	    (size_t)resp->status, num, sizeof(num)), " ") == -1 ||
	    head_add(buf, size, &len, http_status_text(resp->status), "\r\n",
	    "") == -1)
		return -1;
	if (!resp->bare && resp->content_type[0] != '\0' && head_add(buf,
	    size, &len, "Content-Type: ", resp->content_type, "\r\n") == -1)
		return -1;
	/* RFC 9110 8.6: never in a 1xx or a 204. */
	if (!resp->bare && resp->status >= 200 && resp->status != 204 &&
	    head_add(buf, size, &len, "Content-Length: ", format_size(
	    resp->body_len, num, sizeof(num)), "\r\n") == -1)
		return -1;
	for (i = 0; i < resp->nheaders; i++)
		if (head_add(buf, size, &len, resp->hbuf +
		    resp->headers[i].name, ": ", resp->hbuf +
		    resp->headers[i].value) == -1 ||
		    head_add(buf, size, &len, "\r\n", "", "") == -1)
			return -1;
	if (head_add(buf, size, &len, "\r\n", "", "") == -1)
		return -1;
	return (long)len;
}

int
http_bearer(const struct http_request *req, const char **token, size_t *len)
{
	const char	*v = http_param(req, "HTTP_AUTHORIZATION"), *sp;
	size_t		 scheme_len;

	if (v == NULL || *v == '\0')
		return -1;
	sp = strchr(v, ' ');
	scheme_len = sp != NULL ? (size_t)(sp - v) : strlen(v);
	if (scheme_len != 6 || strncasecmp(v, "Bearer", 6) != 0)
		return -1;
	*token = sp != NULL ? sp + 1 : v + scheme_len;
	*len = strlen(*token);
	return 0;
}

int
http_is_form(const char *ct)
{
	static const char	 form[] = "application/x-www-form-urlencoded";
	size_t			 n = sizeof(form) - 1;

	if (ct == NULL || strncasecmp(ct, form, n) != 0)
		return 0;
	/* Exactly the type, or the type followed by parameters. */
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t';
}

int
http_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode len bytes of one urlencoded name or value into out (size bytes,
 * always NUL-terminated).  Returns the decoded length; *overflow is set if
 * it did not fit, and out is then "".
 */
static size_t
pct_decode(const char *in, size_t len, char *out, size_t size, int *overflow)
{
	size_t	 i, o = 0;
	int	 hi, lo;
	char	 c;

	*overflow = 0;
	if (size == 0) {
		*overflow = 1;
		return 0;
	}
	for (i = 0; i < len; i++) {
		c = in[i];
		if (c == '+')
			c = ' ';
		else if (c == '%' && i + 2 < len &&
		    (hi = http_hex_value((unsigned char)in[i + 1])) != -1 &&
		    (lo = http_hex_value((unsigned char)in[i + 2])) != -1) {
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (o + 1 >= size) {
			*overflow = 1;
			explicit_bzero(out, o);
			out[0] = '\0';
			return 0;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	return o;
}

void
http_form_parse(const char *body, size_t len, struct http_form_field *fields,
    size_t nfields)
{
	const char	*pair, *end, *eq, *limit;
	char		 name[FORM_NAME_MAX + 1];
	size_t		 i, namelen, decoded;
	int		 overflow;

	for (i = 0; i < nfields; i++) {
		fields[i].present = fields[i].too_long = 0;
		fields[i].len = 0;
		if (fields[i].size > 0)
			fields[i].value[0] = '\0';
	}
	/* No body at all has no fields (and NULL + 0 is undefined in C). */
	if (body == NULL)
		return;
	limit = body + len;
	/* end + 1 only inside the body: past its end is undefined too. */
	for (pair = body; pair < limit; pair = end < limit ? end + 1 : limit) {
		for (end = pair; end < limit && *end != '&' && *end != ';';
		    end++)
			;
		eq = memchr(pair, '=', (size_t)(end - pair));
		namelen = (size_t)((eq != NULL ? eq : end) - pair);
		decoded = pct_decode(pair, namelen, name, sizeof(name),
		    &overflow);
		if (overflow || namelen == 0)
			continue;
		for (i = 0; i < nfields; i++) {
			/* By length: "username%00x" is not "username". */
			if (decoded != strlen(fields[i].name) ||
			    memcmp(name, fields[i].name, decoded) != 0)
				continue;
			if (fields[i].present < INT_MAX)
				fields[i].present++;
			if (eq == NULL) {
				fields[i].len = 0;
				if (fields[i].size > 0)
					fields[i].value[0] = '\0';
				fields[i].too_long = fields[i].size == 0;
			} else
				fields[i].len = pct_decode(eq + 1,
				    (size_t)(end - eq - 1), fields[i].value,
				    fields[i].size, &fields[i].too_long);
		}
	}
}
