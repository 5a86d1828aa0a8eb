import Foundation
import Stockline
import StocklineCore
import StocklineTestSupport
import Testing

@Suite("web sign-in")
struct WebAccessTests {
    @Test("a password is stored as a salted scrypt hash that only the same password matches")
    func passwordHashes() throws {
        let first = try Passwords.hash("correct-horse-battery")
        let second = try Passwords.hash("correct-horse-battery")
        #expect(first.hasPrefix("scrypt$16384$8$1$"))
        #expect(first != second, "each hash has its own salt")
        #expect(Passwords.matches("correct-horse-battery", first))
        #expect(!Passwords.matches("correct-horse-batterz", first))
        #expect(!Passwords.matches("correct-horse-battery", "scrypt$16384$8$1$not-base64$x"))
        #expect(!first.contains("correct-horse-battery"))
    }

    @Test("sign-in gives a session only for the right password; sign-out and expiry end it")
    func sessions() async throws {
        try await withTemporaryLedger { ledger in
            let inventory = ledger.inventory
            try await inventory.addCompany(code: "ACME")
            try await inventory.addWarehouse(code: "WH1")
            await #expect(throws: StockError.self) {
                try await inventory.createUser(name: "short", password: "too-short", role: .planner)
            }
            await #expect(throws: StockError.self) {
                try await inventory.createUser(name: "van", password: "long-enough-1", role: .planner, warehouse: "WH9")
            }
            try await inventory.createUser(name: "ann", password: "long-enough-1", role: .planner, warehouse: "WH1")
            await #expect(throws: StockError.self) {
                try await inventory.createUser(name: "ann", password: "long-enough-2", role: .admin)
            }
            #expect(try await inventory.signIn(name: "ann", password: "long-enough-2") == nil)
            #expect(try await inventory.signIn(name: "bob", password: "long-enough-1") == nil)
            let (secret, session) = try #require(try await inventory.signIn(name: "ann", password: "long-enough-1"))
            let (user, found) = try #require(try await inventory.session(secret: secret))
            #expect(user.name == "ann" && user.warehouse == "WH1" && found == session)
            #expect(try await inventory.session(secret: secret + "x") == nil)
            ledger.clock.advance(by: Inventory.sessionLifetime + 1)
            #expect(try await inventory.session(secret: secret) == nil, "an expired session is no session")
            let (again, _) = try #require(try await inventory.signIn(name: "ann", password: "long-enough-1"))
            try await inventory.signOut(secret: again)
            #expect(try await inventory.session(secret: again) == nil)
        }
    }
}
