/* Small-sample statistics for compare: Student's t (quantiles for confidence
 * intervals) and Welch's unequal-variance t-test. The t distribution's CDF is
 * the regularised incomplete beta function, evaluated by its continued
 * fraction (modified Lentz), which converges fast for the x < (a+1)/(a+b+2)
 * side; the other side uses the symmetry I_x(a,b) = 1 - I_{1-x}(b,a). */
#include "report/report_internal.h"

#include <math.h>

static double beta_cf(double a, double b, double x)
{
    const double tiny = 1e-300, eps = 1e-15;
    double c = 1, d = 1 - (a + b) * x / (a + 1);
    d = fabs(d) < tiny ? tiny : d;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 500; m++) {
        double m2 = 2.0 * m;
        double num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
        d = 1 + num * d;
        d = fabs(d) < tiny ? tiny : d;
        c = 1 + num / c;
        c = fabs(c) < tiny ? tiny : c;
        d = 1 / d;
        h *= d * c;
        num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
        d = 1 + num * d;
        d = fabs(d) < tiny ? tiny : d;
        c = 1 + num / c;
        c = fabs(c) < tiny ? tiny : c;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < eps)
            break;
    }
    return h;
}

/* I_x(a, b) */
static double ibeta(double a, double b, double x)
{
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    double lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    double front = exp(lbt);
    if (x < (a + 1) / (a + b + 2))
        return front * beta_cf(a, b, x) / a;
    return 1 - front * beta_cf(b, a, 1 - x) / b;
}

/* P(|T_df| > t) */
static double t_two_sided_p(double t, double df)
{
    if (isnan(t))
        return 1;
    if (isinf(t))
        return 0;
    return ibeta(df / 2, 0.5, df / (df + t * t));
}

double report_t_quantile(double level, double df)
{
    double want = 1 - level, lo = 0, hi = 1;
    while (t_two_sided_p(hi, df) > want && hi < 1e12)
        hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
        double mid = (lo + hi) / 2;
        if (t_two_sided_p(mid, df) > want)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

static void mean_var(const double *v, size_t n, double *mean, double *var)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m += v[i];
    m /= (double)n;
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (v[i] - m) * (v[i] - m);
    *mean = m;
    *var = n > 1 ? s / (double)(n - 1) : NAN;
}

void report_mean_ci95(const double *v, size_t n, double *mean, double *half)
{
    if (n == 0) {
        *mean = *half = NAN;
        return;
    }
    double var;
    mean_var(v, n, mean, &var);
    *half = n < 2 ? NAN : report_t_quantile(0.95, (double)(n - 1)) * sqrt(var / (double)n);
}

double report_welch_p(const double *a, size_t na, const double *b, size_t nb)
{
    if (na < 2 || nb < 2)
        return NAN;
    double ma, va, mb, vb;
    mean_var(a, na, &ma, &va);
    mean_var(b, nb, &mb, &vb);
    double sa = va / (double)na, sb = vb / (double)nb, se2 = sa + sb;
    if (se2 == 0)
        return ma == mb ? 1 : 0;
    double t = (ma - mb) / sqrt(se2);
    double df = se2 * se2 / (sa * sa / (double)(na - 1) + sb * sb / (double)(nb - 1));
    return t_two_sided_p(t, df);
}
