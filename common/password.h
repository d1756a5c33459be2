/* password.h -- verify and make password hashes with libxcrypt */
#ifndef FCGI_AUTH_PASSWORD_H
#define FCGI_AUTH_PASSWORD_H

#include <stddef.h>

/*
 * Longer passwords are refused before hashing.  libxcrypt itself refuses
 * passphrases of CRYPT_MAX_PASSPHRASE_SIZE (512) bytes or more, so this is
 * the most any scheme can take; bcrypt reads only the first 72 of them.
 */
#define PASSWORD_MAX_BYTES	511
/* Room for any hash crypt_rn returns (libxcrypt's CRYPT_OUTPUT_SIZE). */
#define PASSWORD_HASH_MAX	384

/*
 * Check a NUL-terminated password against a crypt(5) hash, in time that
 * does not depend on where the two differ.  Returns 0 with *match set to
 * 1 or 0, or -1 if the hash is unusable (*match is then 0).  A password
 * too long for libxcrypt (CRYPT_MAX_PASSPHRASE_SIZE) matches nothing.
 */
int	password_verify(const char *password, const char *hash, int *match);

/*
 * Hash a password with the scheme named by prefix ("$y$", "$2b$", "$6$",
 * or NULL for libxcrypt's preferred one) at the given cost (0 for
 * libxcrypt's default).  Writes the hash to out (at least
 * PASSWORD_HASH_MAX bytes).  Returns 0, or -1 with errno set.
 */
int	password_hash(const char *password, const char *prefix,
	    unsigned long cost, char *out, size_t outlen);

/*
 * Whether a users file may hold this hash: a scheme we accept (yescrypt,
 * gost-yescrypt, scrypt, bcrypt, sha512crypt, sha256crypt) that libxcrypt
 * parses.  Returns 1 or 0.
 */
int	password_hash_usable(const char *hash);

/*
 * How long the part of hash is that names its scheme and cost, without
 * the salt: 7 for "$2b$12$...", 7 for "$y$j9T$...", 3 for "$6$salt$..."
 * (default rounds), 16 for "$6$rounds=5000$...".  Two hashes with the
 * same setting take the same time to verify.  The whole length for a
 * scheme it does not know.
 */
size_t	password_setting_len(const char *hash);

/* "yescrypt", "bcrypt", "sha512crypt", ...; "unknown" for anything else. */
const char *password_scheme_name(const char *hash);

#endif /* FCGI_AUTH_PASSWORD_H */
