#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/labels.h"
#include "base/parse.h"
#include "net/extlabels.h"
#include "net/promapi.h"
#include "net/http.h"

void
extlabels_release(struct extlabels *e)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		free(e->name[i]);
		free(e->value[i]);
	}
	free(e->name);
	free(e->value);
	e->name = e->value = NULL;
	e->n = 0;
}

int
extlabels_add(struct extlabels *e, const char *name, const char *value,
    char err[ERR_MAX])
{
	char q[PARSE_QUOTE_MAX], **nn, **nv, *n, *v;
	size_t i, at;
	int c;

	if (!labels_valid_name(name))
		return errbuf_set(err, "'%s' is not a valid label name",
		    parse_quote(name, q));
	if (*value == '\0')
		return errbuf_set(err, "label %s has an empty value", name);
	for (at = 0; at < e->n; at++) {
		if ((c = strcmp(e->name[at], name)) == 0)
			return errbuf_set(err, "label %s given twice", name);
		if (c > 0)
			break;
	}
	if ((nn = reallocarray(e->name, e->n + 1, sizeof(*nn))) == NULL)
		return errbuf_sys(err, "label %s", name);
	e->name = nn;
	if ((nv = reallocarray(e->value, e->n + 1, sizeof(*nv))) == NULL)
		return errbuf_sys(err, "label %s", name);
	e->value = nv;
	if ((n = strdup(name)) == NULL || (v = strdup(value)) == NULL) {
		free(n);
		return errbuf_sys(err, "label %s", name);
	}
	for (i = e->n; i > at; i--) {
		e->name[i] = e->name[i - 1];
		e->value[i] = e->value[i - 1];
	}
	e->name[at] = n;
	e->value[at] = v;
	e->n++;
	return 0;
}

int
extlabels_add_flag(struct extlabels *e, const char *kv, char err[ERR_MAX])
{
	char q[PARSE_QUOTE_MAX], *name;
	const char *eq;
	int rc;

	if ((eq = strchr(kv, '=')) == NULL)
		return errbuf_set(err, "'%s' is not NAME=VALUE",
		    parse_quote(kv, q));
	if ((name = strndup(kv, (size_t)(eq - kv))) == NULL)
		return errbuf_sys(err, "label");
	rc = extlabels_add(e, name, eq + 1, err);
	free(name);
	return rc;
}

static yaml_node_t *
map_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;
	yaml_node_t *k;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(doc, p->key);
		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

int
extlabels_parse_config(struct extlabels *e, const char *yaml, size_t len,
    const char *source, char err[ERR_MAX])
{
	struct extlabels out = EXTLABELS_INIT;
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_pair_t *p;
	yaml_node_t *root, *labels, *k, *v;
	char why[ERR_MAX];
	int rc = -1;

	if (!yaml_parser_initialize(&parser))
		return errbuf_set(err, "%s: out of memory", source);
	yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
	if (!yaml_parser_load(&parser, &doc)) {
		errbuf_set(err, "%s:%lu: bad YAML: %s", source,
		    (unsigned long)parser.problem_mark.line + 1,
		    parser.problem ? parser.problem : "unknown error");
		yaml_parser_delete(&parser);
		return -1;
	}
	yaml_parser_delete(&parser);
	root = yaml_document_get_root_node(&doc);
	labels = map_get(&doc, map_get(&doc, root, "global"),
	    "external_labels");
	if (labels != NULL && labels->type == YAML_MAPPING_NODE) {
		for (p = labels->data.mapping.pairs.start;
		    p < labels->data.mapping.pairs.top; p++) {
			k = yaml_document_get_node(&doc, p->key);
			v = yaml_document_get_node(&doc, p->value);
			if (k == NULL || v == NULL ||
			    k->type != YAML_SCALAR_NODE ||
			    v->type != YAML_SCALAR_NODE) {
				errbuf_set(err, "%s: global.external_labels: "
				    "not a map of strings", source);
				goto out;
			}
			/* An empty value is no label, as in Prometheus. */
			if (v->data.scalar.length == 0)
				continue;
			if (extlabels_add(&out,
			    (const char *)k->data.scalar.value,
			    (const char *)v->data.scalar.value, why) == -1) {
				errbuf_set(err, "%s: global.external_labels: "
				    "%s", source, why);
				goto out;
			}
		}
	} else if (labels != NULL && !(labels->type == YAML_SCALAR_NODE &&
	    labels->data.scalar.length == 0)) {
		errbuf_set(err, "%s: global.external_labels: not a map",
		    source);
		goto out;
	}
	extlabels_release(e);
	*e = out;
	out = (struct extlabels)EXTLABELS_INIT;
	rc = 0;
out:
	extlabels_release(&out);
	yaml_document_delete(&doc);
	return rc;
}

int
extlabels_fetch(struct extlabels *e, const char *url, int abort_fd,
    char err[ERR_MAX])
{
	struct buf u = BUF_INIT(BUF_NOMAX);
	json_t *doc, *data, *y;
	int rc = -1;

	if (promapi_get(url, "/api/v1/status/config", abort_fd,
	    EXTLABELS_TIMEOUT_MS, EXTLABELS_CONFIG_MAX, &u,
	    (struct json_t **)&doc, (struct json_t **)&data, err) == -1)
		goto out;
	y = json_object_get(data, "yaml");
	if (!json_is_string(y)) {
		errbuf_set(err, "GET %s: not a Prometheus config answer",
		    u.data);
		goto out;
	}
	rc = extlabels_parse_config(e, json_string_value(y),
	    json_string_length(y), u.data, err);
out:
	json_decref(doc);
	buf_release(&u);
	return rc;
}

int
extlabels_view(const struct extlabels *e, struct labels *out)
{
	size_t i;

	labels_reset(out);
	for (i = 0; i < e->n; i++)
		if (labels_add(out, str_of(e->name[i]),
		    str_of(e->value[i])) == -1)
			return -1;
	return 0;
}

int
extlabels_equal(const struct extlabels *a, const struct extlabels *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->name[i], b->name[i]) != 0 ||
		    strcmp(a->value[i], b->value[i]) != 0)
			return 0;
	return 1;
}

int
extlabels_format(const struct extlabels *e, struct buf *out)
{
	const char *p;
	size_t i;

	if (buf_addch(out, '{') == -1)
		return -1;
	for (i = 0; i < e->n; i++) {
		if (buf_addf(out, "%s%s=\"", i ? ", " : "", e->name[i]) == -1)
			return -1;
		for (p = e->value[i]; *p != '\0'; p++) {
			if (*p == '\n') {
				if (buf_addstr(out, "\\n") == -1)
					return -1;
				continue;
			}
			if (((*p == '"' || *p == '\\') &&
			    buf_addch(out, '\\') == -1) ||
			    buf_addch(out, *p) == -1)
				return -1;
		}
		if (buf_addch(out, '"') == -1)
			return -1;
	}
	return buf_addch(out, '}');
}
