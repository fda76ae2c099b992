package dev.kiln.store;

/**
 * What differs between the databases Kiln runs on. Plain SQL elsewhere; one migration set per dialect
 * (src/main/resources/db/migration/{sqlite,postgresql}) kept in lockstep.
 */
public enum Dialect {
    SQLITE("sqlite"), POSTGRESQL("postgresql");

    private final String migrationFolder;

    Dialect(String migrationFolder) { this.migrationFolder = migrationFolder; }

    public String migrationLocation() { return "classpath:db/migration/" + migrationFolder; }

    public static Dialect of(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:sqlite:")) return SQLITE;
        if (jdbcUrl.startsWith("jdbc:postgresql:")) return POSTGRESQL;
        throw new IllegalArgumentException("unsupported database URL (use jdbc:sqlite:FILE or jdbc:postgresql://...): "
                + jdbcUrl.replaceAll("password=[^&]*", "password=***"));
    }
}
