package dev.starling.samples.integrate;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.DoubleUnaryOperator;

/** The functions a job can integrate, by the name a researcher gives. */
enum Integrand {
    SIN("sin", "sin(x)", Math::sin),
    GAUSSIAN("gaussian", "exp(-x^2)", x -> Math.exp(-x * x)),
    RUNGE("runge", "1/(1+25x^2)", x -> 1 / (1 + 25 * x * x));

    private final String id;
    private final String formula;
    private final DoubleUnaryOperator f;

    Integrand(String id, String formula, DoubleUnaryOperator f) {
        this.id = id;
        this.formula = formula;
        this.f = f;
    }

    static Optional<Integrand> byId(String id) {
        return Arrays.stream(values()).filter(i -> i.id.equals(id)).findFirst();
    }

    /** "sin = sin(x), gaussian = exp(-x^2), ..." */
    static String menu() {
        return String.join(", ", Arrays.stream(values()).map(i -> i.id + " = " + i.formula).toList());
    }

    String id() {
        return id;
    }

    double at(double x) {
        return f.applyAsDouble(x);
    }
}
