/* http.h -- the request/response model handlers see; form and Bearer parsing */
#ifndef FCGI_AUTH_HTTP_H
#define FCGI_AUTH_HTTP_H

#include <stddef.h>
#include <time.h>

#include <json-c/json.h>

/* Larger bodies get 413 and are not read. */
#define HTTP_BODY_MAX_BYTES	(64 * 1024)
/* Every body we send is small: JSON, where a token is the largest part. */
#define HTTP_RESPONSE_BODY_MAX	16384	/* a JWK Set of 16 RSA-4096 keys fits */
#define HTTP_LOG_USER_MAX	80
#define HTTP_LOG_METHOD_MAX	40
#define HTTP_LOG_PATH_MAX	256
/*
 * Headers a response may add to Status, Content-Type and Content-Length:
 * at most HTTP_HEADERS_MAX of them, names of at most HTTP_HEADER_NAME_MAX
 * bytes, and every name and value together in HTTP_HEADER_BYTES (room for
 * a Set-Cookie holding a token, a Location, a WWW-Authenticate with its
 * RFC 6750 attributes).
 */
#define HTTP_HEADERS_MAX	16
#define HTTP_HEADER_NAME_MAX	64
#define HTTP_HEADER_BYTES	(12 * 1024)
#define HTTP_CONTENT_TYPE_MAX	128
/* The longest head http_format_head writes. */
#define HTTP_HEAD_MAX		(HTTP_HEADER_BYTES + 4 * HTTP_HEADERS_MAX + \
				    HTTP_CONTENT_TYPE_MAX + 128)

/*
 * One request, as the web server handed it over.  All borrowed, for the
 * duration of the request.  params is the parameter list as libfcgi gives
 * it (FCGX's envp, or environ when run as CGI): "NAME=value" strings, then
 * NULL.  Read it with http_param().
 */
struct http_request {
	const char *const *params;
	const char	*method;	/* REQUEST_METHOD, never NULL */
	const char	*body;		/* body_len bytes, not NUL-terminated */
	size_t		 body_len;
	time_t		 now;		/* when it arrived */
};

/*
 * One answer: a status, a body of content_type ("" when there is none),
 * and headers added with http_header_add(), sent in the order added.
 * Header names and values live in hbuf, so a response may be copied.
 */
struct http_response {
	int		 status;
	char		 content_type[HTTP_CONTENT_TYPE_MAX];
	size_t		 nheaders;
	struct {
		size_t	 name, value;	/* offsets of NUL-terminated strings */
	}		 headers[HTTP_HEADERS_MAX];
	char		 hbuf[HTTP_HEADER_BYTES];
	size_t		 hbuf_len;
	char		 body[HTTP_RESPONSE_BODY_MAX];
	size_t		 body_len;
	int		 bare;		/* no Content-Type or -Length */
};

/*
 * What a request came to, for the loop's log line: never sent.  Handlers
 * and the library fill it; the loop reads it once the answer is out.
 */
struct http_outcome {
	char		 user[HTTP_LOG_USER_MAX];	/* log_escape'd; "" unknown */
	const char	*reason;	/* static; NULL: the status text */
	/* What an authorizer was asked about, log_escape'd; "" none. */
	char		 method[HTTP_LOG_METHOD_MAX];
	char		 path[HTTP_LOG_PATH_MAX];
};

/* One wanted field of an application/x-www-form-urlencoded body. */
struct http_form_field {
	const char	*name;
	char		*value;		/* caller's buffer, NUL-terminated */
	size_t		 size;		/* its size, NUL included */
	size_t		 len;		/* decoded length; may hold NUL bytes */
	int		 present;	/* times seen (0: absent); the last
					   one wins */
	int		 too_long;	/* did not fit: value is "" */
};

/*
 * The value of the request parameter name: any CGI variable
 * ("CONTENT_TYPE", "REMOTE_ADDR", ...) or request header ("HTTP_" and the
 * header's name in capitals, '-' as '_').  The first one wins, as in
 * FCGX_GetParam.  Returns NULL if the request has none; borrowed.
 */
const char	*http_param(const struct http_request *req, const char *name);

/* Reset a response to an empty JSON 500 and an outcome to "nothing known". */
void	http_response_init(struct http_response *resp);
/*
 * Wipe a response's headers and body (a Set-Cookie may hold a token),
 * then http_response_init it: for a handler that answers anew.
 */
void	http_response_wipe(struct http_response *resp);
void	http_outcome_init(struct http_outcome *out);

/*
 * Add the header "name: value" (copied).  name must be an RFC 9110 token
 * other than Status, Content-Type and Content-Length (the response says
 * those itself); value must hold no control character but tab (no CR, LF
 * or NUL: no header injection).  Returns 0, or -1 with the response
 * unchanged if either is refused or there is no room.
 */
int	http_header_add(struct http_response *resp, const char *name,
	    const char *value);
/* The same with a value of len bytes, which may hold a NUL (refused). */
int	http_header_addn(struct http_response *resp, const char *name,
	    const char *value, size_t len);

/* The first value of header name (any case), or NULL; borrowed. */
const char *http_header(const struct http_response *resp, const char *name);

/*
 * Set status and a body of content_type (copied).  content_type NULL and
 * len 0: no body at all, as a 204 or a redirect has.  Returns 0; if the
 * body does not fit, has no type, or the type is no valid header value,
 * the response becomes a JSON 500 and -1 is returned.
 */
int	http_reply(struct http_response *resp, int status,
	    const char *content_type, const void *body, size_t len);

/*
 * Set status and no body, and leave out Content-Type and Content-Length:
 * the head is the Status line and the added headers, all a FastCGI
 * Authorizer's allow may say (Apache hands every other header of it to
 * the client, a Content-Length: 0 included, along with the real answer).
 * Returns 0.
 */
int	http_reply_bare(struct http_response *resp, int status);

/*
 * Set status and body from a JSON value, which is released.  "/" is not
 * escaped, matching Python's json.  Returns 0; on failure (NULL obj, body
 * too large) the response becomes a 500 and -1 is returned.
 */
int	http_reply_json(struct http_response *resp, int status, json_object *obj);

/*
 * {"key":"value",...} from kv, key and value pairs ending in NULL (a NULL
 * value is null), with status: written straight into the body ('"', '\\'
 * and control bytes escaped, "/" not, as http_reply_json), without
 * allocating: cheaper than json-c by a request's worth of instructions.  Returns 0; -1 (then a 500) if it does not fit.
 */
int	http_reply_fields(struct http_response *resp, int status,
	    const char *const *kv);

/* {"detail": detail} with status.  Returns 0, or -1 (then a 500). */
int	http_reply_detail(struct http_response *resp, int status,
	    const char *detail);

/*
 * An OAuth 2.0 error (RFC 6749 5.2, RFC 7009 2.2.1): status and
 * {"error": error, "error_description": description}, with
 * Cache-Control: no-store and Pragma: no-cache (RFC 6749 5.1), and
 * Retry-After: retry_after when it is above 0 (a 503).  Returns 0, or -1
 * (then a 500).
 */
int	http_reply_oauth_error(struct http_response *resp, int status,
	    const char *error, const char *description, int retry_after);

/*
 * Add Cache-Control: no-store and Pragma: no-cache (RFC 6749 5.1: an
 * answer carrying a token, or about one, is never cached).  Returns 0,
 * or -1 with resp made a 500.
 */
int	http_no_store(struct http_response *resp);

/* 405 {"detail":"Method Not Allowed"} with Allow: allow.  Returns 0. */
int	http_method_not_allowed(struct http_response *resp,
	    struct http_outcome *out, const char *allow);

/*
 * An object from key, value pairs ending in NULL; the values are taken
 * over.  If any value is NULL (a failed json_object_new_*), everything is
 * released and NULL returned, so callers check once.
 */
json_object *http_json_object(const char *key, json_object *value, ...)
	    __attribute__((sentinel));

/* An array of the NULL-terminated strings, or NULL. */
json_object *http_json_strings(const char *const *list);

/* "OK", "Unauthorized", ...; "Unknown" for codes not in our table. */
const char *http_status_text(int status);

/*
 * Format the CGI response head (Status, Content-Type unless there is no
 * body, Content-Length unless the status forbids one, neither for a bare
 * reply, the added headers, then the blank line) into buf.  Returns its length, or -1 if buf is too
 * small or the status is not from 100 to 599.
 */
long	http_format_head(const struct http_response *resp, char *buf,
	    size_t size);

/*
 * The Bearer credentials of HTTP_AUTHORIZATION, as FastAPI's
 * OAuth2PasswordBearer finds them: the scheme (before the first space) is
 * compared case-insensitively and the rest, possibly empty, is the token.
 * Returns 0 with *token and *len set, or -1 if there are no Bearer
 * credentials at all.
 */
int	http_bearer(const struct http_request *req, const char **token,
	    size_t *len);

/* The value of hex digit c (either case), or -1 if it is none. */
int	http_hex_value(int c);

/* Whether CONTENT_TYPE is application/x-www-form-urlencoded (any params). */
int	http_is_form(const char *content_type);

/*
 * Decode a urlencoded body ('&' or ';' between pairs, '+' is a space, a
 * bad %-escape is kept as typed, as Python does) into the wanted fields.
 * Fields not asked for are skipped, not stored.
 */
void	http_form_parse(const char *body, size_t len,
	    struct http_form_field *fields, size_t nfields);

#endif /* FCGI_AUTH_HTTP_H */
