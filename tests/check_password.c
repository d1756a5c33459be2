/* check_password.c -- verifying and making hashes with libxcrypt */
#include "config.h"

#include "check_common.h"
#include "password.h"

/*
 * Pieces of real hashes of "pw", to build settings around: a bcrypt salt
 * and checksum, a yescrypt salt and checksum, an scrypt salt and checksum,
 * sha-crypt salts and checksums.  The checksums do not match the settings
 * they are put after; a verification that runs says "no match".
 */
#define BF_TAIL		"abcdefghijklmnopqrstuuyvPXIbu7xe6/CED2DzX8z6Si09MlzlW"
#define Y_TAIL		"$abcdefghijklmnopqrstu/$9iyfnuB7Ao6NmSt4hxtr9jZ852A5LQVFXlLeCRcfiy1"
#define S7_TAIL		"abcdefghijklmnopqrstuv$DGJsmr55ysyQkD.E/yK423f3shHwKw5KR.r57tOG/6."
#define T43		"9iyfnuB7Ao6NmSt4hxtr9jZ852A5LQVFXlLeCRcfiy1"
#define T86		"nII71HJmawaDYdXrUHYtoWV/pe6ZN/eQzrZXdKjhrcMU0onLRg6A5m38udZu.lA6f53rIQturF4FMx1X99KF/0"
#define SHA512_TAIL	"$saltsalt$" T86
#define SHA256_TAIL	"$saltsalt$eNI.02a9Kos9UxzxjTLpNZ6kYHkRe9Z8OsGkDDoW/X2"

/* Every scheme a users file may hold, at a cheap cost. */
static const struct {
	const char	*prefix;
	unsigned long	 cost;
	const char	*scheme;
} schemes[] = {
	{ "$y$", 1, "yescrypt" },
	{ "$gy$", 1, "gost-yescrypt" },
	{ "$7$", 6, "scrypt" },
	{ "$2b$", 4, "bcrypt" },
	{ "$2y$", 4, "bcrypt" },
	{ "$6$", 1000, "sha512crypt" },
	{ "$5$", 1000, "sha256crypt" },
};

START_TEST(test_roundtrip)
{
	char	 hash[PASSWORD_HASH_MAX];
	int	 match = -1;

	ck_assert_msg(password_hash("correct horse", schemes[_i].prefix,
	    schemes[_i].cost, hash, sizeof(hash)) == 0, "%s: hash failed",
	    schemes[_i].prefix);
	ck_assert_msg(strncmp(hash, schemes[_i].prefix,
	    strlen(schemes[_i].prefix)) == 0, "%s: got %s", schemes[_i].prefix,
	    hash);
	ck_assert_str_eq(password_scheme_name(hash), schemes[_i].scheme);
	ck_assert_msg(password_hash_usable(hash), "%s not usable", hash);

	ck_assert_int_eq(password_verify("correct horse", hash, &match), 0);
	ck_assert_int_eq(match, 1);
	ck_assert_int_eq(password_verify("correct horsE", hash, &match), 0);
	ck_assert_int_eq(match, 0);
	ck_assert_int_eq(password_verify("", hash, &match), 0);
	ck_assert_int_eq(match, 0);
}
END_TEST

/* Hashes made elsewhere: by passlib (as the reference app does), mkpasswd. */
static const struct {
	const char	*name;
	const char	*hash;
	const char	*password;
} foreign[] = {
	{ "passlib bcrypt",
	    "$2b$12$LCINyX7vcxLTpmKUgiSYHe0x2bjsnGb8b4uOVPJb3FwhplvhWXMBG",
	    "alicepass" },
	{ "$2y$ (htpasswd -B's form)",
	    "$2y$05$q1SLIyKaAnpWM3vFDv5vz.3rXZyfZfsJHFV4JmaS2Adj3eDSefQfW",
	    "secret" },
	{ "$2a$ (older bcrypt)",
	    "$2a$04$jnM4EDj89GXYknW1JbXMfe8bq2FRwVkE.CQafWL9PNjixccEUPsu2",
	    "old" },
	{ "mkpasswd yescrypt",
	    "$y$j9T$fir.4AIKCdywBAfiy8qZU/$MmBRJvrLn5IteKQyTjkkBRPEF9d.pqEX.WYY74i0RX9",
	    "x-dummy-password-x" },
};

START_TEST(test_foreign)
{
	int	 match = 0;

	ck_assert_msg(password_hash_usable(foreign[_i].hash), "%s",
	    foreign[_i].name);
	ck_assert_int_eq(password_verify(foreign[_i].password,
	    foreign[_i].hash, &match), 0);
	ck_assert_msg(match == 1, "%s: no match", foreign[_i].name);
}
END_TEST

/* Never usable in a users file, and never a match. */
static const char *const unusable[] = {
	"",
	"*",
	"!",
	"!$6$rounds=1000$saltsalt$x",
	"plaintext",
	"$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",		/* md5crypt */
	"abJnggxhB/yWI",				/* DES */
	"$2b$04$abcdefghijklmnopqrstuuyvPXIbu7xe6/CED2DzX8z6Si09Mlzl",
	"$2b$04$abcdefghijklmnopqrstuuyvPXIbu7xe6/CED2DzX8z6Si09MlzlWW",
	"$6$rounds=1000$saltsalt$nII71",
	("$6$rounds=1000$saltsalt$nII71HJmawaDYdXrUHYtoWV/pe6ZN/eQzrZXdKjhrcMU0"
	    "onLRg6A5m38udZu.lA6f53rIQturF4FMx1X99KF/!"),
	"$9$unknown$scheme",
	/* A setting and a checksum of the right length, but no salt. */
	"$y$jbcdefghijklmnopqrstuu3r9OfJnfnS4UpFFP8WIrW",
	"$y$j9T$jbcdefghijklmnopqrstuu3r9OfJnfnS4UpFFP8WIrW",
	"$6$rounds=1000$nII71HJmawaDYdXrUHYtoWV/pe6ZN/eQzrZXdKjhrcMU0onLRg6A5m38"
	    "udZu.lA6f53rIQturF4FMx1X99KF/0",
	/* A '$' inside the salt: crypt would stop the salt there. */
	"$5$rounds=1000$salt$more$eNI.02a9Kos9UxzxjTLpNZ6kYHkRe9Z8OsGkDDoW/X2",
	/* Characters crypt(5) forbids in a hash, which crypt_rn refuses. */
	"$6$salt;salt$" T86,
	"$6$salt\\salt$" T86,
	"$6$salt\tsalt$" T86,
	"$6$salt salt$" T86,
	"$6$salt\177salt$" T86,
	"$6$salt\303\251salt$" T86,
	"$7$6U..../....ab!c$" T43,
};

START_TEST(test_unusable)
{
	int	 match = 1;

	ck_assert_msg(!password_hash_usable(unusable[_i]), "\"%s\" usable",
	    unusable[_i]);
	(void)password_verify("anything", unusable[_i], &match);
	ck_assert_msg(match == 0, "\"%s\" matched", unusable[_i]);
}
END_TEST

/*
 * Hashes of the right shape that libxcrypt 4.4.33 refuses to verify
 * (crypt_rn returns NULL): found by probing crypt_rn with variants of
 * each scheme's setting.  A users file holding one would answer 500 for
 * that name and 401 for an unknown one.
 */
static const struct {
	const char	*name;
	const char	*hash;
} refused[] = {
	{ "bcrypt cost 99", "$2b$99$" BF_TAIL },
	{ "bcrypt cost 1a", "$2b$1a$" BF_TAIL },
	{ "bcrypt cost 03", "$2b$03$" BF_TAIL },
	{ "bcrypt cost 32", "$2b$32$" BF_TAIL },
	{ "$2y$ cost 00", "$2y$00$" BF_TAIL },
	{ "yescrypt without parameters", "$y$" Y_TAIL },
	{ "yescrypt, flavor only", "$y$j" Y_TAIL },
	{ "yescrypt, no r", "$y$j7" Y_TAIL },
	{ "yescrypt N 2", "$y$j.T" Y_TAIL },
	{ "yescrypt N 2^46", "$y$jhT" Y_TAIL },
	{ "yescrypt flavor i", "$y$i7T" Y_TAIL },
	{ "yescrypt with an upgrade count", "$y$j751." Y_TAIL },
	{ "yescrypt with a ROM", "$y$j755." Y_TAIL },
	{ "yescrypt salt of one character", "$y$j75$a$" T43 },
	{ "yescrypt salt with stray bits", "$y$j75$ab$" T43 },
	{ "yescrypt salt with stray bits, 3 characters", "$y$j75$abE$" T43 },
	{ "yescrypt salt over 64 bytes", "$y$j75$aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa$" T43 },
	{ "gost-yescrypt without parameters", "$gy$" Y_TAIL },
	{ "gost-yescrypt salt with stray bits", "$gy$j75$abc$" T43 },
	{ "sha512crypt rounds=0100", "$6$rounds=0100" SHA512_TAIL },
	{ "sha512crypt rounds=999", "$6$rounds=999" SHA512_TAIL },
	{ "sha512crypt rounds overflowing",
	    "$6$rounds=18446744073709551617" SHA512_TAIL },
	{ "sha512crypt rounds=1000000000", "$6$rounds=1000000000" SHA512_TAIL },
	{ "sha512crypt rounds=", "$6$rounds=" SHA512_TAIL },
	{ "sha512crypt rounds=+5000", "$6$rounds=+5000" SHA512_TAIL },
	{ "sha256crypt rounds=0", "$5$rounds=0" SHA256_TAIL },
	{ "scrypt N 2^0", "$7$.U..../...." S7_TAIL },
	{ "scrypt N 2", "$7$/U..../...." S7_TAIL },
	{ "scrypt N 2^40", "$7$cU..../...." S7_TAIL },
	{ "scrypt r 0", "$7$6...../...." S7_TAIL },
	{ "scrypt p 0", "$7$6U........." S7_TAIL },
	{ "scrypt r * p 2^30", "$7$60....zzzzz" S7_TAIL },
};

START_TEST(test_refused)
{
	int	 match = 1;

	/* What the table says: libxcrypt refuses it. */
	ck_assert_msg(password_verify("pw", refused[_i].hash, &match) == -1,
	    "%s: crypt verifies it", refused[_i].name);
	ck_assert_int_eq(match, 0);
	ck_assert_msg(!password_hash_usable(refused[_i].hash), "%s: usable",
	    refused[_i].name);
}
END_TEST

/*
 * Real hashes of "pw", and the same with one character changed to one
 * libxcrypt never writes there: it verifies the variant, but its output
 * is never the variant, so nobody could log in with it.
 */
static const struct {
	const char	*name;
	const char	*real;
	const char	*variant;
} never_match[] = {
	{ "bcrypt salt's last character",
	    "$2b$04$abcdefghijklmnopqrstuuyvPXIbu7xe6/CED2DzX8z6Si09MlzlW",
	    "$2b$04$abcdefghijklmnopqrstuvyvPXIbu7xe6/CED2DzX8z6Si09MlzlW" },
	{ "bcrypt checksum's last character",
	    "$2b$04$abcdefghijklmnopqrstuuyvPXIbu7xe6/CED2DzX8z6Si09MlzlW",
	    "$2b$04$abcdefghijklmnopqrstuuyvPXIbu7xe6/CED2DzX8z6Si09MlzlX" },
	{ "sha512crypt checksum's last character",
	    "$6$rounds=1000$saltsalt$" T86,
	    "$6$rounds=1000$saltsalt$nII71HJmawaDYdXrUHYtoWV/pe6ZN/eQzrZXdKjhrc"
	    "MU0onLRg6A5m38udZu.lA6f53rIQturF4FMx1X99KF/2" },
	{ "sha256crypt checksum's last character",
	    "$5$rounds=1000$saltsalt$eNI.02a9Kos9UxzxjTLpNZ6kYHkRe9Z8OsGkDDoW/X2",
	    "$5$rounds=1000$saltsalt$eNI.02a9Kos9UxzxjTLpNZ6kYHkRe9Z8OsGkDDoW/XZ" },
	{ "sha512crypt salt over 16 characters",
	    "$6$rounds=1000$saltsaltsaltsalt$4x9kufhwkJaKtf4seIqE/TZk6G/DqOFk3or"
	    "VgpNzyiLnBpKBJ14TokK23FWMAFQcK07nQ3huf2NpOJsQOFudB/",
	    "$6$rounds=1000$saltsaltsaltsaltX$4x9kufhwkJaKtf4seIqE/TZk6G/DqOFk3or"
	    "VgpNzyiLnBpKBJ14TokK23FWMAFQcK07nQ3huf2NpOJsQOFudB/" },
	{ "yescrypt checksum's last character",
	    "$y$j75" Y_TAIL,
	    "$y$j75$abcdefghijklmnopqrstu/$9iyfnuB7Ao6NmSt4hxtr9jZ852A5LQVFXlLeC"
	    "Rcfiyz" },
	{ "gost-yescrypt checksum's last character",
	    "$gy$j75$abcdefghijklmnopqrstu/$//Y6F4TlIPeF/LGavi3ILjxuRmzIZjkh7S00"
	    "CTEJt19",
	    "$gy$j75$abcdefghijklmnopqrstu/$//Y6F4TlIPeF/LGavi3ILjxuRmzIZjkh7S00"
	    "CTEJt1z" },
	{ "scrypt checksum's last character",
	    "$7$6U..../...." S7_TAIL,
	    "$7$6U..../....abcdefghijklmnopqrstuv$DGJsmr55ysyQkD.E/yK423f3shHwKw"
	    "5KR.r57tOG/6z" },
};

START_TEST(test_never_match)
{
	int	 match = 0;

	ck_assert_int_eq(password_verify("pw", never_match[_i].real, &match),
	    0);
	ck_assert_msg(match == 1, "%s: the real hash does not match",
	    never_match[_i].name);
	ck_assert_int_eq(password_verify("pw", never_match[_i].variant,
	    &match), 0);
	ck_assert_msg(match == 0, "%s: the variant matches",
	    never_match[_i].name);
	ck_assert_msg(password_hash_usable(never_match[_i].real), "%s: real",
	    never_match[_i].name);
	ck_assert_msg(!password_hash_usable(never_match[_i].variant),
	    "%s: variant usable", never_match[_i].name);
}
END_TEST

/*
 * Hashes libxcrypt verifies, but at a cost above the caps (users.h): not
 * verified here, some take minutes.
 */
static const struct {
	const char	*name;
	const char	*hash;
} too_costly[] = {
	{ "bcrypt cost 15", "$2b$15$" BF_TAIL },
	{ "bcrypt cost 31", "$2b$31$" BF_TAIL },
	{ "$2y$ cost 20", "$2y$20$" BF_TAIL },
	{ "$2a$ cost 15", "$2a$15$" BF_TAIL },
	{ "sha512crypt 1000001 rounds", "$6$rounds=1000001" SHA512_TAIL },
	{ "sha256crypt 999999999 rounds", "$5$rounds=999999999" SHA256_TAIL },
	{ "yescrypt cost 11 (N 2^18, r 32)", "$y$jFT" Y_TAIL },
	{ "yescrypt N 2^19, r 1", "$y$jG." Y_TAIL },
	{ "yescrypt N 2^16, r 128", "$y$jDlD" Y_TAIL },
	{ "gost-yescrypt cost 11", "$gy$jFT" Y_TAIL },
	{ "scrypt cost 10 (N 2^17, r 32)", "$7$FU..../...." S7_TAIL },
	{ "scrypt N 2^19, r 1", "$7$H/..../...." S7_TAIL },
	{ "scrypt N 2^18, r 1, p 16", "$7$G/....E...." S7_TAIL },
};

START_TEST(test_too_costly)
{
	ck_assert_msg(!password_hash_usable(too_costly[_i].hash), "%s: usable",
	    too_costly[_i].name);
}
END_TEST

/*
 * At the caps, and at the edges of what crypt takes: usable, and crypt
 * verifies each (a few take most of a second).
 */
static const struct {
	const char	*name;
	const char	*hash;
} at_caps[] = {
	{ "bcrypt cost 14", "$2b$14$" BF_TAIL },
	{ "sha512crypt 1000000 rounds", "$6$rounds=1000000" SHA512_TAIL },
	{ "sha256crypt 1000000 rounds", "$5$rounds=1000000" SHA256_TAIL },
	{ "yescrypt cost 10 (N 2^17, r 32)", "$y$jET" Y_TAIL },
	{ "yescrypt N 2^18, r 16", "$y$jFD" Y_TAIL },
	{ "gost-yescrypt cost 10", "$gy$jET" Y_TAIL },
	{ "scrypt cost 9 (N 2^16, r 32)", "$7$EU..../...." S7_TAIL },
	{ "scrypt N 2^18, r 8", "$7$G6..../...." S7_TAIL },
	{ "scrypt N 2^13, r 1, p 256", "$7$B/.....2..." S7_TAIL },
	{ "bcrypt cost 04", "$2b$04$" BF_TAIL },
	{ "sha512crypt 1000 rounds", "$6$rounds=1000" SHA512_TAIL },
	{ "sha512crypt rounds=5000 written out", "$6$rounds=5000" SHA512_TAIL },
	{ "sha512crypt empty salt", "$6$$" T86 },
	{ "sha512crypt 16-character salt", "$6$saltsaltsaltsalt$" T86 },
	{ "sha512crypt salt of punctuation", "$6$sa-lt~\"#%&$" T86 },
	{ "yescrypt N 4, r 1", "$y$j/." Y_TAIL },
	{ "yescrypt r 128 (two characters)", "$y$j5lD" Y_TAIL },
	{ "yescrypt empty salt", "$y$j75$$" T43 },
	{ "yescrypt 64-byte salt", "$y$j75$aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1$" T43 },
	{ "yescrypt 3-character salt group", "$y$j75$abcdefD$" T43 },
	{ "scrypt N 4, r 1, p 1", "$7$2/..../...." S7_TAIL },
	{ "scrypt empty salt", "$7$6U..../....$" T43 },
};

START_TEST(test_at_caps)
{
	struct password_setting	 ps;
	const char		*why = NULL;
	int			 match;

	ck_assert_msg(password_hash_parse(at_caps[_i].hash, &ps, &why) == 0,
	    "%s: %s", at_caps[_i].name, why);
	ck_assert_msg(password_verify("pw", at_caps[_i].hash, &match) == 0,
	    "%s: crypt refuses it", at_caps[_i].name);
}
END_TEST

/*
 * authctl's --cost limits are these macros: password_hash makes a usable
 * hash at each, and refuses one step more before hashing anything.
 */
static const struct {
	const char	*prefix;
	unsigned long	 max;
} hash_caps[] = {
	{ "$2b$", PASSWORD_BCRYPT_COST_MAX },
	{ "$y$", PASSWORD_YESCRYPT_COST_MAX },
	{ "$6$", PASSWORD_SHACRYPT_ROUNDS_MAX },
};

START_TEST(test_hash_caps)
{
	char	 hash[PASSWORD_HASH_MAX];

	errno = 0;
	ck_assert_int_eq(password_hash("pw", hash_caps[_i].prefix,
	    hash_caps[_i].max + 1, hash, sizeof(hash)), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_msg(password_hash("pw", hash_caps[_i].prefix,
	    hash_caps[_i].max, hash, sizeof(hash)) == 0, "%s at %lu",
	    hash_caps[_i].prefix, hash_caps[_i].max);
	ck_assert_msg(password_hash_usable(hash), "%s", hash);
}
END_TEST

/*
 * Every hash one edit away from a real cheap one (a character of its
 * setting, salt or checksum's end replaced by one of these, removed, or
 * one inserted): whatever password_hash_parse accepts, crypt verifies.
 * This is how the parser was checked against libxcrypt; the mutants it
 * accepts that are dear to verify (a cost digit raised) are skipped.
 */
static const char *const sweep_bases[] = {
	"$2b$04$" BF_TAIL,
	"$6$rounds=1000$saltsalt$" T86,
	"$6$saltsalt$" T86,
	"$5$rounds=1000" SHA256_TAIL,
	"$y$j/." Y_TAIL,
	"$gy$j/." Y_TAIL,
	"$7$2/..../...." S7_TAIL,
};
static const char	sweep_chars[] = "./019AOZaeuz$!*:; \\=\x7f\x80";
#define SWEEP_COST_MAX_NS	20000000ULL	/* 20 ms */

static size_t	sweep_verified;

static void
sweep_one(const char *base, const char *mutant)
{
	struct password_setting	 ps;
	int			 match;

	if (password_hash_parse(mutant, &ps, NULL) == -1 ||
	    ps.cost_ns > SWEEP_COST_MAX_NS)
		return;
	ck_assert_msg(password_verify("pw", mutant, &match) == 0,
	    "from %s: crypt refuses the usable %s", base, mutant);
	sweep_verified++;
}

START_TEST(test_sweep)
{
	const char	*base = sweep_bases[_i];
	char		 m[PASSWORD_HASH_MAX];
	size_t		 len = strlen(base), tail, i, k;

	/* The checksum is the part after the last '$' (bcrypt: 31). */
	tail = strncmp(base, "$2", 2) == 0 ? 31 :
	    strlen(strrchr(base, '$') + 1);
	ck_assert_uint_lt(len + 2, sizeof(m));
	sweep_verified = 0;
	for (i = 0; i < len; i++) {
		if (i >= len - tail && i < len - 2)
			continue;
		for (k = 0; k < sizeof(sweep_chars) - 1; k++) {
			memcpy(m, base, len + 1);
			m[i] = sweep_chars[k];
			sweep_one(base, m);
			memcpy(m, base, i);
			m[i] = sweep_chars[k];
			memcpy(m + i + 1, base + i, len - i + 1);
			sweep_one(base, m);
		}
		memcpy(m, base, i);
		memcpy(m + i, base + i + 1, len - i);
		sweep_one(base, m);
	}
	/* Not vacuous: salt characters alone give dozens. */
	ck_assert_msg(sweep_verified >= 20, "%s: only %zu verified", base,
	    sweep_verified);
}
END_TEST

/*
 * The cost model orders settings as CPU time did when measured here (each
 * pair at least 1.3 times apart, figures for a short password), across
 * schemes and within one.
 */
static const struct {
	const char	*dearer;
	const char	*cheaper;
} model_order[] = {
	/* 50 ms and 18 ms; 18 ms and 12.6 ms */
	{ "$2b$10$" BF_TAIL, "$y$j9T" Y_TAIL },
	{ "$y$j9T" Y_TAIL, "$2b$08$" BF_TAIL },
	/* 12.6 ms and 2.5 ms; 25 ms and 18 ms */
	{ "$2b$08$" BF_TAIL, "$6$rounds=10000" SHA512_TAIL },
	{ "$6$rounds=100000" SHA512_TAIL, "$y$j9T" Y_TAIL },
	/* 29 ms and 18 ms; 70 ms and 29 ms */
	{ "$7$AU..../...." S7_TAIL, "$y$j9T" Y_TAIL },
	{ "$y$jBT" Y_TAIL, "$7$AU..../...." S7_TAIL },
	/* 76 ms and 50 ms: r 8 against r 32's cost per block */
	{ "$y$jD5" Y_TAIL, "$2b$10$" BF_TAIL },
	/* At the caps: 800, 600 and 470 ms; 250 ms */
	{ "$2b$14$" BF_TAIL, "$y$jET" Y_TAIL },
	{ "$y$jET" Y_TAIL, "$7$EU..../...." S7_TAIL },
	{ "$7$EU..../...." S7_TAIL, "$6$rounds=1000000" SHA512_TAIL },
	/* 690 ms and 400 ms */
	{ "$y$jFD" Y_TAIL, "$2b$13$" BF_TAIL },
	/* 1.2 ms and 0.9 ms: sha-crypt's default rounds */
	{ "$6$saltsalt$" T86, "$2b$04$" BF_TAIL },
	/* gost-yescrypt costs what yescrypt does */
	{ "$gy$jAT" Y_TAIL, "$y$j9T" Y_TAIL },
};

START_TEST(test_model_order)
{
	struct password_setting	 a, b;

	ck_assert_int_eq(password_hash_parse(model_order[_i].dearer, &a,
	    NULL), 0);
	ck_assert_int_eq(password_hash_parse(model_order[_i].cheaper, &b,
	    NULL), 0);
	ck_assert_msg(a.cost_ns > b.cost_ns, "%s (%llu ns) not above %s "
	    "(%llu ns)", model_order[_i].dearer, a.cost_ns,
	    model_order[_i].cheaper, b.cost_ns);
}
END_TEST

START_TEST(test_hash_limits)
{
	char	 hash[PASSWORD_HASH_MAX], small[16];
	char	 big[PASSWORD_MAX_BYTES + 2];

	ck_assert_int_eq(password_hash("", "$y$", 1, hash, sizeof(hash)), -1);
	/* One past the limit, then exactly at it. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(password_hash(big, "$y$", 1, hash, sizeof(hash)), -1);
	big[PASSWORD_MAX_BYTES] = '\0';
	ck_assert_int_eq(password_hash(big, "$y$", 1, hash, sizeof(hash)), 0);
	ck_assert_int_eq(password_hash("pw", "$y$", 1, small, sizeof(small)),
	    -1);
	ck_assert_int_eq(password_hash("pw", "$0$", 1, hash, sizeof(hash)), -1);
}
END_TEST

/*
 * bcrypt reads at most 72 bytes of a password: two passwords that agree
 * on those are the same password to it.  Other schemes read them all.
 */
START_TEST(test_bcrypt_72)
{
	char	 hash[PASSWORD_HASH_MAX], pw72[73], pw73[74];
	int	 match = 0;

	memset(pw72, 'p', 72);
	pw72[72] = '\0';
	memcpy(pw73, pw72, 72);
	pw73[72] = 'X';
	pw73[73] = '\0';
	ck_assert_int_eq(password_hash(pw72, "$2b$", 4, hash, sizeof(hash)), 0);
	ck_assert_int_eq(password_verify(pw73, hash, &match), 0);
	ck_assert_int_eq(match, 1);
	ck_assert_int_eq(password_hash(pw72, "$y$", 1, hash, sizeof(hash)), 0);
	ck_assert_int_eq(password_verify(pw73, hash, &match), 0);
	ck_assert_int_eq(match, 0);
}
END_TEST

START_TEST(test_default_scheme)
{
	char	 hash[PASSWORD_HASH_MAX];

	/* NULL prefix: libxcrypt's preferred method, yescrypt on Debian. */
	ck_assert_int_eq(password_hash("pw", NULL, 0, hash, sizeof(hash)), 0);
	ck_assert_str_eq(password_scheme_name(hash), "yescrypt");
}
END_TEST

/*
 * The setting (scheme and cost, no salt) of real hashes, as libxcrypt and
 * other tools write them: two hashes take the same time to verify when
 * these prefixes match.
 */
static const struct {
	const char	*hash;
	const char	*setting;
} settings[] = {
	{ "$y$j9T$fir.4AIKCdywBAfiy8qZU/$MmBRJvrLn5IteKQyTjkkBRPEF9d.pqEX.WYY74i0RX9",
	    "$y$j9T$" },
	{ "$y$jDT$abc$def", "$y$jDT$" },
	{ "$gy$j9T$abc$def", "$gy$j9T$" },
	{ "$7$CU..../....abcdefgh$abc", "$7$CU..../...." },
	{ "$2b$12$abcdefghijklmnopqrstuuyvPXIbu7xe6/CED2DzX8z6Si09MlzlW",
	    "$2b$12$" },
	{ "$2y$04$abcdefghijklmnopqrstuu", "$2y$04$" },
	{ "$2a$10$x", "$2a$10$" },
	{ "$6$saltsalt$abc", "$6$" },
	{ "$6$rounds=1000$saltsalt$abc", "$6$rounds=1000$" },
	{ "$5$rounds=5000$s$h", "$5$rounds=5000$" },
	{ "$5$s$h", "$5$" },
	/* Malformed: never past the end. */
	{ "$y$j9T", "$y$j9T" },
	{ "$6$rounds=1000", "$6$rounds=1000" },
	{ "$2b$1", "$2b$1" },
	{ "$7$CU", "$7$CU" },
	/* Unknown schemes: the whole hash. */
	{ "$1$salt$hash", "$1$salt$hash" },
	{ "abXYZ", "abXYZ" },
	{ "", "" },
};

START_TEST(test_setting_len)
{
	size_t	 len = password_setting_len(settings[_i].hash);

	ck_assert_msg(len == strlen(settings[_i].setting) &&
	    strncmp(settings[_i].hash, settings[_i].setting, len) == 0,
	    "%s: got %zu (\"%.*s\"), want \"%s\"", settings[_i].hash, len,
	    (int)len, settings[_i].hash, settings[_i].setting);
}
END_TEST

static Suite *
password_suite(void)
{
	Suite	*s = suite_create("password");
	TCase	*tc;

	tc = tcase_create("schemes");
	tcase_add_loop_test(tc, test_roundtrip, 0, ARRAY_SIZE(schemes));
	tcase_add_loop_test(tc, test_foreign, 0, ARRAY_SIZE(foreign));
	tcase_add_test(tc, test_default_scheme);
	tcase_add_loop_test(tc, test_setting_len, 0, ARRAY_SIZE(settings));
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_loop_test(tc, test_unusable, 0, ARRAY_SIZE(unusable));
	tcase_add_loop_test(tc, test_refused, 0, ARRAY_SIZE(refused));
	tcase_add_loop_test(tc, test_never_match, 0, ARRAY_SIZE(never_match));
	tcase_add_loop_test(tc, test_too_costly, 0, ARRAY_SIZE(too_costly));
	tcase_add_loop_test(tc, test_sweep, 0, ARRAY_SIZE(sweep_bases));
	tcase_add_loop_test(tc, test_model_order, 0, ARRAY_SIZE(model_order));
	tcase_add_test(tc, test_hash_limits);
	tcase_add_test(tc, test_bcrypt_72);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	/* Most of a second each: what one login may cost at most. */
	tc = tcase_create("caps");
	tcase_add_loop_test(tc, test_at_caps, 0, ARRAY_SIZE(at_caps));
	tcase_add_loop_test(tc, test_hash_caps, 0, ARRAY_SIZE(hash_caps));
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(password_suite)
