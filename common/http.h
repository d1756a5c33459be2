/* http.h -- the request/response model handlers see; form and Bearer parsing */
#ifndef FCGI_AUTH_HTTP_H
#define FCGI_AUTH_HTTP_H

#include <stddef.h>
#include <time.h>

#include <json-c/json.h>

/* Larger bodies get 413 and are not read. */
#define HTTP_BODY_MAX_BYTES	(64 * 1024)
/* Every body we send is small JSON; a token is the largest part. */
#define HTTP_RESPONSE_BODY_MAX	4096
#define HTTP_LOG_USER_MAX	80

/* One request, as the web server handed it over.  All borrowed. */
struct http_request {
	const char	*method;	/* REQUEST_METHOD, never NULL */
	const char	*authorization;	/* HTTP_AUTHORIZATION or NULL */
	const char	*content_type;	/* CONTENT_TYPE or NULL */
	const char	*remote_addr;	/* REMOTE_ADDR or NULL */
	const char	*body;		/* body_len bytes, not NUL-terminated */
	size_t		 body_len;
	time_t		 now;		/* when it arrived */
};

/* One answer: always JSON.  The log_ fields are for our log, never sent. */
struct http_response {
	int		 status;
	const char	*allow;			/* Allow:, for 405 */
	int		 www_authenticate;	/* WWW-Authenticate: Bearer */
	int		 no_store;		/* Cache-Control: no-store */
	char		 body[HTTP_RESPONSE_BODY_MAX];
	size_t		 body_len;
	char		 log_user[HTTP_LOG_USER_MAX];	/* escaped; "" unknown */
	const char	*log_reason;			/* static; NULL = detail */
	/* A refusal a newer users file may undo (unknown or disabled user). */
	int		 users_recheck;
};

/* One wanted field of an application/x-www-form-urlencoded body. */
struct http_form_field {
	const char	*name;
	char		*value;		/* caller's buffer, NUL-terminated */
	size_t		 size;		/* its size, NUL included */
	size_t		 len;		/* decoded length; may hold NUL bytes */
	int		 present;	/* seen at all; the last one wins */
	int		 too_long;	/* did not fit: value is "" */
};

/* Reset a response to an empty 500, ready for a handler to fill. */
void	http_response_init(struct http_response *resp);

/*
 * Set status and body from a JSON value, which is released.  "/" is not
 * escaped, matching Python's json.  Returns 0; on failure (NULL obj, body
 * too large) the response becomes a 500 and -1 is returned.
 */
int	http_reply_json(struct http_response *resp, int status, json_object *obj);

/* {"detail": detail} with status.  Returns 0, or -1 (then a 500). */
int	http_reply_detail(struct http_response *resp, int status,
	    const char *detail);

/* 405 {"detail":"Method Not Allowed"} with Allow: allow.  Returns 0. */
int	http_method_not_allowed(struct http_response *resp, const char *allow);

/*
 * An object from key, value pairs ending in NULL; the values are taken
 * over.  If any value is NULL (a failed json_object_new_*), everything is
 * released and NULL returned, so callers check once.
 */
json_object *http_json_object(const char *key, json_object *value, ...)
	    __attribute__((sentinel));

/* An array of the NULL-terminated strings, or NULL. */
json_object *http_json_strings(const char *const *list);

/* "OK", "Unauthorized", ...; "Unknown" for codes we never send. */
const char *http_status_text(int status);

/*
 * Format the CGI response head (Status, Content-Type, Content-Length and
 * the optional headers, then the blank line) into buf.  Returns its
 * length, or -1 if buf is too small.
 */
long	http_format_head(const struct http_response *resp, char *buf,
	    size_t size);

/*
 * The Bearer credentials, as FastAPI's OAuth2PasswordBearer finds them:
 * the scheme (before the first space) is compared case-insensitively and
 * the rest, possibly empty, is the token.  Returns 0 with *token and *len
 * set, or -1 if there are no Bearer credentials at all.
 */
int	http_bearer(const struct http_request *req, const char **token,
	    size_t *len);

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
