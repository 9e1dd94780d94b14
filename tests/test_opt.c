/* Knob parsing and its errors. */
#include <errno.h>

#include "opt.h"
#include "test.h"

static const struct knob tbl[] = {
	{ "count", KNOB_INT, "10", 1, 1000, NULL, "how many" },
	{ "ratio", KNOB_DOUBLE, "0.5", 0, 1, NULL, "a fraction" },
	{ "sync", KNOB_ENUM, "none", 0, 0, "none|atomic|mutex", "mode" },
	{ "on", KNOB_BOOL, "false", 0, 1, NULL, "switch" },
	{ 0 }
};

TEST(opt, parse_each_type)
{
	struct knobval v;
	char err[200];
	CHECK(opt_parse_value(&tbl[0], "42", &v, err, sizeof err) == 0);
	CHECK_NEAR(v.num, 42, 0);
	CHECK(opt_parse_value(&tbl[1], "0.25", &v, err, sizeof err) == 0);
	CHECK_NEAR(v.num, 0.25, 0);
	CHECK(opt_parse_value(&tbl[2], "mutex", &v, err, sizeof err) == 0);
	CHECK_EQ_INT(v.choice, 2);
	CHECK_STR(v.text, "mutex");
	CHECK(opt_parse_value(&tbl[3], "yes", &v, err, sizeof err) == 0);
	CHECK_NEAR(v.num, 1, 0);
}

TEST(opt, errors_name_the_knob)
{
	struct knobval v;
	char err[200];
	CHECK(opt_parse_value(&tbl[0], "12x", &v, err, sizeof err) == -EINVAL);
	CHECK_CONTAINS(err, "count");
	CHECK_CONTAINS(err, "not an integer");
	CHECK(opt_parse_value(&tbl[0], "0", &v, err, sizeof err) == -EINVAL);
	CHECK_CONTAINS(err, "out of range");
	CHECK(opt_parse_value(&tbl[0], "", &v, err, sizeof err) == -EINVAL);
	CHECK(opt_parse_value(&tbl[0], "99999999999999999999999", &v, err, sizeof err) == -EINVAL);
	CHECK(opt_parse_value(&tbl[1], "1.5", &v, err, sizeof err) == -EINVAL);
	CHECK(opt_parse_value(&tbl[1], "nan", &v, err, sizeof err) == -EINVAL);
	CHECK(opt_parse_value(&tbl[2], "spin", &v, err, sizeof err) == -EINVAL);
	CHECK_CONTAINS(err, "none|atomic|mutex");
	CHECK(opt_parse_value(&tbl[3], "maybe", &v, err, sizeof err) == -EINVAL);
}

TEST(opt, split_and_sweep)
{
	struct knob_assign a;
	char err[200];
	CHECK(opt_split_assign("count=1,10,100", &a, err, sizeof err) == 0);
	CHECK_STR(a.name, "count");
	CHECK_EQ_INT(a.nvals, 3);
	CHECK_STR(a.vals[2], "100");
	CHECK(opt_split_assign("count", &a, err, sizeof err) == -EINVAL);
	CHECK(opt_split_assign("=5", &a, err, sizeof err) == -EINVAL);
	CHECK(opt_split_assign("count=1,,2", &a, err, sizeof err) == -EINVAL);
	CHECK(opt_split_assign("count=", &a, err, sizeof err) == -EINVAL);
}

TEST(opt, defaults_and_set)
{
	struct knobset s = { 0 };
	struct knobval v;
	char err[200];
	CHECK(opt_defaults(&s, tbl) == 0);
	CHECK_EQ_INT(s.n, 4);
	CHECK_NEAR(opt_get(&s, "count")->num, 10, 0);
	CHECK(opt_parse_value(&tbl[0], "7", &v, err, sizeof err) == 0);
	CHECK(opt_set(&s, &v) == 0);
	CHECK_EQ_INT(s.n, 4);
	CHECK_NEAR(opt_get(&s, "count")->num, 7, 0);
	CHECK(opt_get(&s, "nope") == NULL);
}

TEST(opt, strict_numbers)
{
	uint64_t u;
	double d;
	CHECK(opt_parse_u64("12", 1, 100, &u) == 0 && u == 12);
	CHECK(opt_parse_u64("-1", 0, 100, &u) != 0);
	CHECK(opt_parse_u64("1e3", 0, 10000, &u) != 0);
	CHECK(opt_parse_u64("101", 1, 100, &u) == -ERANGE);
	CHECK(opt_parse_double("0.5", 0, 1, &d) == 0 && d == 0.5);
	CHECK(opt_parse_double("inf", 0, 1e300, &d) != 0);
}
