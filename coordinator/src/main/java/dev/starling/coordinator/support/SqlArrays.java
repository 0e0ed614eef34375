package dev.starling.coordinator.support;

import java.sql.Connection;
import java.sql.SQLException;
import org.springframework.jdbc.core.support.AbstractSqlTypeValue;

/** A Java array as a PostgreSQL array parameter, for {@code unnest(...)} bulk statements. */
public final class SqlArrays {
    private SqlArrays() {}

    public static AbstractSqlTypeValue of(String elementType, Object[] values) {
        return new AbstractSqlTypeValue() {
            @Override
            protected Object createTypeValue(Connection con, int sqlType, String typeName) throws SQLException {
                return con.createArrayOf(elementType, values);
            }
        };
    }
}
