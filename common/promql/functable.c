#include <string.h>

#include "promql/func.h"

#define S	PROMQL_SCALAR
#define V	PROMQL_VECTOR
#define M	PROMQL_MATRIX
#define TS	PROMQL_STRING

/* Sorted by name, as in Prometheus' function list. */
static const struct promql_func funcs[] = {
	{ "abs", { V }, 1, 0, V, 0, NULL, fn_math },
	{ "absent", { V }, 1, 0, V, 0, NULL, fn_absent },
	{ "absent_over_time", { M }, 1, 0, V, 0, fn_absent_over_time, NULL },
	{ "acos", { V }, 1, 0, V, 0, NULL, fn_math },
	{ "acosh", { V }, 1, 0, V, 0, NULL, fn_math },
	{ "asin", { V }, 1, 0, V, 0, NULL, fn_math },
	{ "asinh", { V }, 1, 0, V, 0, NULL, fn_math },
	{ "atan", { V }, 1, 0, V, 0, NULL, fn_math },
	{ "atanh", { V }, 1, 0, V, 0, NULL, fn_math },
	{ "avg_over_time", { M }, 1, 0, V, 0, fn_avg_over_time, NULL },
	{ "ceil", { V }, 1, 0, V, 0, NULL, fn_math },
	{ "changes", { M }, 1, 0, V, 0, fn_changes, NULL },
	{ "clamp", { V, S, S }, 3, 0, V, 0, NULL, fn_clamp },
	{ "clamp_max", { V, S }, 2, 0, V, 0, NULL, fn_clamp_max },
	{ "clamp_min", { V, S }, 2, 0, V, 0, NULL, fn_clamp_min },
	{ "cos", { V }, 1, 0, V, 0, NULL, fn_math },
	{ "cosh", { V }, 1, 0, V, 0, NULL, fn_math },
	{ "count_over_time", { M }, 1, 0, V, 0, fn_count_over_time, NULL },
	{ "day_of_month", { V }, 1, 1, V, 1, NULL, fn_date },
	{ "day_of_week", { V }, 1, 1, V, 1, NULL, fn_date },
	{ "day_of_year", { V }, 1, 1, V, 1, NULL, fn_date },
	{ "days_in_month", { V }, 1, 1, V, 1, NULL, fn_date },
	{ "deg", { V }, 1, 0, V, 0, NULL, fn_math },
	{ "delta", { M }, 1, 0, V, 0, fn_delta, NULL },
	{ "deriv", { M }, 1, 0, V, 0, fn_deriv, NULL },
	{ "exp", { V }, 1, 0, V, 0, NULL, fn_math },
	{ "floor", { V }, 1, 0, V, 0, NULL, fn_math },
	{ "histogram_count", { V }, 1, 0, V, 0, NULL, fn_native_histogram },
	{ "histogram_fraction", { S, S, V }, 3, 0, V, 0, NULL,
	    fn_native_histogram },
	{ "histogram_quantile", { S, V }, 2, 0, V, 0, NULL,
	    fn_histogram_quantile },
	{ "histogram_sum", { V }, 1, 0, V, 0, NULL, fn_native_histogram },
	{ "holt_winters", { M, S, S }, 3, 0, V, 0, fn_holt_winters, NULL },
	{ "hour", { V }, 1, 1, V, 1, NULL, fn_date },
	{ "idelta", { M }, 1, 0, V, 0, fn_idelta, NULL },
	{ "increase", { M }, 1, 0, V, 0, fn_increase, NULL },
	{ "irate", { M }, 1, 0, V, 0, fn_irate, NULL },
	{ "label_join", { V, TS, TS, TS }, 4, -1, V, 0, NULL,
	    fn_label_join },
	{ "label_replace", { V, TS, TS, TS, TS }, 5, 0, V, 0, NULL,
	    fn_label_replace },
	{ "last_over_time", { M }, 1, 0, V, 0, fn_last_over_time, NULL },
	{ "ln", { V }, 1, 0, V, 0, NULL, fn_math },
	{ "log10", { V }, 1, 0, V, 0, NULL, fn_math },
	{ "log2", { V }, 1, 0, V, 0, NULL, fn_math },
	{ "max_over_time", { M }, 1, 0, V, 0, fn_max_over_time, NULL },
	{ "min_over_time", { M }, 1, 0, V, 0, fn_min_over_time, NULL },
	{ "minute", { V }, 1, 1, V, 1, NULL, fn_date },
	{ "month", { V }, 1, 1, V, 1, NULL, fn_date },
	{ "pi", { S }, 0, 0, S, 0, NULL, fn_pi },
	{ "predict_linear", { M, S }, 2, 0, V, 1, fn_predict_linear, NULL },
	{ "present_over_time", { M }, 1, 0, V, 0, fn_present_over_time,
	    NULL },
	{ "quantile_over_time", { S, M }, 2, 0, V, 0, fn_quantile_over_time,
	    NULL },
	{ "rad", { V }, 1, 0, V, 0, NULL, fn_math },
	{ "rate", { M }, 1, 0, V, 0, fn_rate, NULL },
	{ "resets", { M }, 1, 0, V, 0, fn_resets, NULL },
	{ "round", { V, S }, 2, 1, V, 0, NULL, fn_round },
	{ "scalar", { V }, 1, 0, S, 0, NULL, fn_scalar },
	{ "sgn", { V }, 1, 0, V, 0, NULL, fn_math },
	{ "sin", { V }, 1, 0, V, 0, NULL, fn_math },
	{ "sinh", { V }, 1, 0, V, 0, NULL, fn_math },
	{ "sort", { V }, 1, 0, V, 0, NULL, fn_sort },
	{ "sort_desc", { V }, 1, 0, V, 0, NULL, fn_sort_desc },
	{ "sqrt", { V }, 1, 0, V, 0, NULL, fn_math },
	{ "stddev_over_time", { M }, 1, 0, V, 0, fn_stddev_over_time, NULL },
	{ "stdvar_over_time", { M }, 1, 0, V, 0, fn_stdvar_over_time, NULL },
	{ "sum_over_time", { M }, 1, 0, V, 0, fn_sum_over_time, NULL },
	{ "tan", { V }, 1, 0, V, 0, NULL, fn_math },
	{ "tanh", { V }, 1, 0, V, 0, NULL, fn_math },
	{ "time", { S }, 0, 0, S, 1, NULL, fn_time },
	{ "timestamp", { V }, 1, 0, V, 1, NULL, fn_timestamp },
	{ "vector", { S }, 1, 0, V, 0, NULL, fn_vector },
	{ "year", { V }, 1, 1, V, 1, NULL, fn_date },
};

const struct promql_func *
promql_func_lookup(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (strlen(funcs[i].name) == n &&
		    memcmp(funcs[i].name, name, n) == 0)
			return &funcs[i];
	return NULL;
}
