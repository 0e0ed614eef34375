package dev.starling.worker;

import dev.starling.worker.support.ByteSizes;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads byte counts as people write them: {@code 512M}, {@code 4G}, {@code 10M/s} (binary units). */
final class ByteSizeConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        String text = value.trim();
        if (text.toLowerCase(java.util.Locale.ROOT).endsWith("/s")) {
            text = text.substring(0, text.length() - 2);
        }
        try {
            return ByteSizes.parse(text);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage().replace("'" + text + "'", "'" + value + "'"));
        }
    }
}
