package dev.starling.worker;

import dev.starling.worker.config.HostPort;
import dev.starling.worker.control.TimeWindows;
import dev.starling.worker.fault.Fault;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** How the options read the values that have a parser of their own; picocli names the option in the message. */
final class Converters {
    private Converters() {}

    static final class Address implements ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            try {
                return HostPort.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Hours implements ITypeConverter<TimeWindows> {
        @Override
        public TimeWindows convert(String value) {
            try {
                return TimeWindows.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Faults implements ITypeConverter<Fault> {
        @Override
        public Fault convert(String value) {
            try {
                return Fault.fromOption(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
