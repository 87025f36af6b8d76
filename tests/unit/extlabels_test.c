/*
 * extlabels_test: external labels from --label flags and from the YAML
 * Prometheus 2.42 answers /api/v1/status/config with: sorted, each name
 * once, valid names only, empty values dropped (config) or refused
 * (flags); the form for logs.  Fetching is tested in bats against a real
 * Prometheus.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/labels.h"
#include "net/extlabels.h"
#include "unit.h"

/* As Prometheus 2.42 renders its loaded config. */
static const char config[] =
"global:\n"
"  scrape_interval: 1s\n"
"  scrape_timeout: 1s\n"
"  evaluation_interval: 1m\n"
"  external_labels:\n"
"    replica: a\n"
"    cluster: eu1\n"
"    quoted: \"x: \\\"y\\\"\"\n"
"    empty: \"\"\n"
"scrape_configs:\n"
"- job_name: self\n"
"  honor_timestamps: true\n";

static int
parse(struct extlabels *e, const char *yaml, char *err)
{
	return extlabels_parse_config(e, yaml, strlen(yaml), "C", err);
}

static const char *
fmt(const struct extlabels *e)
{
	static struct buf b = BUF_INIT(BUF_NOMAX);

	buf_reset(&b);
	extlabels_format(e, &b);
	return b.data;
}

int
main(void)
{
	struct extlabels e = EXTLABELS_INIT, f = EXTLABELS_INIT;
	struct labels v = LABELS_INIT;
	char err[ERR_MAX];

	CHECK(parse(&e, config, err) == 0);
	CHECK_INT(e.n, 3);
	CHECK_STR(fmt(&e), "{cluster=\"eu1\", quoted=\"x: \\\"y\\\"\", "
	    "replica=\"a\"}");
	CHECK(extlabels_view(&e, &v) == 0);
	CHECK_INT(v.n, 3);
	CHECK(str_eq(v.v[0].name, "cluster") && str_eq(v.v[2].value, "a"));

	/* Flags: sorted, checked. */
	CHECK(extlabels_add_flag(&f, "replica=a", err) == 0);
	CHECK(extlabels_add_flag(&f, "quoted=x: \"y\"", err) == 0);
	CHECK(extlabels_add_flag(&f, "cluster=eu1", err) == 0);
	CHECK(extlabels_equal(&e, &f));
	CHECK(extlabels_add_flag(&f, "cluster=eu2", err) == -1);
	CHECK_STR(err, "label cluster given twice");
	CHECK(extlabels_add_flag(&f, "noequals", err) == -1);
	CHECK_STR(err, "'noequals' is not NAME=VALUE");
	CHECK(extlabels_add_flag(&f, "1x=y", err) == -1);
	CHECK_STR(err, "'1x' is not a valid label name");
	CHECK(extlabels_add_flag(&f, "a-b=y", err) == -1);
	CHECK(extlabels_add_flag(&f, "=y", err) == -1);
	CHECK(extlabels_add_flag(&f, "z=", err) == -1);
	CHECK_STR(err, "label z has an empty value");
	CHECK(extlabels_add_flag(&f, "_under=x=y", err) == 0);
	CHECK_INT(f.n, 4);
	CHECK_STR(f.name[0], "_under");
	CHECK_STR(f.value[0], "x=y");
	CHECK(!extlabels_equal(&e, &f));

	/* No labels, no global: an empty set, not an error. */
	CHECK(parse(&e, "scrape_configs: []\n", err) == 0);
	CHECK_INT(e.n, 0);
	CHECK(parse(&e, "global:\n  external_labels:\n", err) == 0);
	CHECK_INT(e.n, 0);
	CHECK_STR(fmt(&e), "{}");
	CHECK(parse(&e, "", err) == 0);

	/* Bad shapes are errors that leave the set as it was. */
	CHECK(parse(&e, config, err) == 0);
	CHECK(parse(&e, "global:\n  external_labels: [a]\n", err) == -1);
	CHECK_STR(err, "C: global.external_labels: not a map");
	CHECK(parse(&e, "global:\n  external_labels:\n    a: [1]\n",
	    err) == -1);
	CHECK(parse(&e, "global:\n  external_labels:\n    a-b: c\n",
	    err) == -1);
	CHECK_STR(err, "C: global.external_labels: 'a-b' is not a valid "
	    "label name");
	CHECK(parse(&e, "global: [\n", err) == -1);
	CHECK(strncmp(err, "C:2: bad YAML", 13) == 0);
	CHECK_INT(e.n, 3);

	labels_release(&v);
	extlabels_release(&e);
	extlabels_release(&f);
	return unit_done();
}
