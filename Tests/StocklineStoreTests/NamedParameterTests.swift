import PostgresNIO
import Testing

@testable import StocklineStore

@Suite("named SQL parameters")
struct NamedParameterTests {
    @Test("`:name` becomes a positional parameter, once per name; a `::type` cast stays a cast")
    func castsAreNotParameters() throws {
        let query = try PostgresQuery.named(
            "SELECT :at::bigint, x::text, :at, :company_id FROM t WHERE y = ':'", ["at": 1, "company_id": 2])
        #expect(query.sql == "SELECT $1::bigint, x::text, $1, $2 FROM t WHERE y = ':'")
        #expect(query.binds.count == 2)
    }

    @Test("a name with no value is an error, not a crash")
    func missingValue() {
        #expect(throws: StoreError.self) { _ = try PostgresQuery.named("SELECT :missing", [:]) }
    }
}
