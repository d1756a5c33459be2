/* http.c -- the request/response model handlers see; form and Bearer parsing */
#include "config.h"

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
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 411, "Length Required" },
	{ 413, "Payload Too Large" },
	{ 422, "Unprocessable Entity" },
	{ 500, "Internal Server Error" },
	{ 503, "Service Unavailable" },
};

static int	hexval(int);
static size_t	pct_decode(const char *, size_t, char *, size_t, int *);

void
http_response_init(struct http_response *resp)
{
	resp->status = 500;
	resp->allow = NULL;
	resp->www_authenticate = 0;
	resp->no_store = 0;
	resp->body[0] = '\0';
	resp->body_len = 0;
	resp->log_user[0] = '\0';
	resp->users_recheck = 0;
	resp->log_reason = NULL;
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

int
http_reply_json(struct http_response *resp, int status, json_object *obj)
{
	static const char	 fallback[] =
	    "{\"detail\":\"Internal server error\"}";
	const char		*s;
	size_t			 len;

	if (obj != NULL) {
		s = json_object_to_json_string_length(obj,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
		    &len);
		if (s != NULL && len < sizeof(resp->body)) {
			memcpy(resp->body, s, len + 1);
			resp->body_len = len;
			resp->status = status;
			json_object_put(obj);
			return 0;
		}
		json_object_put(obj);
	}
	memcpy(resp->body, fallback, sizeof(fallback));
	resp->body_len = sizeof(fallback) - 1;
	resp->status = 500;
	resp->log_reason = "could not build the response body";
	return -1;
}

int
http_reply_detail(struct http_response *resp, int status, const char *detail)
{
	return http_reply_json(resp, status, http_json_object("detail",
	    json_object_new_string(detail), NULL));
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
http_method_not_allowed(struct http_response *resp, const char *allow)
{
	resp->allow = allow;
	resp->log_reason = "method not allowed";
	return http_reply_detail(resp, 405, "Method Not Allowed");
}

long
http_format_head(const struct http_response *resp, char *buf, size_t size)
{
	int	 n;

	n = snprintf(buf, size,
	    "Status: %d %s\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: %zu\r\n"
	    "%s%s%s"
	    "%s"
	    "%s"
	    "\r\n",
	    resp->status, http_status_text(resp->status), resp->body_len,
	    resp->allow != NULL ? "Allow: " : "",
	    resp->allow != NULL ? resp->allow : "",
	    resp->allow != NULL ? "\r\n" : "",
	    resp->www_authenticate ? "WWW-Authenticate: Bearer\r\n" : "",
	    resp->no_store ? "Cache-Control: no-store\r\nPragma: no-cache\r\n" :
	    "");
	if (n < 0 || (size_t)n >= size)
		return -1;
	return n;
}

int
http_bearer(const struct http_request *req, const char **token, size_t *len)
{
	const char	*v = req->authorization, *sp;
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
		    (hi = hexval((unsigned char)in[i + 1])) != -1 &&
		    (lo = hexval((unsigned char)in[i + 2])) != -1) {
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
			fields[i].present = 1;
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
