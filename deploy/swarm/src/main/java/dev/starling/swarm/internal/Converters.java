package dev.starling.swarm.internal;

import dev.starling.swarm.Endpoint;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** picocli converters for the swarm's and bench's options; a wrong value is a message a user can act on. */
public final class Converters {
    private Converters() {}

    /** {@code 60s}, {@code 500ms}, {@code 10m}, {@code 1h}, ISO-8601. */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code host:port[,host:port...]} */
    public static final class EndpointsConverter implements ITypeConverter<List<Endpoint>> {
        @Override
        public List<Endpoint> convert(String value) {
            try {
                return Endpoint.parseList(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
