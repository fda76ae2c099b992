package dev.kiln.store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract on PostgreSQL, in a schema of its own that is emptied before each test and dropped after. */
class PostgresStoreTest extends StoreContractTest {

    private static TestDatabases.PostgresSchema schema;

    @BeforeAll
    static void createSchema() { schema = TestDatabases.postgresSchema(); }

    @AfterAll
    static void dropSchema() {
        if (schema != null) schema.close();
    }

    @Override protected StoreConfig freshDatabase() {
        schema.reset();
        return schema.config();
    }
}
