/* Draws for the listings' streams (wrng in world_internal.h). */
#include "world/world_internal.h"

#include <math.h>

double wrng_exponential(wrng *r, double mean) { return -mean * log1p(-wrng_uniform(r)); }

/* The inverse of the standard normal CDF by P. J. Acklam's rational
 * approximation (relative error below 1.2e-9): a polynomial ratio in the
 * middle 95 %, one log and one sqrt in the tails. p in (0, 1). */
double world_norm_inv(double p)
{
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00, 2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                               2.445134137142996e+00, 3.754408661907416e+00};
    const double low = 0.02425;
    if (p < low || p > 1 - low) {
        double q = sqrt(-2 * log(p < low ? p : 1 - p));
        double x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
                   ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        return p < low ? x : -x;
    }
    double q = p - 0.5, r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/* The midpoint of one of 2^53 equal cells: never 0 or 1. */
double wrng_normal(wrng *r)
{
    return world_norm_inv(((double)(wrng_u64(r) >> 11) + 0.5) * 0x1.0p-53);
}
