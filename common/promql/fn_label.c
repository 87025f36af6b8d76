/*
 * fn_label: label_replace and label_join, as Prometheus 2.42 has them:
 * the regex anchored at both ends, the replacement expanded as Go's
 * Regexp.Expand does ($1, ${1}, $name, $$), an empty result removing
 * the label, and the checks on label names and the regex made at the
 * first step whether or not there is any input.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "promql/eval.h"
#include "promql/func.h"

struct replace_state {
	pcre2_code		*re;
	pcre2_match_data	*md;
};

static void
replace_free(void *p)
{
	struct replace_state *s = p;

	if (s == NULL)
		return;
	if (s->md)
		pcre2_match_data_free(s->md);
	if (s->re)
		pcre2_code_free(s->re);
	free(s);
}

/* A string argument (parentheses and step-invariant wrappers aside). */
static const struct ast_node *
string_arg(const struct ast_node *n)
{
	return ast_unparen(ast_unwrap((struct ast_node *)n));
}

static int
is_name_rune(unsigned char c)
{
	/* Go takes any Unicode letter or digit; non-ASCII bytes are taken
	 * as parts of letters here. */
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80;
}

/* Go's Regexp.Expand of template for the match in ovector. */
static int
expand(struct buf *b, const char *tpl, size_t n, const char *src,
    pcre2_code *re, const PCRE2_SIZE *ov, uint32_t pairs)
{
	size_t i = 0;

	while (i < n) {
		const char *d = memchr(tpl + i, '$', n - i);
		size_t j, start, end;
		long num = 0;
		int brace = 0, group;

		if (d == NULL)
			break;
		if (buf_add(b, tpl + i, (size_t)(d - tpl) - i) == -1)
			return -1;
		i = (size_t)(d - tpl) + 1;
		if (i < n && tpl[i] == '$') {
			if (buf_addch(b, '$') == -1)
				return -1;
			i++;
			continue;
		}
		j = i;
		if (j < n && tpl[j] == '{') {
			brace = 1;
			j++;
		}
		start = j;
		while (j < n && is_name_rune((unsigned char)tpl[j]))
			j++;
		end = j;
		if (end == start || (brace && (j >= n || tpl[j] != '}'))) {
			/* Malformed: the $ is plain text. */
			if (buf_addch(b, '$') == -1)
				return -1;
			continue;
		}
		if (brace)
			j++;
		i = j;
		for (size_t k = start; k < end; k++) {
			if (tpl[k] < '0' || tpl[k] > '9' || num >= 100000000) {
				num = -1;
				break;
			}
			num = num * 10 + (tpl[k] - '0');
		}
		if (tpl[start] == '0' && end - start > 1)
			num = -1;
		if (num >= 0) {
			group = (int)num;
		} else {
			char name[128];

			if (end - start >= sizeof(name))
				continue;
			memcpy(name, tpl + start, end - start);
			name[end - start] = '\0';
			group = pcre2_substring_number_from_name(re,
			    (PCRE2_SPTR)name);
			if (group < 0)
				continue;
		}
		if ((uint32_t)group < pairs && ov[2 * group] != PCRE2_UNSET &&
		    buf_add(b, src + ov[2 * group], ov[2 * group + 1] -
		    ov[2 * group]) == -1)
			return -1;
	}
	return i < n ? buf_add(b, tpl + i, n - i) : 0;
}

int
fn_label_replace(struct ev *ev, struct ev_call *c, struct ev_vector *in,
    int64_t ts, struct ev_vector *out)
{
	const struct ast_node *dst = string_arg(c->node->args[1]);
	const struct ast_node *repl = string_arg(c->node->args[2]);
	const struct ast_node *src = string_arg(c->node->args[3]);
	const struct ast_node *rx = string_arg(c->node->args[4]);
	struct replace_state *st = c->state;
	struct buf b = BUF_INIT(BUF_NOMAX);
	int rc = 0;

	if (st == NULL) {
		uint32_t opts = PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_UTF |
		    PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY;
		PCRE2_SIZE off;
		int code;

		if ((st = calloc(1, sizeof(*st))) == NULL)
			return ev_nomem(ev);
		c->state = st;
		c->state_free = replace_free;
		st->re = pcre2_compile((PCRE2_SPTR)rx->str, rx->slen, opts,
		    &code, &off, NULL);
		if (st->re == NULL)
			return ev_fail(ev, PROMQL_EXEC, "invalid regular "
			    "expression in label_replace(): %s", rx->str);
		if ((st->md = pcre2_match_data_create_from_pattern(st->re,
		    NULL)) == NULL)
			return ev_nomem(ev);
		if (!labels_valid_name(dst->str))
			return ev_fail(ev, PROMQL_EXEC, "invalid destination "
			    "label name in label_replace(): %s", dst->str);
	}
	for (size_t i = 0; i < in[0].n && rc == 0; i++) {
		const struct promql_lset *ls = in[0].s[i].ls;
		const struct str *sv = lset_get(ls, src->str, src->slen);
		const char *s = sv ? sv->p : "";
		size_t sn = sv ? sv->n : 0;

		if (pcre2_match(st->re, (PCRE2_SPTR)s, sn, 0, 0, st->md,
		    NULL) >= 0) {
			b.len = 0;
			if (expand(&b, repl->str, repl->slen, s, st->re,
			    pcre2_get_ovector_pointer(st->md),
			    pcre2_get_ovector_count(st->md)) == -1 ||
			    (ls = lset_set(&ev->q->in, ls, dst->str, dst->slen,
			    b.len ? b.data : "", b.len)) == NULL) {
				rc = ev_nomem(ev);
				break;
			}
		}
		rc = ev_vector_add(ev, out, ls, ts, in[0].s[i].v);
	}
	buf_release(&b);
	return rc;
}

int
fn_label_join(struct ev *ev, struct ev_call *c, struct ev_vector *in,
    int64_t ts, struct ev_vector *out)
{
	const struct ast_node *dst = string_arg(c->node->args[1]);
	const struct ast_node *sep = string_arg(c->node->args[2]);
	struct buf b = BUF_INIT(BUF_NOMAX);
	int rc = 0;

	for (size_t k = 3; k < c->node->nargs; k++) {
		const struct ast_node *s = string_arg(c->node->args[k]);

		if (!labels_valid_name(s->str))
			return ev_fail(ev, PROMQL_EXEC, "invalid source label "
			    "name in label_join(): %s", s->str);
	}
	if (!labels_valid_name(dst->str))
		return ev_fail(ev, PROMQL_EXEC, "invalid destination label "
		    "name in label_join(): %s", dst->str);
	for (size_t i = 0; i < in[0].n && rc == 0; i++) {
		const struct promql_lset *ls = in[0].s[i].ls;

		b.len = 0;
		for (size_t k = 3; k < c->node->nargs; k++) {
			const struct ast_node *s = string_arg(c->node->args[k]);
			const struct str *v = lset_get(ls, s->str, s->slen);

			if ((k > 3 && buf_add(&b, sep->str, sep->slen) == -1) ||
			    (v && buf_add(&b, v->p, v->n) == -1)) {
				rc = ev_nomem(ev);
				break;
			}
		}
		if (rc == 0 && (ls = lset_set(&ev->q->in, ls, dst->str,
		    dst->slen, b.len ? b.data : "", b.len)) == NULL)
			rc = ev_nomem(ev);
		if (rc == 0)
			rc = ev_vector_add(ev, out, ls, ts, in[0].s[i].v);
	}
	buf_release(&b);
	return rc;
}
