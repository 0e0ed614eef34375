/* Floating-point kernel of the engine benchmark: a damped driven pendulum integrated with classic RK4,
 * printed with %.17g so that every engine's bits can be compared. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void deriv(double t, const double *y, double *dy) {
    dy[0] = y[1];
    dy[1] = -0.2 * y[1] - sin(y[0]) + 1.15 * cos(0.667 * t);
}

int main(int argc, char **argv) {
    long steps = argc > 1 ? atol(argv[1]) : 20000000;
    double h = 1e-3, t = 0, y[2] = {0.2, 0.0}, k1[2], k2[2], k3[2], k4[2], tmp[2];
    for (long i = 0; i < steps; i++) {
        deriv(t, y, k1);
        for (int j = 0; j < 2; j++) tmp[j] = y[j] + 0.5 * h * k1[j];
        deriv(t + 0.5 * h, tmp, k2);
        for (int j = 0; j < 2; j++) tmp[j] = y[j] + 0.5 * h * k2[j];
        deriv(t + 0.5 * h, tmp, k3);
        for (int j = 0; j < 2; j++) tmp[j] = y[j] + h * k3[j];
        deriv(t + h, tmp, k4);
        for (int j = 0; j < 2; j++) y[j] += h / 6 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);
        t += h;
    }
    printf("%.17g %.17g\n", y[0], y[1]);
    return 0;
}
