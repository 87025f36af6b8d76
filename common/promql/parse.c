#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/labels.h"
#include "base/parse.h"
#include "promql/func.h"
#include "promql/gofmt.h"
#include "promql/parse.h"

struct parser {
	const char		*in;
	size_t			 n;
	struct promql_lexer	 lx;
	struct promql_token	 tok;		/* the lookahead */
	int			 have;
	size_t			 last_end;	/* end of the last token taken */
	const char		*ctx;		/* innermost error-rule context */
	int			 depth;		/* of nested expressions */
	int			 failed;
	char			*err;
};

/* Binary operator precedence, lowest 1; 0: not a binary operator. */
static int
binprec(enum promql_tok t)
{
	switch (t) {
	case TOK_LOR:
		return 1;
	case TOK_LAND: case TOK_LUNLESS:
		return 2;
	case TOK_EQLC: case TOK_NEQ: case TOK_LTE: case TOK_LSS:
	case TOK_GTE: case TOK_GTR:
		return 3;
	case TOK_ADD: case TOK_SUB:
		return 4;
	case TOK_MUL: case TOK_DIV: case TOK_MOD: case TOK_ATAN2:
		return 5;
	case TOK_POW:
		return 6;
	default:
		return 0;
	}
}

int
promql_errpos(char *err, const char *query, size_t pos, const char *msg)
{
	size_t line = 1, last_nl = (size_t)-1, len = strlen(query);

	if (pos > len)
		return errbuf_set(err, "invalid position: parse error: %s", msg);
	for (size_t i = 0; i < pos; i++)
		if (query[i] == '\n') {
			line++;
			last_nl = i;
		}
	return errbuf_set(err, "%zu:%zu: parse error: %s", line,
	    pos - last_nl, msg);
}

static void
fail_at(struct parser *p, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail_at(struct parser *p, size_t pos, const char *fmt, ...)
{
	char msg[ERR_MAX];
	va_list ap;

	if (p->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	promql_errpos(p->err, p->in, pos, msg);
	p->failed = 1;
}

static struct promql_token *
peek(struct parser *p)
{
	if (!p->have) {
		promql_lex_next(&p->lx, &p->tok);
		p->have = 1;
		if (p->tok.type == TOK_ERROR)
			fail_at(p, p->tok.pos, "%s", p->lx.err);
	}
	return &p->tok;
}

static void
advance(struct parser *p)
{
	peek(p);
	p->last_end = p->tok.pos + p->tok.len;
	p->have = 0;
}

/* "unexpected <token>[ in <context>][, expected <what>]" at the
 * lookahead; nothing if the lexer already failed there. */
static void
unexpected(struct parser *p, const char *context, const char *expected)
{
	struct promql_token *t = peek(p);
	struct buf b = BUF_INIT(ERR_MAX - 1);

	if (p->failed || t->type == TOK_ERROR)
		return;
	buf_addstr(&b, "unexpected ");
	promql_tok_desc(&b, p->in, t);
	if (context && *context)
		buf_addf(&b, " in %s", context);
	if (expected && *expected)
		buf_addf(&b, ", expected %s", expected);
	fail_at(p, t->pos, "%s", b.data ? b.data : "unexpected input");
	buf_release(&b);
}

static struct ast_node *
node(struct parser *p, enum ast_kind kind, size_t pos)
{
	struct ast_node *n = ast_new(kind, pos);

	if (n == NULL)
		fail_at(p, pos, "out of memory");
	return n;
}

/* model.ParseDuration, then Prometheus' "> 0" rule. */
static int
duration(struct parser *p, const struct promql_token *t, int64_t *ms)
{
	char s[64], e[ERR_MAX];

	if (t->len >= sizeof(s) || (memcpy(s, p->in + t->pos, t->len),
	    s[t->len] = '\0', parse_duration(s, ms, e) == -1)) {
		struct buf b = BUF_INIT(ERR_MAX - 1);

		gofmt_quote(&b, p->in + t->pos, t->len);
		fail_at(p, t->pos, "not a valid duration string: %s",
		    b.data ? b.data : "");
		buf_release(&b);
		return -1;
	}
	/* Prometheus counts in nanoseconds: 2^63 ns is its limit. */
	if (*ms > INT64_MAX / 1000000) {
		fail_at(p, t->pos, "duration out of range");
		return -1;
	}
	if (*ms == 0) {
		fail_at(p, t->pos, "duration must be greater than 0");
		return -1;
	}
	return 0;
}

static int
number(struct parser *p, const struct promql_token *t, double *v)
{
	char e[ERR_MAX];

	if (gofmt_parse_number(p->in + t->pos, t->len, v, e) == -1) {
		fail_at(p, t->pos, "error parsing number: %s", e);
		return -1;
	}
	return 0;
}

static int
unquote(struct parser *p, const struct promql_token *t, char **out,
    size_t *len)
{
	struct buf b = BUF_INIT(BUF_NOMAX);
	char e[ERR_MAX];

	if (promql_unquote(p->in + t->pos, t->len, &b, e) == -1) {
		struct buf q = BUF_INIT(ERR_MAX - 1);

		gofmt_quote(&q, p->in + t->pos, t->len);
		fail_at(p, t->pos, "error unquoting string %s: %s",
		    q.data ? q.data : "", e);
		buf_release(&q);
		buf_release(&b);
		return -1;
	}
	if ((*out = buf_detach(&b, len)) == NULL) {
		fail_at(p, t->pos, "out of memory");
		return -1;
	}
	return 0;
}

static struct ast_node *expr(struct parser *p, int minprec);

/* maybe_label: tokens that may name a label in by(), on(), group_x(). */
static int
maybe_label(enum promql_tok t)
{
	return t == TOK_IDENT || t == TOK_METRIC_IDENT ||
	    promql_tok_is_aggregator(t) || promql_tok_is_keyword(t) ||
	    t == TOK_LAND || t == TOK_LOR || t == TOK_LUNLESS ||
	    t == TOK_START || t == TOK_END || t == TOK_ATAN2;
}

/* ( label, ... ) */
static int
grouping_labels(struct parser *p, char ***list, size_t *n)
{
	struct promql_token *t;

	if (peek(p)->type != TOK_LPAREN) {
		unexpected(p, "grouping opts", "\"(\"");
		return -1;
	}
	advance(p);
	if (peek(p)->type == TOK_RPAREN) {
		advance(p);
		return 0;
	}
	for (;;) {
		char name[256];

		t = peek(p);
		if (!maybe_label(t->type)) {
			unexpected(p, "grouping opts", "label");
			return -1;
		}
		if (t->len >= sizeof(name) ||
		    (memcpy(name, p->in + t->pos, t->len),
		    name[t->len] = '\0', !labels_valid_name(name))) {
			unexpected(p, "grouping opts", "label");
			return -1;
		}
		if (ast_strlist_add(list, n, p->in + t->pos, t->len) == -1) {
			fail_at(p, t->pos, "out of memory");
			return -1;
		}
		advance(p);
		t = peek(p);
		if (t->type == TOK_COMMA) {
			advance(p);
			if (peek(p)->type == TOK_RPAREN) {
				advance(p);
				return 0;
			}
			continue;
		}
		if (t->type == TOK_RPAREN) {
			advance(p);
			return 0;
		}
		unexpected(p, "grouping opts", "\",\" or \")\"");
		return -1;
	}
}

static int metric_identifier(enum promql_tok t);

/* Can t begin an expression? */
static int
starts_expr(enum promql_tok t)
{
	return t == TOK_NUMBER || t == TOK_STRING || t == TOK_LPAREN ||
	    t == TOK_LBRACE || t == TOK_ADD || t == TOK_SUB ||
	    metric_identifier(t) || t == TOK_ERROR;
}

/* ( expr, ... ) of a call or an aggregation. */
static int
call_body(struct parser *p, struct ast_node ***args, size_t *nargs)
{
	struct promql_token *t;

	if (peek(p)->type != TOK_LPAREN) {
		unexpected(p, p->ctx, "");
		return -1;
	}
	advance(p);
	if (peek(p)->type == TOK_RPAREN) {
		advance(p);
		return 0;
	}
	for (;;) {
		struct ast_node *e, **na;

		if ((e = expr(p, 1)) == NULL)
			return -1;
		if ((na = reallocarray(*args, *nargs + 1, sizeof(*na))) ==
		    NULL) {
			ast_free(e);
			fail_at(p, p->last_end, "out of memory");
			return -1;
		}
		*args = na;
		na[(*nargs)++] = e;
		t = peek(p);
		if (t->type == TOK_COMMA) {
			size_t comma = t->pos;

			advance(p);
			/* yacc reduces "args ," when nothing that follows
			 * can start an argument, ")" or not. */
			if (!starts_expr(peek(p)->type)) {
				fail_at(p, comma, "trailing commas not "
				    "allowed in function call args");
				return -1;
			}
			continue;
		}
		if (t->type == TOK_RPAREN) {
			advance(p);
			return 0;
		}
		unexpected(p, p->ctx, "");
		return -1;
	}
}

/* { name op "value", ... } into n's matchers. */
static int
label_matchers(struct parser *p, struct ast_node *n)
{
	struct promql_token *t;

	advance(p);	/* { */
	if (peek(p)->type == TOK_RBRACE) {
		advance(p);
		return 0;
	}
	for (;;) {
		struct promql_token name, op;
		enum matcher_type mt;
		struct matcher *nm;
		char lname[256], e[ERR_MAX], *val;
		size_t vlen;
		int r;

		name = *peek(p);
		if (name.type != TOK_IDENT) {
			unexpected(p, "label matching", "identifier or \"}\"");
			return -1;
		}
		advance(p);
		op = *peek(p);
		switch (op.type) {
		case TOK_EQL: mt = MATCHER_EQ; break;
		case TOK_NEQ: mt = MATCHER_NEQ; break;
		case TOK_EQL_REGEX: mt = MATCHER_RE; break;
		case TOK_NEQ_REGEX: mt = MATCHER_NRE; break;
		default:
			unexpected(p, "label matching",
			    "label matching operator");
			return -1;
		}
		advance(p);
		t = peek(p);
		if (t->type != TOK_STRING) {
			unexpected(p, "label matching", "string");
			return -1;
		}
		if (unquote(p, t, &val, &vlen) == -1)
			return -1;
		advance(p);
		if (name.len >= sizeof(lname)) {
			free(val);
			fail_at(p, name.pos, "label name too long");
			return -1;
		}
		memcpy(lname, p->in + name.pos, name.len);
		lname[name.len] = '\0';
		if ((nm = reallocarray(n->m, n->nm + 1, sizeof(*nm))) == NULL) {
			free(val);
			fail_at(p, name.pos, "out of memory");
			return -1;
		}
		n->m = nm;
		r = matcher_init(&nm[n->nm], mt, lname, val, vlen, e);
		if (r == -1) {
			if (mt == MATCHER_RE || mt == MATCHER_NRE) {
				char re[ERR_MAX];

				promql_regex_error(val, vlen, re);
				fail_at(p, name.pos, "%s", re);
			} else
				fail_at(p, name.pos, "%s", e);
			free(val);
			return -1;
		}
		free(val);
		n->nm++;
		t = peek(p);
		if (t->type == TOK_COMMA) {
			advance(p);
			if (peek(p)->type == TOK_RBRACE) {
				advance(p);
				return 0;
			}
			continue;
		}
		if (t->type == TOK_RBRACE) {
			advance(p);
			return 0;
		}
		unexpected(p, "label matching", "\",\" or \"}\"");
		return -1;
	}
}

/* A vector selector; the name token (if any) has been taken. */
static struct ast_node *
vector_selector(struct parser *p, const struct promql_token *name,
    size_t pos)
{
	struct ast_node *n = node(p, AST_VECSEL, pos);
	char e[ERR_MAX];

	if (n == NULL)
		return NULL;
	if (peek(p)->type == TOK_LBRACE && label_matchers(p, n) == -1)
		goto fail;
	if (name != NULL) {
		struct matcher *nm;

		if ((n->name = strndup(p->in + name->pos, name->len)) == NULL ||
		    (nm = reallocarray(n->m, n->nm + 1, sizeof(*nm))) == NULL) {
			fail_at(p, pos, "out of memory");
			goto fail;
		}
		n->m = nm;
		if (matcher_init(&nm[n->nm], MATCHER_EQ, "__name__", n->name,
		    name->len, e) == -1) {
			fail_at(p, pos, "%s", e);
			goto fail;
		}
		n->nm++;
	}
	n->end = p->last_end;
	return n;
fail:
	ast_free(n);
	return NULL;
}

/* An aggregation; its operator op has been taken. */
static struct ast_node *
aggregation(struct parser *p, const struct promql_token *opt)
{
	struct promql_token op = *opt;
	struct ast_node *n = node(p, AST_AGG, op.pos), **args = NULL;
	const char *saved = p->ctx;
	size_t nargs = 0, want;
	int have_mod = 0;

	if (n == NULL)
		return NULL;
	n->op = op.type;
	p->ctx = "aggregation";
	if (peek(p)->type == TOK_BY || peek(p)->type == TOK_WITHOUT) {
		n->without = peek(p)->type == TOK_WITHOUT;
		advance(p);
		if (grouping_labels(p, &n->grouping, &n->ngrouping) == -1)
			goto fail;
		have_mod = 1;
	}
	if (call_body(p, &args, &nargs) == -1)
		goto fail;
	if (!have_mod &&
	    (peek(p)->type == TOK_BY || peek(p)->type == TOK_WITHOUT)) {
		n->without = peek(p)->type == TOK_WITHOUT;
		advance(p);
		if (grouping_labels(p, &n->grouping, &n->ngrouping) == -1)
			goto fail;
	}
	p->ctx = saved;
	n->end = p->last_end;
	if (nargs == 0) {
		fail_at(p, n->pos, "no arguments for aggregate expression "
		    "provided");
		goto fail;
	}
	want = (op.type == TOK_TOPK || op.type == TOK_BOTTOMK ||
	    op.type == TOK_COUNT_VALUES || op.type == TOK_QUANTILE) ? 2 : 1;
	if (nargs != want) {
		fail_at(p, n->pos, "wrong number of arguments for aggregate "
		    "expression provided, expected %zu, got %zu", want, nargs);
		goto fail;
	}
	if (want == 2)
		n->y = args[0];
	n->x = args[want - 1];
	free(args);
	return n;
fail:
	p->ctx = saved;
	for (size_t i = 0; i < nargs; i++)
		ast_free(args[i]);
	free(args);
	ast_free(n);
	return NULL;
}

static struct ast_node *
call(struct parser *p, const struct promql_token *name)
{
	struct ast_node *n = node(p, AST_CALL, name->pos);

	if (n == NULL)
		return NULL;
	if (call_body(p, &n->args, &n->nargs) == -1) {
		ast_free(n);
		return NULL;
	}
	n->end = p->last_end;
	n->fn = promql_func_lookup(p->in + name->pos, name->len);
	if (n->fn == NULL) {
		struct buf b = BUF_INIT(ERR_MAX - 1);

		gofmt_quote(&b, p->in + name->pos, name->len);
		fail_at(p, name->pos, "unknown function with name %s",
		    b.data ? b.data : "");
		buf_release(&b);
		ast_free(n);
		return NULL;
	}
	return n;
}

/* Tokens that may name a metric where an expression starts. */
static int
metric_identifier(enum promql_tok t)
{
	return t == TOK_IDENT || t == TOK_METRIC_IDENT ||
	    promql_tok_is_aggregator(t) || t == TOK_BY || t == TOK_WITHOUT ||
	    t == TOK_LAND || t == TOK_LOR || t == TOK_LUNLESS ||
	    t == TOK_OFFSET || t == TOK_START || t == TOK_END;
}

static struct ast_node *
primary(struct parser *p)
{
	struct promql_token t = *peek(p);
	struct ast_node *n, *e;

	if (p->failed)
		return NULL;
	switch (t.type) {
	case TOK_NUMBER:
		if ((n = node(p, AST_NUMBER, t.pos)) == NULL)
			return NULL;
		if (number(p, &t, &n->num) == -1) {
			ast_free(n);
			return NULL;
		}
		advance(p);
		n->end = p->last_end;
		return n;
	case TOK_STRING:
		if ((n = node(p, AST_STRING, t.pos)) == NULL)
			return NULL;
		if (unquote(p, &t, &n->str, &n->slen) == -1) {
			ast_free(n);
			return NULL;
		}
		advance(p);
		n->end = p->last_end;
		return n;
	case TOK_LPAREN:
		advance(p);
		if ((e = expr(p, 1)) == NULL)
			return NULL;
		if (peek(p)->type != TOK_RPAREN) {
			unexpected(p, p->ctx, "");
			ast_free(e);
			return NULL;
		}
		advance(p);
		if ((n = node(p, AST_PAREN, t.pos)) == NULL) {
			ast_free(e);
			return NULL;
		}
		n->x = e;
		n->end = p->last_end;
		return n;
	case TOK_LBRACE:
		return vector_selector(p, NULL, t.pos);
	default:
		break;
	}
	if (!metric_identifier(t.type)) {
		unexpected(p, p->ctx, "");
		return NULL;
	}
	advance(p);
	/* An aggregation, unless nothing of one follows: then the keyword
	 * names a metric, as the grammar allows. */
	if (promql_tok_is_aggregator(t.type) &&
	    (peek(p)->type == TOK_LPAREN || peek(p)->type == TOK_BY ||
	    peek(p)->type == TOK_WITHOUT))
		return aggregation(p, &t);
	if (t.type == TOK_IDENT && peek(p)->type == TOK_LPAREN)
		return call(p, &t);
	return vector_selector(p, &t, t.pos);
}

static void
set_end(struct ast_node *n, size_t end)
{
	n->end = end;
}

/* offset, @ and [range] / [range:step] after e. */
static struct ast_node *
postfix(struct parser *p, struct ast_node *e)
{
	for (;;) {
		struct promql_token t = *peek(p);
		struct ast_node *vs;

		if (p->failed)
			goto fail;
		if (t.type == TOK_LBRACKET) {
			struct ast_node *n;
			int64_t range, step = 0;
			int sub = 0;

			advance(p);
			if (peek(p)->type != TOK_DURATION) {
				unexpected(p, "subquery selector", "duration");
				goto fail;
			}
			if (duration(p, peek(p), &range) == -1)
				goto fail;
			advance(p);
			if (peek(p)->type == TOK_COLON) {
				sub = 1;
				advance(p);
				if (peek(p)->type == TOK_DURATION) {
					if (duration(p, peek(p), &step) == -1)
						goto fail;
					advance(p);
					if (peek(p)->type != TOK_RBRACKET) {
						unexpected(p, "subquery "
						    "selector", "\"]\"");
						goto fail;
					}
				} else if (peek(p)->type != TOK_RBRACKET) {
					unexpected(p, "subquery selector",
					    "duration or \"]\"");
					goto fail;
				}
			} else if (peek(p)->type != TOK_RBRACKET) {
				unexpected(p, "subquery or range",
				    "\":\" or \"]\"");
				goto fail;
			}
			advance(p);
			if (!sub) {
				const char *msg = NULL;

				if (e->kind != AST_VECSEL)
					msg = "ranges only allowed for vector "
					    "selectors";
				else if (e->orig_offset != 0)
					msg = "no offset modifiers allowed "
					    "before range";
				else if (e->at_kind != AST_AT_NONE)
					msg = "no @ modifiers allowed before "
					    "range";
				if (msg) {
					fail_at(p, t.pos, "%s", msg);
					goto fail;
				}
			}
			if ((n = node(p, sub ? AST_SUBQUERY : AST_MATSEL,
			    e->pos)) == NULL)
				goto fail;
			n->x = e;
			n->range = range;
			n->step = step;
			n->end = p->last_end;
			e = n;
			continue;
		}
		if (t.type == TOK_OFFSET) {
			int64_t d;
			int neg = 0;

			advance(p);
			if (peek(p)->type == TOK_SUB) {
				neg = 1;
				advance(p);
			}
			if (peek(p)->type != TOK_DURATION) {
				unexpected(p, "offset", "duration");
				goto fail;
			}
			if (duration(p, peek(p), &d) == -1)
				goto fail;
			advance(p);
			vs = e->kind == AST_MATSEL ? e->x : e;
			if (e->kind != AST_VECSEL && e->kind != AST_MATSEL &&
			    e->kind != AST_SUBQUERY) {
				fail_at(p, e->pos, "offset modifier must be "
				    "preceded by an instant vector selector or "
				    "range vector selector or a subquery");
				goto fail;
			}
			if (vs->orig_offset != 0) {
				fail_at(p, e->pos, "offset may not be set "
				    "multiple times");
				goto fail;
			}
			vs->orig_offset = neg ? -d : d;
			set_end(e, p->last_end);
			continue;
		}
		if (t.type == TOK_AT) {
			enum ast_at kind = AST_AT_TS;
			double ts = 0;
			int neg = 0;

			advance(p);
			t = *peek(p);
			if (t.type == TOK_START || t.type == TOK_END) {
				kind = t.type == TOK_START ? AST_AT_START :
				    AST_AT_END;
				advance(p);
				if (peek(p)->type != TOK_LPAREN) {
					unexpected(p, "@", "timestamp");
					goto fail;
				}
				advance(p);
				if (peek(p)->type != TOK_RPAREN) {
					unexpected(p, "@", "timestamp");
					goto fail;
				}
				advance(p);
			} else {
				if (t.type == TOK_ADD || t.type == TOK_SUB) {
					neg = t.type == TOK_SUB;
					advance(p);
					t = *peek(p);
				}
				if (t.type != TOK_NUMBER) {
					unexpected(p, "@", "timestamp");
					goto fail;
				}
				if (number(p, &t, &ts) == -1)
					goto fail;
				advance(p);
				if (neg)
					ts = -ts;
				if (isinf(ts) || isnan(ts) ||
				    ts >= 9223372036854775807.0 ||
				    ts <= -9223372036854775808.0) {
					char f[GOFMT_F_MAX];

					fail_at(p, e->pos, "timestamp out of "
					    "bounds for @ modifier: %s",
					    gofmt_percent_f(ts, f));
					goto fail;
				}
			}
			vs = e->kind == AST_MATSEL ? e->x : e;
			if (e->kind != AST_VECSEL && e->kind != AST_MATSEL &&
			    e->kind != AST_SUBQUERY) {
				fail_at(p, e->pos, "@ modifier must be preceded "
				    "by an instant vector selector or range "
				    "vector selector or a subquery");
				goto fail;
			}
			if (vs->at_kind != AST_AT_NONE) {
				fail_at(p, e->pos, "@ <timestamp> may not be "
				    "set multiple times");
				goto fail;
			}
			vs->at_kind = kind;
			if (kind == AST_AT_TS) {
				double ms = round(ts * 1000);

				/* Go's int64() of an out-of-range float on
				 * amd64. */
				vs->at = ms >= 9223372036854775807.0 ||
				    ms < -9223372036854775808.0 ? INT64_MIN :
				    (int64_t)ms;
				vs->has_at = 1;
			}
			set_end(e, p->last_end);
			continue;
		}
		return e;
	}
fail:
	ast_free(e);
	return NULL;
}

static struct ast_node *
unary(struct parser *p)
{
	struct promql_token t = *peek(p);
	struct ast_node *e, *n;

	if (p->failed)
		return NULL;
	if (t.type == TOK_ADD || t.type == TOK_SUB) {
		advance(p);
		/* %prec MUL: the operand takes only ^ and postfix ops. */
		if ((e = expr(p, binprec(TOK_POW))) == NULL)
			return NULL;
		if (e->kind == AST_NUMBER) {
			if (t.type == TOK_SUB)
				e->num = -e->num;
			e->pos = t.pos;
			return e;
		}
		if ((n = node(p, AST_UNARY, t.pos)) == NULL) {
			ast_free(e);
			return NULL;
		}
		n->op = t.type;
		n->x = e;
		n->end = e->end;
		return n;
	}
	if ((e = primary(p)) == NULL)
		return NULL;
	return postfix(p, e);
}

static struct ast_node *
expr(struct parser *p, int minprec)
{
	struct ast_node *lhs;

	/* Every stage after parsing recurses over the tree on the C stack,
	 * which, unlike Go's, does not grow. */
	if (++p->depth > PROMQL_MAX_DEPTH) {
		fail_at(p, peek(p)->pos, "expression nested too deeply");
		return NULL;
	}
	lhs = unary(p);

	while (lhs != NULL) {
		struct promql_token t = *peek(p);
		int prec = binprec(t.type);
		struct ast_node *n, *rhs;

		if (p->failed || prec == 0 || prec < minprec)
			break;
		advance(p);
		if ((n = node(p, AST_BINARY, lhs->pos)) == NULL)
			break;
		n->op = t.type;
		n->x = lhs;
		lhs = n;
		n->has_vm = 1;
		n->card = AST_ONE_TO_ONE;
		if (peek(p)->type == TOK_BOOL) {
			n->ret_bool = 1;
			advance(p);
		}
		if (peek(p)->type == TOK_ON || peek(p)->type == TOK_IGNORING) {
			n->on = peek(p)->type == TOK_ON;
			advance(p);
			if (grouping_labels(p, &n->mlabels, &n->nmlabels) == -1)
				break;
			if (peek(p)->type == TOK_GROUP_LEFT ||
			    peek(p)->type == TOK_GROUP_RIGHT) {
				n->card = peek(p)->type == TOK_GROUP_LEFT ?
				    AST_MANY_TO_ONE : AST_ONE_TO_MANY;
				advance(p);
				/* Labels, or the right-hand side; anything
				 * else is yacc's grouping_labels error. */
				if ((peek(p)->type == TOK_LPAREN ||
				    !starts_expr(peek(p)->type)) &&
				    grouping_labels(p, &n->include,
				    &n->ninclude) == -1)
					break;
			}
		}
		/* ^ is right-associative, the others left. */
		rhs = expr(p, t.type == TOK_POW ? prec : prec + 1);
		if (rhs == NULL)
			break;
		n->y = rhs;
		n->end = rhs->end;
	}
	p->depth--;
	if (p->failed) {
		ast_free(lhs);
		return NULL;
	}
	return lhs;
}

int
promql_parse_ast(const char *query, size_t n, struct ast_node **out,
    char *err)
{
	struct parser p;
	struct ast_node *e;

	memset(&p, 0, sizeof(p));
	p.in = query;
	p.n = n;
	p.err = err;
	p.ctx = "";
	promql_lex_init(&p.lx, query, n);
	if (peek(&p)->type == TOK_EOF) {
		fail_at(&p, 0, "no expression found in input");
		return -1;
	}
	if ((e = expr(&p, 1)) == NULL)
		return -1;
	if (peek(&p)->type != TOK_EOF) {
		unexpected(&p, "", "");
		ast_free(e);
		return -1;
	}
	if (promql_check(e, query, err) == -1) {
		ast_free(e);
		return -1;
	}
	*out = e;
	return 0;
}
